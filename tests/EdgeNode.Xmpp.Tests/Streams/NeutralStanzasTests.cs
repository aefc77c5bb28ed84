using System.Text;
using EdgeNode.Core.Routing;
using EdgeNode.Xmpp.Routing;
using EdgeNode.Xmpp.Streams;
using EdgeNode.Xmpp.Tests.Offline;
using EdgeNode.Xmpp.Tests.Stanzas;

namespace EdgeNode.Xmpp.Tests.Streams;

/// <summary>The neutral model to XMPP: golden bytes of what an XMPP client receives from a Matrix user.</summary>
public class NeutralStanzasTests
{
    private static readonly byte[] Bob = "bob@pi.example"u8.ToArray();
    private static readonly byte[] Alice = "alice@pi.example"u8.ToArray();

    private static C2sSession Session(bool carbons = false)
    {
        var session = new C2sSession("alice@pi.example", "phone", 1024 * 1024, new RecordingOwner()) { Carbons = carbons };
        session.SetAvailable(0, "<presence/>"u8.ToArray());
        return session;
    }

    private static string Deliver(in RoutedStanza stanza)
    {
        C2sSession session = Session();
        Assert.True(session.Deliver(stanza));
        return RoutingFixture.Drain(session);
    }

    [Fact]
    public void Deliver_MatrixChatWithReplyStateAndLink_WritesEachExtensionAndMarkable()
    {
        var stanza = RoutedStanza.Message(MessageType.Chat, Bob, Alice, "$ev1:pi.example"u8, "hi <3"u8, default) with
        {
            Origin = StanzaOrigin.Matrix,
            Thread = "t1"u8,
            Relation = MessageRelation.Reply,
            RelatesTo = "m0"u8,
            RelatesToSender = Alice,
            ChatState = ChatState.Active,
            Attachments = new[] { "https://pi.example/a.png?x=1&y=2" },
        };
        Assert.Equal("<message xmlns='jabber:client' from='bob@pi.example' to='alice@pi.example' type='chat' id='$ev1:pi.example'>"
            + "<body>hi &lt;3</body><thread>t1</thread><reply xmlns='urn:xmpp:reply:0' to='alice@pi.example' id='m0'/>"
            + "<active xmlns='http://jabber.org/protocol/chatstates'/><x xmlns='jabber:x:oob'><url>https://pi.example/a.png?x=1&amp;y=2</url></x>"
            + "<markable xmlns='urn:xmpp:chat-markers:0'/></message>", Deliver(stanza));
    }

    [Fact]
    public void Deliver_Correction_WritesReplaceAndNoMarkable()
    {
        var stanza = RoutedStanza.Message(MessageType.Chat, Bob, Alice, "$ev2"u8, "fixed"u8, default) with
        {
            Origin = StanzaOrigin.Matrix,
            Relation = MessageRelation.Replace,
            RelatesTo = "$ev1"u8,
        };
        Assert.Equal("<message xmlns='jabber:client' from='bob@pi.example' to='alice@pi.example' type='chat' id='$ev2'>"
            + "<body>fixed</body><replace xmlns='urn:xmpp:message-correct:0' id='$ev1'/></message>", Deliver(stanza));
    }

    [Fact]
    public void Deliver_Reactions_WritesTheWholeSet()
    {
        var stanza = RoutedStanza.Message(MessageType.Chat, Bob, Alice, "$ev3"u8, default, default) with
        {
            Origin = StanzaOrigin.Matrix,
            Relation = MessageRelation.Reaction,
            RelatesTo = "m5"u8,
            Reactions = new[] { "👍", "a<b" },
        };
        Assert.Equal("<message xmlns='jabber:client' from='bob@pi.example' to='alice@pi.example' type='chat' id='$ev3'>"
            + "<reactions xmlns='urn:xmpp:reactions:0' id='m5'><reaction>👍</reaction><reaction>a&lt;b</reaction></reactions></message>",
            Deliver(stanza));

        var none = RoutedStanza.Message(MessageType.Chat, Bob, Alice, default, default, default) with
        {
            Origin = StanzaOrigin.Matrix,
            Relation = MessageRelation.Reaction,
            RelatesTo = "m5"u8,
        };
        Assert.Equal("<message xmlns='jabber:client' from='bob@pi.example' to='alice@pi.example' type='chat'>"
            + "<reactions xmlns='urn:xmpp:reactions:0' id='m5'/></message>", Deliver(none));
    }

    [Fact]
    public void Deliver_DisplayedAndComposing_WritesMarkerAndState()
    {
        var displayed = RoutedStanza.Message(MessageType.Chat, Bob, Alice, default, default, default) with
        {
            Origin = StanzaOrigin.Matrix,
            Relation = MessageRelation.Displayed,
            RelatesTo = "m9"u8,
        };
        Assert.Equal("<message xmlns='jabber:client' from='bob@pi.example' to='alice@pi.example' type='chat'>"
            + "<displayed xmlns='urn:xmpp:chat-markers:0' id='m9'/></message>", Deliver(displayed));

        var typing = RoutedStanza.Message(MessageType.Chat, Bob, Alice, default, default, default) with
        {
            Origin = StanzaOrigin.Matrix,
            ChatState = ChatState.Composing,
        };
        Assert.Equal("<message xmlns='jabber:client' from='bob@pi.example' to='alice@pi.example' type='chat'>"
            + "<composing xmlns='http://jabber.org/protocol/chatstates'/></message>", Deliver(typing));
    }

