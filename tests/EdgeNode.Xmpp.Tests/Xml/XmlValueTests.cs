using System.Buffers;
using EdgeNode.Xmpp.Xml;

namespace EdgeNode.Xmpp.Tests.Xml;

public class XmlValueTests
{
    [Fact]
    public void Value_AllPredefinedEntities_DecodeToTheirCharacters()
    {
        XmlStreamReaderTests.Parse("<m a='&lt;&gt;&amp;&quot;&apos;'><b>&lt;&gt;&amp;&quot;&apos;</b></m>", (ref XmlStreamReader reader) =>
        {
            Assert.True(reader.Element.TryGetAttribute("a"u8, out XmlValue a));
            Assert.True(a.ValueEquals("<>&\"'"u8));
            Assert.False(a.ValueEquals("<>&\"'x"u8));
            Assert.False(a.ValueEquals("<>&\""u8));
            Assert.Equal(5, a.GetDecodedLength());
            Assert.True(a.Raw.SequenceEqual("&lt;&gt;&amp;&quot;&apos;"u8));

            var output = new ArrayBufferWriter<byte>();
            a.WriteTo(output);
            Assert.True(output.WrittenSpan.SequenceEqual("<>&\"'"u8));

            Assert.True(reader.Element.TryGetChild("b"u8, "jabber:client"u8, out XmlElement b));
            output.Clear();
            b.Text.WriteTo(output);
            Assert.True(output.WrittenSpan.SequenceEqual("<>&\"'"u8));
            Assert.Equal(5, b.Text.GetDecodedLength());
        });
    }

    [Fact]
    public void TryCopyTo_DestinationTooShort_ReturnsFalse()
    {
        XmlStreamReaderTests.Parse("<m a='&amp;&amp;&amp;'><b>abc</b></m>", (ref XmlStreamReader reader) =>
        {
            Assert.True(reader.Element.TryGetAttribute("a"u8, out XmlValue a));
            Span<byte> small = stackalloc byte[2];
            Assert.False(a.TryCopyTo(small, out _));
            Span<byte> exact = stackalloc byte[3];
            Assert.True(a.TryCopyTo(exact, out int written));
            Assert.Equal(3, written);
            Assert.True(reader.Element.TryGetChild("b"u8, "jabber:client"u8, out XmlElement b));
            Assert.False(b.Text.TryCopyTo(small, out _));
        });
    }

    [Fact]
    public void Attributes_Enumeration_SkipsNamespaceDeclarations()
    {
        XmlStreamReaderTests.Parse("<m xmlns:p='urn:p' a='1' xmlns='jabber:client' p:b='2'/>", (ref XmlStreamReader reader) =>
        {
            var names = new List<string>();
            foreach (XmlAttribute attribute in reader.Element.Attributes)
            {
                names.Add(System.Text.Encoding.UTF8.GetString(attribute.QualifiedName) + "@" + System.Text.Encoding.UTF8.GetString(attribute.NamespaceUri));
            }

            Assert.Equal(["a@", "p:b@urn:p"], names);
            Assert.False(reader.Element.TryGetAttribute("xmlns"u8, out _));
        });
    }
}
