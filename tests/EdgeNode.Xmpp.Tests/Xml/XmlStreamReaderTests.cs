using System.Buffers;
using EdgeNode.Xmpp.Xml;
using static EdgeNode.Xmpp.Tests.Xml.XmlSamples;

namespace EdgeNode.Xmpp.Tests.Xml;

public class XmlStreamReaderTests
{
    private const string StreamsNs = "http://etherx.jabber.org/streams";

    [Fact]
    public void Read_FullStream_ReportsHeaderStanzasAndEnd()
    {
        using var feeder = new StreamFeeder();
        feeder.Feed(FullStream());

        Assert.Equal(XmlSamples.Stanzas.Length + 2, feeder.Events.Count);
        Assert.StartsWith("header:{" + StreamsNs + "}stream[", feeder.Events[0]);
        Assert.Equal("StreamEnd", feeder.Events[^1]);
        Assert.True(feeder.State.IsStreamEnded);
        Assert.Equal(FullStream().Length, feeder.TotalConsumed);
    }

    [Fact]
    public void Read_MessageWithBody_ExposesNamesAttributesAndText()
    {
        Parse(Message, (ref XmlStreamReader reader) =>
        {
            XmlElement message = reader.Element;
            Assert.True(message.Is("message"u8, "jabber:client"u8));
            Assert.True(message.TryGetAttribute("to"u8, out XmlValue to));
            Assert.True(to.ValueEquals("juliet@pi.example"u8));
            Assert.False(to.NeedsDecoding);
            Assert.True(message.TryGetAttribute("type"u8, out XmlValue type));
            Assert.Equal("chat", type.GetString());
            Assert.False(message.TryGetAttribute("lang"u8, out _));
            Assert.True(message.TryGetChild("body"u8, "jabber:client"u8, out XmlElement body));
            Assert.True(body.Text.ValueEquals("Wherefore art thou, Romeo? <3 & more"u8));
            Assert.Equal("Wherefore art thou, Romeo? <3 & more", body.Text.GetString());
            Assert.True(message.TryGetChild("thread"u8, "jabber:client"u8, out XmlElement thread));
            Assert.True(thread.Text.TryGetSingleRun(out XmlValue threadText));
            Assert.True(threadText.Raw.SequenceEqual("t1"u8));
            Assert.False(message.TryGetChild("body"u8, "jabber:server"u8, out _));
            Assert.True(message.RawBytes.SequenceEqual(Utf8(Message)));
        });
    }

    [Fact]
    public void Read_PresenceWithShowStatusPriority_ReadsEachChild()
    {
        Parse(XmlSamples.Presence, (ref XmlStreamReader reader) =>
        {
            XmlElement presence = reader.Element;
            Assert.True(presence.LocalName.SequenceEqual("presence"u8));
            var names = new List<string>();
            foreach (XmlElement child in presence.Children)
            {
                names.Add(System.Text.Encoding.UTF8.GetString(child.LocalName));
            }

            Assert.Equal(["show", "status", "priority"], names);
            Assert.True(presence.TryGetChild("status"u8, "jabber:client"u8, out XmlElement status));
            Assert.True(status.TryGetXmlLang(out XmlValue lang));
            Assert.True(lang.ValueEquals("en"u8));
            Assert.Equal("Out 'til 5", status.Text.GetString());
            Assert.True(presence.TryGetChild("priority"u8, "jabber:client"u8, out XmlElement priority));
            Span<byte> digits = stackalloc byte[4];
            Assert.True(priority.Text.TryCopyTo(digits, out int written));
            Assert.True(digits.Slice(0, written).SequenceEqual("5"u8));
        });
    }

    [Fact]
    public void Read_IqWithQuery_ResolvesChildNamespace()
    {
        Parse(Iq, (ref XmlStreamReader reader) =>
        {
            XmlElement iq = reader.Element;
            Assert.True(iq.Is("iq"u8, "jabber:client"u8));
            Assert.True(iq.TryGetChild("query"u8, "jabber:iq:roster"u8, out XmlElement query));
            Assert.False(query.HasChildElements);
            Assert.True(query.Text.IsEmpty);
            Assert.True(iq.HasChildElements);
        });
    }

    [Fact]
    public void Read_StreamPrefixedStanza_UsesPrefixBoundInHeader()
    {
        Parse(Features, (ref XmlStreamReader reader) =>
        {
            XmlElement features = reader.Element;
            Assert.True(features.Is("features"u8, "http://etherx.jabber.org/streams"u8));
            Assert.True(features.Prefix.SequenceEqual("stream"u8));
            Assert.True(features.TryGetChild("starttls"u8, "urn:ietf:params:xml:ns:xmpp-tls"u8, out XmlElement starttls));
            Assert.True(starttls.TryGetChild("required"u8, "urn:ietf:params:xml:ns:xmpp-tls"u8, out _));
        });
    }

