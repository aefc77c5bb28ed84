using System.Buffers;
using System.Text;
using EdgeNode.Xmpp.Xml;
using static EdgeNode.Xmpp.Tests.Xml.XmlSamples;

namespace EdgeNode.Xmpp.Tests.Xml;

public class XmlElementWriteTests
{
    public static TheoryData<string> AllStanzas()
    {
        var data = new TheoryData<string>();
        foreach (string stanza in XmlSamples.Stanzas)
        {
            data.Add(stanza);
        }

        data.Add("<message xmlns:a='urn:a' a:x='1'><a:b xmlns='urn:d'><c/></a:b><e a:y='2'/></message>");
        data.Add("<iq><q xmlns='urn:q'><x xmlns=''/></q></iq>");
        data.Add("<message xmlns:p='urn:p'><x><p:y><p:z/></p:y><w p:k='1'/></x><p:v/></message>");
        data.Add("<message a='x\r\ny' b=\"it's\"><body>one\r\ntwo<![CDATA[ & ]]></body></message>");
        return data;
    }

    [Theory]
    [MemberData(nameof(AllStanzas))]
    public void WriteTo_ParsedStanza_ParsesAgainToSameTree(string stanza)
    {
        string original = "";
        byte[] written = [];
        XmlStreamReaderTests.Parse(stanza, (ref XmlStreamReader reader) =>
        {
            original = XmlDescribe.Element(reader.Element);
            var output = new ArrayBufferWriter<byte>();
            reader.Element.WriteTo(output);
            written = output.WrittenSpan.ToArray();
        });

        // Parsed again on a stream with another content namespace: the written element must carry its own.
        string again = "";
        using var feeder = new StreamFeeder();
        feeder.Feed(Utf8("<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams'>"));
        feeder.Feed(written);
        again = feeder.Events[1]["stanza:".Length..];

        Assert.Equal(original.Replace("{http://etherx.jabber.org/streams}", "{S}"), again.Replace("{http://etherx.jabber.org/streams}", "{S}"));
    }

    [Fact]
    public void WriteTo_Message_DeclaresInheritedContentNamespace()
    {
        XmlStreamReaderTests.Parse("<message to='a@b'><body>hi</body></message>", (ref XmlStreamReader reader) =>
        {
            var output = new ArrayBufferWriter<byte>();
            reader.Element.WriteTo(output);
            Assert.Equal("<message to='a@b' xmlns='jabber:client'><body>hi</body></message>", Encoding.UTF8.GetString(output.WrittenSpan));
        });
    }

    [Fact]
    public void WriteTo_ChildUsingPrefixFromAncestor_DeclaresPrefixOnChild()
    {
        XmlStreamReaderTests.Parse("<message xmlns:p='urn:p'><p:x p:k='v'/></message>", (ref XmlStreamReader reader) =>
        {
            Assert.True(reader.Element.TryGetChild("x"u8, "urn:p"u8, out XmlElement x));
            var output = new ArrayBufferWriter<byte>();
            x.WriteTo(output);
            Assert.Equal("<p:x p:k='v' xmlns:p='urn:p'/>", Encoding.UTF8.GetString(output.WrittenSpan));
        });
    }

    [Fact]
    public void WriteTo_PrefixUsedAtSeveralDepths_DeclaredOnceWhereFirstUsed()
    {
        XmlStreamReaderTests.Parse("<message xmlns:p='urn:p'><x><p:y><p:z/></p:y><w p:k='1'/></x></message>", (ref XmlStreamReader reader) =>
        {
            Assert.True(reader.Element.TryGetChild("x"u8, "jabber:client"u8, out XmlElement x));
            var output = new ArrayBufferWriter<byte>();
            x.WriteTo(output);
            Assert.Equal(
                "<x xmlns='jabber:client'><p:y xmlns:p='urn:p'><p:z/></p:y><w p:k='1' xmlns:p='urn:p'/></x>",
                Encoding.UTF8.GetString(output.WrittenSpan));
        });
    }

    [Fact]
    public void WriteRaw_Stanza_IsTheReceivedBytes()
    {
        XmlStreamReaderTests.Parse(Message, (ref XmlStreamReader reader) =>
        {
            var output = new ArrayBufferWriter<byte>();
            reader.Element.WriteRaw(output);
            Assert.Equal(Message, Encoding.UTF8.GetString(output.WrittenSpan));
        });
    }

    [Fact]
    public void WriteRawWithAddresses_ExistingAttributes_AreReplacedInPlace()
    {
        XmlStreamReaderTests.Parse(Message, (ref XmlStreamReader reader) =>
        {
            var output = new ArrayBufferWriter<byte>();
            reader.Element.WriteRawWithAddresses(output, "romeo@pi.example/balcony"u8, "juliet@pi.example/phone"u8);
            Assert.Equal(
                "<message to='juliet@pi.example/phone' from='romeo@pi.example/balcony' type='chat' id='m1'>"
                + "<body>Wherefore art thou, Romeo? &lt;3 &amp; more</body><thread>t1</thread></message>",
                Encoding.UTF8.GetString(output.WrittenSpan));
        });
    }

    [Fact]
    public void WriteRawWithAddresses_MissingFrom_IsAddedAndToKept()
    {
        XmlStreamReaderTests.Parse("<presence to=\"a@b\"/>", (ref XmlStreamReader reader) =>
        {
            var output = new ArrayBufferWriter<byte>();
            reader.Element.WriteRawWithAddresses(output, "me@pi.example/x'y"u8, default);
            Assert.Equal("<presence to=\"a@b\" from='me@pi.example/x&apos;y'/>", Encoding.UTF8.GetString(output.WrittenSpan));
        });
    }
}
