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
        using var feeder = new StreamFeeder(XmlStreamOptions.ServerToServer);
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
    public void WriteTo_DeepTreeUsingOutsideBindings_DeclaresEachOnceWhereFirstNeeded()
    {
        XmlStreamReaderTests.Parse(
            "<message xmlns:p='urn:p'><p:a><p:b p:k='v'><c/><p:d/></p:b><c/></p:a></message>",
            (ref XmlStreamReader reader) =>
            {
                Assert.True(reader.Element.TryGetChild("a"u8, "urn:p"u8, out XmlElement a));
                var output = new ArrayBufferWriter<byte>();
                a.WriteTo(output);
                Assert.Equal(
                    "<p:a xmlns:p='urn:p'><p:b p:k='v'><c xmlns='jabber:client'/><p:d/></p:b><c xmlns='jabber:client'/></p:a>",
                    Encoding.UTF8.GetString(output.WrittenSpan));
            });
    }

    [Fact]
    public void CoveredPrefixes_SamePrefixAddedOnEveryElement_HoldsItOnce()
    {
        // The writer's lookups cost the set's size; a prefix repeated on every level must not grow it.
        ReadOnlySpan<byte> unit = "p:a q:b"u8;
        var covered = new CoveredPrefixes(stackalloc PrefixName[CoveredPrefixes.InlineCapacity]);
        for (int i = 0; i < 1000; i++)
        {
            covered.Add(unit, new PrefixName(0, 1));
            covered.Add(unit, new PrefixName(4, 1));
            covered.Add(unit, default);
        }

        Assert.Equal(3, covered.Count);
        Assert.True(covered.Contains(unit, "q"u8));
        Assert.False(covered.Contains(unit, "r"u8));
    }

    [Fact]
    public void CoveredPrefixes_MoreThanInlineCapacity_GrowsAndKeepsAll()
    {
        byte[] unit = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 40).Select(i => $"p{i:D2} ")));
        var covered = new CoveredPrefixes(stackalloc PrefixName[CoveredPrefixes.InlineCapacity]);
        for (int i = 0; i < 40; i++)
        {
            covered.Add(unit, new PrefixName(i * 4, 3));
        }

        Assert.Equal(40, covered.Count);
        Assert.True(covered.Contains(unit, "p00"u8));
        Assert.True(covered.Contains(unit, "p39"u8));
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