    [Fact]
    public void Read_NestedDefaultNamespaces_ScopeEndsWithElement()
    {
        Parse(XhtmlIm, (ref XmlStreamReader reader) =>
        {
            XmlElement message = reader.Element;
            Assert.True(message.TryGetChild("html"u8, "http://jabber.org/protocol/xhtml-im"u8, out XmlElement html));
            Assert.True(html.TryGetChild("body"u8, "http://www.w3.org/1999/xhtml"u8, out XmlElement body));
            Assert.True(body.TryGetChild("p"u8, "http://www.w3.org/1999/xhtml"u8, out XmlElement p));
            Assert.Equal("Hi !", p.Text.GetString());
            Assert.True(p.TryGetAttribute("style"u8, out XmlValue style));
            Assert.True(style.ValueEquals("font-weight:bold"u8));
            Assert.True(p.TryGetChild("strong"u8, "http://www.w3.org/1999/xhtml"u8, out _));
        });
    }

    [Fact]
    public void Read_PrefixedChildWithPrefixedAttribute_ResolvesBoth()
    {
        Parse(PrefixedChild, (ref XmlStreamReader reader) =>
        {
            XmlElement iq = reader.Element;
            Assert.True(iq.TryGetChild("pubsub"u8, "http://jabber.org/protocol/pubsub"u8, out XmlElement pubsub));
            Assert.True(pubsub.TryGetChild("publish"u8, "http://jabber.org/protocol/pubsub"u8, out XmlElement publish));
            Assert.True(publish.TryGetChild("item"u8, "http://jabber.org/protocol/pubsub"u8, out XmlElement item));
            Assert.True(item.TryGetChild("entry"u8, "urn:example:entry"u8, out XmlElement entry));
            Assert.True(entry.Prefix.SequenceEqual("e"u8));
            Assert.True(entry.TryGetAttribute("kind"u8, "urn:example:entry"u8, out XmlValue kind));
            Assert.True(kind.ValueEquals("note"u8));
            Assert.False(entry.TryGetAttribute("kind"u8, out _));
            Assert.Equal("x \"y\"", entry.Text.GetString());
        });
    }

    [Fact]
    public void Read_CDataSection_IsTextWithMarkupCharactersKept()
    {
        Parse(CData, (ref XmlStreamReader reader) =>
        {
            Assert.True(reader.Element.TryGetChild("body"u8, "jabber:client"u8, out XmlElement body));
            Assert.False(body.Text.TryGetSingleRun(out _));
            Assert.Equal("a<not markup> & ]b", body.Text.GetString());
            Assert.True(body.Text.ValueEquals("a<not markup> & ]b"u8));
            Assert.False(body.Text.ValueEquals("a<not markup> & ]"u8));
        });
    }

    [Theory]
    [InlineData("<?xml version='1.0'?>")]
    [InlineData("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")]
    [InlineData("<?xml version='1.0' encoding='utf-8' standalone='yes' ?>")]
    [InlineData("")]
    public void Read_HeaderWithOrWithoutDeclaration_ReportsHeader(string declaration)
    {
        using var feeder = new StreamFeeder();
        feeder.Feed(Utf8(declaration + Header));

        string header = Assert.Single(feeder.Events);
        Assert.Equal(
            "header:{" + StreamsNs + "}stream[{}to=pi.example;{}version=1.0;{http://www.w3.org/XML/1998/namespace}lang=en;]",
            header);
    }

    [Fact]
    public void Read_HeaderWithDoubleQuotesAndNewlines_ReportsAttributes()
    {
        const string header = "<stream:stream\n  xmlns=\"jabber:server\"\r\n  xmlns:stream=\"http://etherx.jabber.org/streams\"\n  from=\"a.example\" id=\"x&amp;y\">";
        using var feeder = new StreamFeeder(XmlStreamOptions.ServerToServer);
        feeder.Feed(Utf8(header + "<message/>"));

        Assert.Equal("header:{" + StreamsNs + "}stream[{}from=a.example;{}id=x&y;]", feeder.Events[0]);
        Assert.Equal("stanza:{jabber:server}message[]()", feeder.Events[1]);
    }

    [Fact]
    public void Read_HeaderWithOtherStreamPrefix_EndTagMustUseIt()
    {
        const string header = "<s:stream xmlns='jabber:client' xmlns:s='http://etherx.jabber.org/streams'>";
        using var feeder = new StreamFeeder();
        feeder.Feed(Utf8(header + "<s:features/></s:stream >"));

        Assert.Equal(3, feeder.Events.Count);
        Assert.Equal("stanza:{" + StreamsNs + "}features[]()", feeder.Events[1]);
        Assert.Equal("StreamEnd", feeder.Events[2]);
    }

