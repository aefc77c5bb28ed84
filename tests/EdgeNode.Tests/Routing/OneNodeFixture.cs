using System.Buffers;
using System.Text;
using EdgeNode.Core.Accounts;
using EdgeNode.Core.Addressing;
using EdgeNode.Core.Configuration;
using EdgeNode.Core.Crypto;
using EdgeNode.Core.Routing;
using EdgeNode.Xmpp.Routing;
using EdgeNode.Core.Storage;
using EdgeNode.Matrix;
using EdgeNode.Matrix.Bridge;
using EdgeNode.Matrix.Storage;
using EdgeNode.Matrix.Users;
using EdgeNode.Xmpp.Stanzas;
using EdgeNode.Xmpp.Streams;
using EdgeNode.Xmpp.Xml;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeNode.Tests.Routing;

/// <summary>
/// One node's routing without sockets, both front-ends present: the core router with a real Matrix homeserver on a
/// temporary SQLite store registered on it as a front-end (as the Matrix module does), and real XMPP sessions whose
/// outbound buffers are drained as their connections' pumps would. Messages are parsed from XMPP bytes by the real
/// stream reader and message handler.
/// </summary>
internal sealed class OneNodeFixture : IDisposable
{
    public const string Domain = "pi.example";

    private const string Header =
        "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='pi.example' version='1.0'>";

    private readonly XmlStreamContext _context = new();
    private readonly XmlStreamState _state;
    private readonly StanzaScratch _scratch = new();
    private readonly ArrayBufferWriter<byte> _sink = new(64 * 1024);

    /// <param name="matrixUsers">Local parts of accounts that use Matrix (each gets a Matrix device before the front-end starts).</param>
    public OneNodeFixture(params string[] matrixUsers)
    {
        Folder = Directory.CreateTempSubdirectory("edgenode-onenode-").FullName;
        Store = Store.Open(Folder, MatrixMigrations.Set);
        NodeOptions options = OptionsReader.Read(new ConfigurationBuilder().AddInMemoryCollection(
            [new("Node:Domain", Domain), new("Node:DataDir", Folder)]).Build());
        Server = new Homeserver(Store, options, SigningKey.FromSeed("ed25519:bench", new byte[32]), NullLogger.Instance);
        var accounts = new AccountStore(Store);
        foreach (string local in new[] { "romeo", "juliet", "alice", "bob" })
        {
            accounts.Add(Jid.Parse(local + "@" + Domain), "password-" + local, iterations: 4096);
        }

        foreach (string local in matrixUsers)
        {
            string userId = Server.UserId(local);
            Server.Write(db => Sessions.Create(db, userId, null, "bench", Server.Now));
        }

        Router = new Router(Domain);
        Router.UseSessionRules(new XmppSessionRules());
        FrontEnd = new MatrixFrontEnd(Server, Router);
        Reach = new ReachCount(FrontEnd);
        Router.AddFrontEnd(Reach);

        var reader = new XmlStreamReader(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(Header)), default, _context);
        reader.Read();
        _state = reader.State;
    }

    public string Folder { get; }
    public Store Store { get; }
    public Homeserver Server { get; }
    public Router Router { get; }
    public MatrixFrontEnd FrontEnd { get; }

    /// <summary>The Matrix front-end as the router sees it: every call passed on unchanged, its answers counted.</summary>
    public ReachCount Reach { get; }

    /// <summary>An available XMPP session of <paramref name="bare"/>, registered with the router.</summary>
    public C2sSession Connect(string bare, string resource)
    {
        var session = new C2sSession(bare, resource, 1024 * 1024, new Owner());
        session.SetAvailable(0, "<presence/>"u8.ToArray());
        Router.Register(session);
        return session;
    }

    /// <summary>The bytes of one message stanza, whole.</summary>
    public static ReadOnlySequence<byte> Bytes(string message) => new(Encoding.UTF8.GetBytes(message));

    /// <summary>The bytes of one message stanza, split in the middle as two reads would deliver it.</summary>
    public static ReadOnlySequence<byte> SplitBytes(string message)
    {
        byte[] data = Encoding.UTF8.GetBytes(message);
        int at = data.Length / 2;
        var first = new Segment(data.AsMemory(0, at), 0);
        var second = new Segment(data.AsMemory(at), at);
        first.SetNext(second);
        return new ReadOnlySequence<byte>(first, 0, second, second.Memory.Length);
    }

    /// <summary>Parses one stanza from <paramref name="data"/> and routes it from <paramref name="sender"/>.</summary>
    public RouteOutcome ParseAndRoute(in ReadOnlySequence<byte> data, C2sSession sender, MessageRateLimit? limit = null)
    {
        var reader = new XmlStreamReader(data, _state, _context);
        reader.Read();
        return MessageHandler.Handle(reader.Element, sender, Router, _scratch, limit);
    }

    /// <summary>What <paramref name="session"/>'s connection would write now; empties its buffer.</summary>
    public ReadOnlySpan<byte> Drain(C2sSession session)
    {
        _sink.ResetWrittenCount();
        session.Outbound.TryDrainTo(_sink, out _);
        return _sink.WrittenSpan;
    }

    /// <summary>How many events of <paramref name="type"/> <paramref name="userId"/> has in the store.</summary>
    public long EventsSentBy(string userId, string type = "m.room.message") =>
        Server.Read(db => (long)db.Scalar("SELECT count(*) FROM matrix_events WHERE sender = $s AND type = $t", ("$s", userId), ("$t", type))!);

    public void Dispose()
    {
        FrontEnd.Dispose();
        Server.Dispose();
        Store.Dispose();
        _context.Dispose();
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }

    /// <summary>
    /// Passes every call on to the Matrix front-end and counts the messages it took (Kept or Reached), so that a test
    /// knows how many events to wait for whatever the front-end does with a message. Counting allocates nothing.
    /// </summary>
    internal sealed class ReachCount(IAccountFrontEnd inner) : IAccountFrontEnd
    {
        private long _taken;

        public long Taken => Interlocked.Read(ref _taken);

        public StanzaOrigin Protocol => inner.Protocol;

        public AccountReach Deliver(in RoutedStanza stanza, ReadOnlySpan<char> fromBare, ReadOnlySpan<char> toBare)
        {
            AccountReach reach = inner.Deliver(stanza, fromBare, toBare);
            if (reach is AccountReach.Kept or AccountReach.Reached)
            {
                Interlocked.Increment(ref _taken);
            }

            return reach;
        }

        public void ShowPresence(AccountPresence presence) => inner.ShowPresence(presence);

        public bool ShareConversation(string bareA, string bareB) => inner.ShareConversation(bareA, bareB);
    }

    private sealed class Owner : ISessionOwner
    {
        public void RequestClose(TargetCloseReason reason) => throw new InvalidOperationException($"closed: {reason}");
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public void SetNext(Segment next) => Next = next;
    }
}
