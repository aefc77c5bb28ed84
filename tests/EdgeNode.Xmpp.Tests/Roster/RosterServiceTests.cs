using System.Buffers;
using System.Text;
using EdgeNode.Core.Addressing;
using EdgeNode.Core.Configuration;
using EdgeNode.Core.Routing;
using EdgeNode.Core.Storage;
using EdgeNode.Xmpp.Roster;
using EdgeNode.Xmpp.Stanzas;
using EdgeNode.Xmpp.Storage;
using EdgeNode.Xmpp.Streams;
using EdgeNode.Xmpp.Tests.Offline;
using EdgeNode.Xmpp.Tests.Stanzas;
using EdgeNode.Xmpp.Xml;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeNode.Xmpp.Tests.Roster;

/// <summary>Findings 6 and 14 of issue 14, against the roster service of a real server (store in a temporary directory).</summary>
public sealed class RosterServiceTests : IDisposable
{
    private const string Alice = "alice@pi.example";
    private readonly string _dir = Directory.CreateTempSubdirectory("edgenode-roster-").FullName;
    private readonly Store _store;
    private readonly XmppServer _server;
    private readonly XmlStreamContext _context = new();
    private readonly XmlStreamState _state;
    private readonly StanzaScratch _scratch = new();

    public RosterServiceTests()
    {
        _store = Store.Open(_dir, XmppMigrations.Set);
        var options = new XmppOptions { C2sPort = 0, C2sDirectTlsPort = 0, S2sPort = 0, MaxRosterItems = 10, MaxRosterGroups = 3 };
        _server = new XmppServer("pi.example", options, _store, new Router("pi.example"), null, NullLoggerFactory.Instance);
        _server.Accounts.Add(Jid.Parse(Alice), "pw-alice-1");
        var reader = new XmlStreamReader(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(RoutingFixture.Header)), default, _context);
        reader.Read();
        _state = reader.State;
    }

    [Fact]
    public void SetItem_NameOverTheLimit_NotAcceptableAndNothingStored()
    {
        C2sSession alice = Bind();
        Iq(alice, $"<iq type='set' id='n1'><query xmlns='jabber:iq:roster'><item jid='nurse@pi.example' name='{new string('n', 1024)}'/></query></iq>");
        string reply = RoutingFixture.Drain(alice);
        Assert.Contains("id='n1'><error type='modify'><not-acceptable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>", reply);
        Assert.Null(_server.Rosters.Find(Alice, "nurse@pi.example"));

        // 1,023 bytes is still a name (multi-byte characters count in bytes).
        Iq(alice, $"<iq type='set' id='n2'><query xmlns='jabber:iq:roster'><item jid='nurse@pi.example' name='{new string('n', 1021)}é'/></query></iq>");
        Assert.Contains("type='result' id='n2'", RoutingFixture.Drain(alice));
        Iq(alice, $"<iq type='set' id='n3'><query xmlns='jabber:iq:roster'><item jid='nurse@pi.example' name='{new string('n', 1022)}é'/></query></iq>");
        Assert.Contains("<not-acceptable", RoutingFixture.Drain(alice));
        Assert.Equal(1023, Encoding.UTF8.GetByteCount(_server.Rosters.Find(Alice, "nurse@pi.example")!.Name!));
    }

    [Fact]
    public void SetItem_GroupsOverTheLimits_NotAcceptableAndNothingStored()
    {
        C2sSession alice = Bind();
        Iq(alice, $"<iq type='set' id='g1'><query xmlns='jabber:iq:roster'><item jid='nurse@pi.example'><group>{new string('g', 1024)}</group></item></query></iq>");
        Assert.Contains("<error type='modify'><not-acceptable", RoutingFixture.Drain(alice));
        Iq(alice, "<iq type='set' id='g2'><query xmlns='jabber:iq:roster'><item jid='nurse@pi.example'><group>a</group><group>b</group><group>c</group><group>d</group></item></query></iq>");
        Assert.Contains("<error type='modify'><not-acceptable", RoutingFixture.Drain(alice));
        Iq(alice, "<iq type='set' id='g3'><query xmlns='jabber:iq:roster'><item jid='nurse@pi.example'><group></group></item></query></iq>");
        Assert.Contains("<error type='modify'><not-acceptable", RoutingFixture.Drain(alice));
        Assert.Null(_server.Rosters.Find(Alice, "nurse@pi.example"));

        Iq(alice, "<iq type='set' id='g4'><query xmlns='jabber:iq:roster'><item jid='nurse@pi.example'><group>a</group><group>b</group><group>c</group></item></query></iq>");
        Assert.Contains("type='result' id='g4'", RoutingFixture.Drain(alice));
    }

    [Fact]
    public void SetItem_RosterFull_NotAllowedNothingStoredAndExistingItemsStillEditable()
    {
        C2sSession alice = Bind();
        for (int i = 0; i < 10; i++)
        {
            Iq(alice, $"<iq type='set' id='a{i}'><query xmlns='jabber:iq:roster'><item jid='friend{i}@pi.example'/></query></iq>");
        }

        RoutingFixture.Drain(alice);
        Iq(alice, "<iq type='set' id='over'><query xmlns='jabber:iq:roster'><item jid='one-more@pi.example'/></query></iq>");
        Assert.Contains("id='over'><error type='cancel'><not-allowed xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>", RoutingFixture.Drain(alice));
        Assert.Equal(10, _server.Rosters.Count(Alice));

        // A subscription request from the user to a new contact would add an item too: refused the same way.
        _server.RosterService.HandleOutbound(PresenceType.Subscribe, alice, "another@pi.example");
        Assert.Contains("from='another@pi.example' to='alice@pi.example/phone' type='error'><error type='cancel'><not-allowed", RoutingFixture.Drain(alice));
        Assert.Equal(10, _server.Rosters.Count(Alice));

        Iq(alice, "<iq type='set' id='edit'><query xmlns='jabber:iq:roster'><item jid='friend3@pi.example' name='Three'/></query></iq>");
        Assert.Contains("type='result' id='edit'", RoutingFixture.Drain(alice));
    }

    [Fact]
    public void HandleOutbound_SubscribeToAnAccountThatDoesNotExist_AnsweredUnsubscribedAndNothingKeptForThatName()
    {
        C2sSession alice = Bind();
        Iq(alice, "<iq type='get' id='r'><query xmlns='jabber:iq:roster'/></iq>");
        _server.Presence.HandleOutbound(Parse("<presence/>"), PresenceType.Available, alice, default, _scratch);
        RoutingFixture.Drain(alice);

        _server.RosterService.HandleOutbound(PresenceType.Subscribe, alice, "ghost@pi.example");
        string answer = RoutingFixture.Drain(alice);
        Assert.Contains("from='ghost@pi.example'", answer);
        Assert.Contains("type='unsubscribed'", answer);
        Assert.Null(_server.Rosters.Find("ghost@pi.example", Alice));
        Assert.False(_server.Rosters.Find(Alice, "ghost@pi.example")!.Ask);

        // An account made under that name later starts with nothing from alice.
        _server.Accounts.Add(Jid.Parse("ghost@pi.example"), "pw-ghost-1");
        Assert.Empty(_server.Rosters.PendingRequests("ghost@pi.example"));
        Assert.Equal(0, _server.Rosters.Count("ghost@pi.example"));
    }

    [Fact]
    public void HandleOutbound_SubscribeToAnExistingAccount_IsKeptAsPending()
    {
        _server.Accounts.Add(Jid.Parse("bob@pi.example"), "pw-bob-1");
        C2sSession alice = Bind();
        _server.RosterService.HandleOutbound(PresenceType.Subscribe, alice, "bob@pi.example");
        Assert.True(_server.Rosters.Find("bob@pi.example", Alice)!.PendingIn);
        Assert.True(_server.Rosters.Find(Alice, "bob@pi.example")!.Ask);
    }

    [Fact]
    public async Task HandleIq_RosterManyTimesTheOutboundBuffer_ArrivesWholeInOrderAndTheSessionStays()
    {
        // 400 items of over 1 KB: about 450 KB of result for a 64 KiB buffer, which once closed the session.
        for (int i = 0; i < 400; i++)
        {
            _server.Rosters.Save(Alice, new RosterItem($"contact{i:D3}@pi.example") { Name = $"[{i:D3}]" + new string('x', 1000) });
        }

        var client = new PumpedSession(Alice, "phone", 64 * 1024);
        _server.Router.Register(client.Session);
        Iq(client.Session, "<iq type='get' id='big'><query xmlns='jabber:iq:roster'/></iq>");

        // Stanzas for the session while the result is written wait for it, whole.
        for (int i = 0; i < 20; i++)
        {
            client.Session.Send(Encoding.UTF8.GetBytes($"<message from='bob@pi.example/x' to='alice@pi.example/phone'><body>between {i}</body></message>"));
        }

        await client.Session.OutputJobs.WaitAsync(TimeSpan.FromSeconds(30));
        string received = await client.CloseAsync();
        Assert.Null(client.Owner.Closed);
        Assert.StartsWith("<iq to='alice@pi.example/phone' type='result' id='big'><query xmlns='jabber:iq:roster' ver='400'>", received);
        int end = received.IndexOf("</query></iq>", StringComparison.Ordinal);
        Assert.True(end > 0);
        string result = received[..end];
        int at = 0;
        for (int i = 0; i < 400; i++)
        {
            int next = result.IndexOf($"jid='contact{i:D3}@pi.example' name='[{i:D3}]", at, StringComparison.Ordinal);
            Assert.True(next >= at, $"item {i} is missing or out of order");
            at = next;
        }

        Assert.DoesNotContain("<message", result);
        Assert.Equal(20, received[end..].Split("<body>between ").Length - 1);
    }

    public void Dispose()
    {
        _server.Dispose();
        _store.Dispose();
        _context.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private C2sSession Bind()
    {
        var session = new C2sSession(Alice, "phone", 1024 * 1024, new RecordingOwner());
        _server.Presence.Register(session);
        return session;
    }

    private XmlElement Parse(string xml)
    {
        var reader = new XmlStreamReader(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(xml)), _state, _context);
        Assert.True(reader.Read());
        return reader.Element;
    }

    private void Iq(C2sSession session, string xml) => _server.Iq.Handle(Parse(xml), session, _scratch);
}
