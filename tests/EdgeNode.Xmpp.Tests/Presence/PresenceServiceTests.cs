using System.Buffers;
using System.Text;
using EdgeNode.Core.Configuration;
using EdgeNode.Core.Routing;
using EdgeNode.Core.Storage;
using EdgeNode.Xmpp.Stanzas;
using EdgeNode.Xmpp.Storage;
using EdgeNode.Xmpp.Streams;
using EdgeNode.Xmpp.Tests.Offline;
using EdgeNode.Xmpp.Tests.Stanzas;
using EdgeNode.Xmpp.Xml;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeNode.Xmpp.Tests.Presence;

/// <summary>The presence service of a real server (store in a temporary directory), driven without connections.</summary>
public sealed class PresenceServiceTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edgenode-presence-").FullName;
    private readonly Store _store;
    private readonly XmppServer _server;
    private readonly XmlStreamContext _context = new();
    private readonly XmlStreamState _state;
    private readonly StanzaScratch _scratch = new();

    public PresenceServiceTests()
    {
        _store = Store.Open(_dir, XmppMigrations.Set);
        var options = new XmppOptions { C2sPort = 0, C2sDirectTlsPort = 0, S2sPort = 0 };
        _server = new XmppServer("pi.example", options, _store, new Router("pi.example"), null, NullLoggerFactory.Instance);
        var reader = new XmlStreamReader(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(RoutingFixture.Header)), default, _context);
        reader.Read();
        _state = reader.State;
    }

    [Fact]
    public void Register_SameResourceAsAnAvailableSession_OthersSeeItLeaveBeforeTheNewOneCanSpeak()
    {
        var (watch, _) = Bind("watch");
        Presence(watch, "<presence/>");
        var (oldPhone, oldOwner) = Bind("phone");
        Presence(oldPhone, "<presence><status>old</status></presence>");
        RoutingFixture.Drain(watch);

        // The old connection has not closed yet (its owner only records the request); the unavailable is out already.
        var (newPhone, _) = Bind("phone");
        Assert.Equal(TargetCloseReason.Replaced, oldOwner.Closed);
        Assert.Contains("from='alice@pi.example/phone' type='unavailable'", RoutingFixture.Drain(watch));

        // Whatever the old session still sends is not broadcast; the new session's presence is.
        Presence(oldPhone, "<presence><status>late</status></presence>");
        Presence(newPhone, "<presence><status>new</status></presence>");
        string after = RoutingFixture.Drain(watch);
        Assert.DoesNotContain("late", after);
        Assert.Contains("<status>new</status>", after);

        // When the old connection does close, its retirement is not repeated.
        _server.Presence.Retire(oldPhone);
        Assert.DoesNotContain("unavailable", RoutingFixture.Drain(watch));
    }

    [Fact]
    public void Register_ReplacedSessionThatHeldDirectedPresence_SendsThemUnavailable()
    {
        var (bob, _) = Bind("desk", "bob@pi.example");
        Presence(bob, "<presence/>");
        var (oldPhone, _) = Bind("phone");
        Presence(oldPhone, "<presence to='bob@pi.example'/>");
        Assert.Contains("from='alice@pi.example/phone'", RoutingFixture.Drain(bob));

        Bind("phone");
        Assert.Contains("from='alice@pi.example/phone' type='unavailable'", RoutingFixture.Drain(bob));
    }

    [Fact]
    public void HandleOutbound_DirectedPresenceBeyondTheBound_IsAnsweredWithResourceConstraintAndNotRouted()
    {
        var (bob, _) = Bind("desk", "bob@pi.example");
        Presence(bob, "<presence/>");
        var (alice, _) = Bind("phone");
        for (int i = 0; i < C2sSession.MaxDirectedPresence - 1; i++)
        {
            Presence(alice, $"<presence to='watcher{i}@pi.example'/>");
        }

        Presence(alice, "<presence to='bob@pi.example' id='last'/>");
        Assert.Contains("from='alice@pi.example/phone'", RoutingFixture.Drain(bob));
        RoutingFixture.Drain(alice);

        Presence(alice, "<presence to='carol@pi.example' id='over'/>");
        string refused = RoutingFixture.Drain(alice);
        Assert.StartsWith("<presence from='carol@pi.example' to='alice@pi.example/phone' type='error' id='over'><error type='wait'>"
            + "<resource-constraint xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>", refused);
        Assert.Equal(C2sSession.MaxDirectedPresence, alice.DirectedCount);
    }

    public void Dispose()
    {
        _server.Dispose();
        _store.Dispose();
        _context.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private (C2sSession Session, RecordingOwner Owner) Bind(string resource, string bare = "alice@pi.example")
    {
        var owner = new RecordingOwner();
        var session = new C2sSession(bare, resource, 1024 * 1024, owner);
        _server.Presence.Register(session);
        return (session, owner);
    }

    private void Presence(C2sSession session, string xml)
    {
        var reader = new XmlStreamReader(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(xml)), _state, _context);
        Assert.True(reader.Read());
        XmlElement presence = reader.Element;
        StanzaTypes.TryPresence(presence, out PresenceType type);
        byte[] to = presence.TryGetAttribute(XmppNames.To, out XmlValue value) ? Encoding.UTF8.GetBytes(value.GetString()) : [];
        _server.Presence.HandleOutbound(presence, type, session, to, _scratch);
    }
}
