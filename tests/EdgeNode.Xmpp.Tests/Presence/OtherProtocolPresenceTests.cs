using System.Buffers;
using System.Text;
using EdgeNode.Core.Addressing;
using EdgeNode.Core.Configuration;
using EdgeNode.Core.Routing;
using EdgeNode.Core.Storage;
using EdgeNode.Xmpp.Presence;
using EdgeNode.Xmpp.Roster;
using EdgeNode.Xmpp.Stanzas;
using EdgeNode.Xmpp.Storage;
using EdgeNode.Xmpp.Streams;
using EdgeNode.Xmpp.Tests.Offline;
using EdgeNode.Xmpp.Tests.Stanzas;
using EdgeNode.Xmpp.Xml;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EdgeNode.Xmpp.Tests.Presence;

/// <summary>
/// Presence across protocols on the XMPP side: the account's XMPP view published on the router, another protocol's
/// view shown as &lt;bare&gt;/matrix to subscribers, and subscription requests approved for people who already talk.
/// </summary>
public sealed class OtherProtocolPresenceTests : IDisposable
{
    private const string Alice = "alice@pi.example";
    private const string Bob = "bob@pi.example";
    private readonly string _dir = Directory.CreateTempSubdirectory("edgenode-otherview-").FullName;
    private readonly Store _store;
    private readonly XmppServer _server;
    private readonly Router _router = new("pi.example");
    private readonly RecordingFrontEnd _matrix = new();
    private readonly XmppPresenceFrontEnd _xmppSide;
    private readonly XmlStreamContext _context = new();
    private readonly XmlStreamState _state;
    private readonly StanzaScratch _scratch = new();