    [Fact]
    public void Read_HeaderElement_GivesAttributesToTheCaller()
    {
        ReadOnlySequence<byte> data = new(Utf8(Header));
        using var context = new XmlStreamContext();
        var reader = new XmlStreamReader(data, default, context);

        Assert.True(reader.Read());
        Assert.Equal(XmlStreamEvent.StreamHeader, reader.Event);
        Assert.True(reader.Element.TryGetAttribute("version"u8, out XmlValue version));
        Assert.True(version.ValueEquals("1.0"u8));
        Assert.True(reader.Element.TryGetXmlLang(out XmlValue lang));
        Assert.Equal("en", lang.ToString());
        Assert.True(reader.State.IsStreamOpen);
        Assert.False(reader.Read());
    }

    [Fact]
    public void Read_WhitespaceKeepalives_AreConsumedWithoutEvents()
    {
        using var feeder = new StreamFeeder();
        feeder.Feed(Utf8(Header));
        long before = feeder.TotalConsumed;
        feeder.Feed(" \n\t \r\n "u8);

        Assert.Single(feeder.Events);
        Assert.Equal(before + 7, feeder.TotalConsumed);
        Assert.Equal(0, feeder.BufferedBytes);
    }

    [Fact]
    public void Read_StreamRestart_NewHeaderReplacesBindings()
    {
        using var feeder = new StreamFeeder(AnyContentNamespace);
        feeder.Feed(Utf8(Header + "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"));
        Assert.Equal(2, feeder.Events.Count);

        feeder.State = default;
        feeder.Feed(Utf8(Declaration + "<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams'><message/>"));

        Assert.Equal(4, feeder.Events.Count);
        Assert.Equal("stanza:{jabber:server}message[]()", feeder.Events[3]);
    }

    [Fact]
    public void Read_StanzaWithoutContentNamespace_HasNoNamespace()
    {
        using var feeder = new StreamFeeder(AnyContentNamespace);
        feeder.Feed(Utf8("<stream:stream xmlns:stream='http://etherx.jabber.org/streams'><message xmlns='jabber:client'/><x/>"));

        Assert.Equal("stanza:{jabber:client}message[]()", feeder.Events[1]);
        Assert.Equal("stanza:{}x[]()", feeder.Events[2]);
    }

    [Fact]
    public void Read_EscapedNamespaceName_IsDecodedForComparison()
    {
        Parse("<iq><q xmlns='urn:a&amp;b'/></iq>", (ref XmlStreamReader reader) =>
        {
            Assert.True(reader.Element.TryGetChild("q"u8, "urn:a&b"u8, out _));
        });
    }

    [Fact]
    public void Read_ValuesWithLineEnds_AreNormalized()
    {
        Parse("<message a='x\r\ny\tz'><body>one\r\ntwo\rthree</body></message>", (ref XmlStreamReader reader) =>
        {
            Assert.True(reader.Element.TryGetAttribute("a"u8, out XmlValue a));
            Assert.True(a.NeedsDecoding);
            Assert.Equal("x y z", a.GetString());
            Assert.Equal(5, a.GetDecodedLength());
            Assert.True(reader.Element.TryGetChild("body"u8, "jabber:client"u8, out XmlElement body));
            Assert.Equal("one\ntwo\nthree", body.Text.GetString());
        });
    }

    [Fact]
    public void Read_AfterStreamEnd_ReturnsFalseForWhitespace()
    {
        using var feeder = new StreamFeeder();
        feeder.Feed(Utf8(Header + End + "\n"));

        Assert.Equal(2, feeder.Events.Count);
        Assert.True(feeder.State.IsStreamEnded);
    }

    [Fact]
    public void Element_WhenLastReadNeededMore_Throws()
    {
        using var context = new XmlStreamContext();
        var reader = new XmlStreamReader(new ReadOnlySequence<byte>(Utf8("<stream")), default, context);

        Assert.False(reader.Read());
        bool threw = false;
        try
        {
            _ = reader.Element;
        }
        catch (InvalidOperationException)
        {
            threw = true;
        }

        Assert.True(threw);
    }

    internal delegate void StanzaCheck(ref XmlStreamReader reader);

    /// <summary>Reads the header and one stanza from a single segment and runs the check on the stanza.</summary>
    internal static void Parse(string stanza, StanzaCheck check)
    {
        using var context = new XmlStreamContext();
        var reader = new XmlStreamReader(new ReadOnlySequence<byte>(Utf8(Header + stanza)), default, context);
        Assert.True(reader.Read());
        Assert.True(reader.Read());
        Assert.Equal(XmlStreamEvent.Stanza, reader.Event);
        check(ref reader);
        Assert.False(reader.Read());
    }
}