    [Fact]
    public void Deliver_DeviceChat_HasNoMarkable()
    {
        var stanza = RoutedStanza.Message(MessageType.Chat, "lamp@devices.pi.example"u8, Alice, default, "on"u8, default) with
        {
            Origin = StanzaOrigin.Device,
        };
        Assert.Equal("<message xmlns='jabber:client' from='lamp@devices.pi.example' to='alice@pi.example' type='chat'><body>on</body></message>",
            Deliver(stanza));
    }

    [Fact]
    public void Deliver_ControlCharactersAndInvalidUtf8_BecomeReplacementCharacters()
    {
        byte[] body = [(byte)'a', 0x00, (byte)'b', 0x1B, (byte)'\t', (byte)'\n', (byte)'\r', 0xEF, 0xBF, 0xBF, 0xEF, 0xBF, 0xBE,
            0xED, 0xA0, 0x80, 0xFF, (byte)'z', 0xC3];
        var stanza = RoutedStanza.Message(MessageType.Chat, Bob, Alice, "$e\u0001"u8, body, default) with
        {
            Origin = StanzaOrigin.Matrix,
            Reactions = new[] { "\ud83d" },
            Relation = MessageRelation.Reaction,
            RelatesTo = "m1"u8,
        };
        string written = Deliver(stanza);
        Assert.Equal("<message xmlns='jabber:client' from='bob@pi.example' to='alice@pi.example' type='chat' id='$e\uFFFD'>"
            + "<body>a\uFFFDb\uFFFD\t\n\r\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFDz\uFFFD</body>"
            + "<reactions xmlns='urn:xmpp:reactions:0' id='m1'><reaction>\uFFFD</reaction></reactions></message>", written);
        Assert.StartsWith("a\uFFFDb\uFFFD\t\n", System.Xml.Linq.XElement.Parse(written).Elements().First().Value);
    }

    [Fact]
    public void Deliver_SixtyKilobyteBody_IsWrittenWhole()
    {
        string text = string.Concat(Enumerable.Repeat("0123456789<&>\u00e9", 60 * 1024 / 15 + 1));
        byte[] body = Encoding.UTF8.GetBytes(text);
        var stanza = RoutedStanza.Message(MessageType.Chat, Bob, Alice, "$big"u8, body, default) with { Origin = StanzaOrigin.Matrix };
        string written = Deliver(stanza);
        string escaped = text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
        Assert.Equal("<message xmlns='jabber:client' from='bob@pi.example' to='alice@pi.example' type='chat' id='$big'>"
            + $"<body>{escaped}</body><markable xmlns='urn:xmpp:chat-markers:0'/></message>", written);
        Assert.True(body.Length >= 60 * 1024);
    }

    [Fact]
    public void DeliverCopy_MatrixMessageWithoutXmppBytes_ForwardsTheNeutralMessage()
    {
        C2sSession session = Session(carbons: true);
        var stanza = RoutedStanza.Message(MessageType.Chat, Alice, "carol@pi.example"u8, "$ev7"u8, "hello"u8, default) with
        {
            Origin = StanzaOrigin.Matrix,
        };
        session.DeliverCopy(stanza, CopyKind.Sent);
        Assert.Equal("<message xmlns='jabber:client' from='alice@pi.example' to='alice@pi.example/phone' type='chat'>"
            + "<sent xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>"
            + "<message xmlns='jabber:client' from='alice@pi.example' to='carol@pi.example' type='chat' id='$ev7'><body>hello</body>"
            + "<markable xmlns='urn:xmpp:chat-markers:0'/></message></forwarded></sent></message>", RoutingFixture.Drain(session));
    }

    [Fact]
    public void DeliverCopy_CarbonsOff_SendsNothing()
    {
        C2sSession session = Session(carbons: false);
        var stanza = RoutedStanza.Message(MessageType.Chat, Alice, "carol@pi.example"u8, "$ev7"u8, "hello"u8, default) with
        {
            Origin = StanzaOrigin.Matrix,
        };
        session.DeliverCopy(stanza, CopyKind.Sent);
        Assert.Equal("", RoutingFixture.Drain(session));
    }

    [Fact]
    public void Route_MatrixUsersOwnMessage_ReachesTheirCarbonsSessionsAsSent()
    {
        var router = new Router("pi.example");
        router.UseSessionRules(new XmppSessionRules());
        C2sSession mine = Session(carbons: true);
        var plain = new C2sSession("alice@pi.example", "laptop", 1024 * 1024, new RecordingOwner());
        plain.SetAvailable(0, "<presence/>"u8.ToArray());
        var carol = new C2sSession("carol@pi.example", "pc", 1024 * 1024, new RecordingOwner());
        carol.SetAvailable(0, "<presence/>"u8.ToArray());
        router.Register(mine);
        router.Register(plain);
        router.Register(carol);

        var stanza = RoutedStanza.Message(MessageType.Chat, Alice, "carol@pi.example"u8, "$ev8"u8, "from Element"u8, default) with
        {
            Origin = StanzaOrigin.Matrix,
        };
        Assert.Equal(RouteOutcome.Delivered, router.Route(stanza));
        Assert.Contains("<sent xmlns='urn:xmpp:carbons:2'>", RoutingFixture.Drain(mine));
        Assert.Equal("", RoutingFixture.Drain(plain));
        Assert.Equal("<message xmlns='jabber:client' from='alice@pi.example' to='carol@pi.example' type='chat' id='$ev8'><body>from Element</body>"
            + "<markable xmlns='urn:xmpp:chat-markers:0'/></message>", RoutingFixture.Drain(carol));
    }
}