    public OtherProtocolPresenceTests()
    {
        _store = Store.Open(_dir, XmppMigrations.Set);
        var options = new XmppOptions { C2sPort = 0, C2sDirectTlsPort = 0, S2sPort = 0 };
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 8, 1, 0, 0, TimeSpan.Zero));
        _server = new XmppServer("pi.example", options, _store, _router, null, NullLoggerFactory.Instance, clock);
        _server.Accounts.Add(Jid.Parse(Alice), "pw-alice-1");
        _server.Accounts.Add(Jid.Parse(Bob), "pw-bob-1");
        _router.AddFrontEnd(_matrix);
        _xmppSide = new XmppPresenceFrontEnd(_server, work => work());
        _router.AddFrontEnd(_xmppSide);
        var reader = new XmlStreamReader(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(RoutingFixture.Header)), default, _context);
        reader.Read();
        _state = reader.State;
    }

    [Fact]
    public void HandleOutbound_AvailabilityChanges_ArePublishedOnceEach()
    {
        C2sSession phone = Bind(Alice, "phone");
        Presence(phone, "<presence><show>away</show><status>on the train</status><priority>5</priority></presence>");
        AccountPresence first = Assert.Single(_matrix.Presences);
        Assert.Equal(new AccountPresence(Alice, StanzaOrigin.Xmpp, true, PresenceShow.Away, "on the train"), first);
        Assert.Same(first, Assert.Single(_router.PresenceOf(Alice)));

        // A second session below the best one changes nothing others see; the best one's new status does.
        C2sSession laptop = Bind(Alice, "laptop");
        Presence(laptop, "<presence><status>idle</status><priority>1</priority></presence>");
        Presence(phone, "<presence><show>away</show><status>on the train</status><priority>5</priority></presence>");
        Assert.Single(_matrix.Presences);
        Presence(phone, "<presence><show>dnd</show><status>meeting</status><priority>5</priority></presence>");
        Assert.Equal(new AccountPresence(Alice, StanzaOrigin.Xmpp, true, PresenceShow.DoNotDisturb, "meeting"), _matrix.Presences[^1]);

        // The best one leaves: the other one is the view now; the last one leaves: unavailable, with the time.
        _server.Presence.Retire(phone);
        Assert.Equal(new AccountPresence(Alice, StanzaOrigin.Xmpp, true, PresenceShow.None, "idle"), _matrix.Presences[^1]);
        Presence(laptop, "<presence type='unavailable'/>");
        AccountPresence gone = _matrix.Presences[^1];
        Assert.False(gone.Available);
        Assert.Equal(new DateTimeOffset(2026, 12, 8, 1, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds(), gone.LastActiveTs);
        Assert.Equal(4, _matrix.Presences.Count);
        Assert.DoesNotContain(_matrix.Presences, p => p.Source != StanzaOrigin.Xmpp);
    }

    [Fact]
    public void ShowPresence_MatrixView_ReachesSubscribersAsTheMatrixResourceAndAnswersProbes()
    {
        _server.Rosters.Save(Alice, new RosterItem(Bob) { Subscription = Subscription.From });
        _server.Rosters.Save(Bob, new RosterItem(Alice) { Subscription = Subscription.To });
        C2sSession bobDesk = Bind(Bob, "desk");
        Presence(bobDesk, "<presence/>");
        C2sSession carol = Bind("carol@pi.example", "pc");
        Presence(carol, "<presence/>");
        RoutingFixture.Drain(bobDesk);
        RoutingFixture.Drain(carol);

        _router.PublishPresence(new AccountPresence(Alice, StanzaOrigin.Matrix, true, PresenceShow.Away, "in Element <3"));
        string seen = RoutingFixture.Drain(bobDesk);
        Assert.Equal("<presence to='bob@pi.example' xmlns='jabber:client' from='alice@pi.example/matrix'><show>away</show>"
            + "<status>in Element &lt;3</status><priority>-1</priority></presence>", seen);
        Assert.Equal("", RoutingFixture.Drain(carol));

        // A client of bob's that comes online later is told at once (the probe is answered with the view).
        C2sSession bobPhone = Bind(Bob, "phone");
        Presence(bobPhone, "<presence/>");
        Assert.Contains("<presence to='bob@pi.example/phone' xmlns='jabber:client' from='alice@pi.example/matrix'><show>away</show>",
            RoutingFixture.Drain(bobPhone));
        RoutingFixture.Drain(bobDesk);

        _router.PublishPresence(new AccountPresence(Alice, StanzaOrigin.Matrix, false));
        Assert.Equal("<presence to='bob@pi.example' xmlns='jabber:client' from='alice@pi.example/matrix' type='unavailable'/>",
            RoutingFixture.Drain(bobDesk));
        Assert.Null(_server.Presence.OtherProtocolView(Alice));

        // An unavailable view that was never shown, a device's view and another domain's account show nothing.
        _router.PublishPresence(new AccountPresence(Alice, StanzaOrigin.Matrix, false));
        _router.PublishPresence(new AccountPresence(Alice, StanzaOrigin.Device, true));
        _xmppSide.ShowPresence(new AccountPresence("alice@elsewhere.example", StanzaOrigin.Matrix, true));
        Assert.Equal("", RoutingFixture.Drain(bobDesk));
        Assert.Null(_server.Presence.OtherProtocolView("alice@elsewhere.example"));
    }

    [Fact]
    public void ShowPresence_StatusWithControlCharacters_IsShownWithReplacementCharacters()
    {
        _server.Rosters.Save(Alice, new RosterItem(Bob) { Subscription = Subscription.From });
        C2sSession bobDesk = Bind(Bob, "desk");
        Presence(bobDesk, "<presence/>");
        RoutingFixture.Drain(bobDesk);

        _router.PublishPresence(new AccountPresence(Alice, StanzaOrigin.Matrix, true, Status: "a\u0007b\ud800"));
        Assert.Contains("<status>a\uFFFDb\uFFFD</status>", RoutingFixture.Drain(bobDesk));
    }

    [Fact]
    public void FrontEnd_TakesNoMessages_AndSharesNoConversation()
    {
        var stanza = RoutedStanza.Message(MessageType.Chat, "bob@pi.example"u8, "alice@pi.example"u8, default, "x"u8, default) with
        {
            Origin = StanzaOrigin.Matrix,
        };
        Assert.Equal(AccountReach.NotUsed, _xmppSide.Deliver(stanza, Bob, Alice));
        Assert.False(_xmppSide.ShareConversation(Alice, Bob));
        Assert.Equal(StanzaOrigin.Xmpp, _xmppSide.Protocol);
    }

    [Fact]
    public void Subscribe_ToAnAccountSharingAConversation_IsApprovedAtOnceWithItsPresence()
    {
        _matrix.Shared.Add((Alice, Bob));
        _router.PublishPresence(new AccountPresence(Bob, StanzaOrigin.Matrix, true, Status: "Element"));
        C2sSession bobDesk = Bind(Bob, "desk");
        Iq(bobDesk, "<iq type='get' id='r'><query xmlns='jabber:iq:roster'/></iq>");
        C2sSession alice = Bind(Alice, "phone");
        Presence(alice, "<presence/>");
        RoutingFixture.Drain(alice);
        RoutingFixture.Drain(bobDesk);

        _server.RosterService.HandleOutbound(PresenceType.Subscribe, alice, Bob);

        string answer = RoutingFixture.Drain(alice);
        Assert.Contains("from='bob@pi.example' to='alice@pi.example' type='subscribed'", answer);
        Assert.Contains("from='bob@pi.example/matrix'><status>Element</status>", answer);
        RosterItem bobsItem = _server.Rosters.Find(Bob, Alice)!;
        Assert.True(bobsItem is { HasFrom: true, PendingIn: false, InRoster: true });
        Assert.True(_server.Rosters.Find(Alice, Bob) is { HasTo: true, Ask: false });
        string pushed = RoutingFixture.Drain(bobDesk);
        Assert.Contains("<item jid='alice@pi.example' subscription='from'/>", pushed);
        Assert.DoesNotContain("type='subscribe'", pushed);
    }

    [Fact]
    public void Subscribe_WithoutASharedConversation_IsKeptForTheContact()
    {
        _matrix.Shared.Add((Alice, "carol@pi.example"));
        C2sSession alice = Bind(Alice, "phone");
        _server.RosterService.HandleOutbound(PresenceType.Subscribe, alice, Bob);
        Assert.True(_server.Rosters.Find(Bob, Alice) is { PendingIn: true, HasFrom: false });
    }

    [Fact]
    public void SubscribeFromRemote_SharingAConversation_IsApprovedOnTheAccountsBehalf()
    {
        var remote = new RecordingRemote();
        _router.UseRemoteRouter(remote);
        _matrix.Shared.Add(("romeo@far.example", Bob));
        _router.PublishPresence(new AccountPresence(Bob, StanzaOrigin.Matrix, true));

        _server.RosterService.HandleInboundRemote(PresenceType.Subscribe, "romeo@far.example", Bob);

        Assert.True(_server.Rosters.Find(Bob, "romeo@far.example") is { HasFrom: true, PendingIn: false, InRoster: true });
        Assert.Contains(remote.Sent, s => s.Contains("type='subscribed'", StringComparison.Ordinal));
        Assert.Contains(remote.Sent, s => s.Contains("from='bob@pi.example/matrix'", StringComparison.Ordinal));
    }

    public void Dispose()
    {
        _server.Dispose();
        _store.Dispose();
        _context.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private C2sSession Bind(string bare, string resource)
    {
        var session = new C2sSession(bare, resource, 1024 * 1024, new RecordingOwner());
        _server.Presence.Register(session);
        return session;
    }

    private XmlElement Parse(string xml)
    {
        var reader = new XmlStreamReader(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(xml)), _state, _context);
        Assert.True(reader.Read());
        return reader.Element;
    }

    private void Presence(C2sSession session, string xml)
    {
        XmlElement presence = Parse(xml);
        StanzaTypes.TryPresence(presence, out PresenceType type);
        _server.Presence.HandleOutbound(presence, type, session, default, _scratch);
    }

    private void Iq(C2sSession session, string xml) => _server.Iq.Handle(Parse(xml), session, _scratch);

    private sealed class RecordingRemote : IRemoteRouter
    {
        public List<string> Sent { get; } = [];

        public RouteOutcome RouteRemote(in RoutedStanza stanza, ReadOnlySpan<char> domain)
        {
            Sent.Add(Encoding.UTF8.GetString(stanza.Xmpp));
            return RouteOutcome.Delivered;
        }
    }
}
