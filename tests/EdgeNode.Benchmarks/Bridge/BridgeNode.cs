using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using EdgeNode.Core.Accounts;
using EdgeNode.Core.Addressing;
using EdgeNode.Core.Configuration;
using EdgeNode.Core.Crypto;
using EdgeNode.Core.Routing;
using EdgeNode.Xmpp.Routing;
using EdgeNode.Core.Storage;
using EdgeNode.Matrix;
using EdgeNode.Matrix.Bridge;
using EdgeNode.Matrix.Events;
using EdgeNode.Matrix.Storage;
using EdgeNode.Matrix.Users;
using EdgeNode.Xmpp.Stanzas;
using EdgeNode.Xmpp.Streams;
using EdgeNode.Xmpp.Xml;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeNode.Benchmarks.Bridge;

/// <summary>
/// One node for the bridge benchmarks: the core router with the Matrix front-end of a real homeserver on a
/// temporary SQLite store (WAL, as the node runs it), alice on XMPP (an online session whose buffer is drained as her
/// connection would) and bob on Matrix only (he has a Matrix device, no XMPP session).
/// </summary>
internal sealed class BridgeNode : IDisposable
{
    public const string Domain = "pi.example";

    private const string Header =
        "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='pi.example' version='1.0'>";

    private readonly XmlStreamContext _context = new();
    private readonly XmlStreamState _state;
    private readonly StanzaScratch _scratch = new();
    private readonly ArrayBufferWriter<byte> _sink = new(64 * 1024);

    public BridgeNode()
    {
        Folder = Directory.CreateTempSubdirectory("edgenode-bench-bridge-").FullName;
        Store = Store.Open(Folder, MatrixMigrations.Set);
        NodeOptions options = OptionsReader.Read(new ConfigurationBuilder().AddInMemoryCollection(
            [new("Node:Domain", Domain), new("Node:DataDir", Folder)]).Build());
        Server = new Homeserver(Store, options, SigningKey.FromSeed("ed25519:bench", new byte[32]), NullLogger.Instance);
        var accounts = new AccountStore(Store);
        accounts.Add(Jid.Parse("alice@" + Domain), "password-alice", iterations: 4096);
        accounts.Add(Jid.Parse("bob@" + Domain), "password-bob", iterations: 4096);
        Bob = Server.UserId("bob");
        Alice = Server.UserId("alice");
        Server.Write(db => Sessions.Create(db, Bob, "BENCH", "bench", Server.Now));

        Router = new Router(Domain);
        Router.UseSessionRules(new XmppSessionRules());
        FrontEnd = new MatrixFrontEnd(Server, Router);
        Reach = new ReachCount(FrontEnd);
        Router.AddFrontEnd(Reach);
        AliceSession = new C2sSession("alice@" + Domain, "phone", 1024 * 1024, new Owner());
        AliceSession.SetAvailable(0, "<presence/>"u8.ToArray());
        Router.Register(AliceSession);

        var reader = new XmlStreamReader(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(Header)), default, _context);
        reader.Read();
        _state = reader.State;
    }

    public string Folder { get; }
    public Store Store { get; }
    public Homeserver Server { get; }
    public Router Router { get; }
    public MatrixFrontEnd FrontEnd { get; }
    public ReachCount Reach { get; }
    public C2sSession AliceSession { get; }
    public string Alice { get; }
    public string Bob { get; }

    /// <summary>Parses one stanza and routes it from alice's session.</summary>
    public RouteOutcome ParseAndRoute(in ReadOnlySequence<byte> data)
    {
        var reader = new XmlStreamReader(data, _state, _context);
        reader.Read();
        return MessageHandler.Handle(reader.Element, AliceSession, Router, _scratch);
    }

    /// <summary>What alice's connection would write now; empties her buffer.</summary>
    public int DrainAlice()
    {
        _sink.ResetWrittenCount();
        AliceSession.Outbound.TryDrainTo(_sink, out int written);
        return written;
    }

    /// <summary>
    /// The direct room of alice and bob: the one the front-end made on alice's first message when it makes one,
    /// else one bob makes as a Matrix client would (invite with is_direct); bob is joined either way.
    /// </summary>
    public string DirectRoom()
    {
        if (Reach.Taken > 0 && WaitUntil(() => RoomOfEventsBy(Alice) is not null, TimeSpan.FromSeconds(10)))
        {
            string made = RoomOfEventsBy(Alice)!;
            Server.Write(db => Server.Actions.Join(db, made, Bob));
            return made;
        }

        return Server.Write(db =>
        {
            string room = Server.Rooms.CreateRoom(db, Server.DefaultRoomVersion, Bob, new JsonObject());
            Server.Actions.SetMembership(db, room, Bob, Bob, "join");
            Server.Rooms.Send(db, room, Bob, EventTypes.JoinRules, "", new JsonObject { ["join_rule"] = "invite" });
            Server.Rooms.Send(db, room, Bob, "m.room.history_visibility", "", new JsonObject { ["history_visibility"] = "shared" });
            Server.Actions.SetMembership(db, room, Bob, Alice, "invite", isDirect: true);
            return room;
        });
    }

    private string? RoomOfEventsBy(string sender) =>
        Server.Read(db => db.Scalar("SELECT room_id FROM matrix_events WHERE sender = $s AND type = 'm.room.message' LIMIT 1", ("$s", sender)) as string);

    /// <summary>Spins (yielding) until <paramref name="condition"/> holds; false after <paramref name="timeout"/>.</summary>
    public static bool WaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        var spin = new SpinWait();
        while (!condition())
        {
            if (Environment.TickCount64 > deadline) return false;
            spin.SpinOnce();
        }

        return true;
    }

    public void Dispose()
    {
        FrontEnd.Dispose();
        Server.Dispose();
        Store.Dispose();
        _context.Dispose();
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }

    /// <summary>Passes every call on to the Matrix front-end and counts the messages it took (Kept or Reached).</summary>
    internal sealed class ReachCount(IAccountFrontEnd inner) : IAccountFrontEnd
    {
        private long _taken;

        public long Taken => Interlocked.Read(ref _taken);

        public StanzaOrigin Protocol => inner.Protocol;

        public AccountReach Deliver(in RoutedStanza stanza, ReadOnlySpan<char> fromBare, ReadOnlySpan<char> toBare)
        {
            AccountReach reach = inner.Deliver(stanza, fromBare, toBare);
            if (reach is AccountReach.Kept or AccountReach.Reached) Interlocked.Increment(ref _taken);
            return reach;
        }

        public void ShowPresence(AccountPresence presence) => inner.ShowPresence(presence);

        public bool ShareConversation(string bareA, string bareB) => inner.ShareConversation(bareA, bareB);
    }

    private sealed class Owner : ISessionOwner
    {
        public void RequestClose(TargetCloseReason reason)
        {
        }
    }
}
