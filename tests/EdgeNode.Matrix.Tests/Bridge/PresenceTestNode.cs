using System.Text;
using System.Text.Json.Nodes;
using EdgeNode.Core.Configuration;
using EdgeNode.Core.Crypto;
using EdgeNode.Core.Routing;
using EdgeNode.Core.Storage;
using EdgeNode.Matrix.Bridge;
using EdgeNode.Matrix.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EdgeNode.Matrix.Tests.Bridge;

/// <summary>
/// A homeserver on a fresh store with a fake clock, its Matrix front-end on a real router, and an XMPP side that
/// records what the router tells it: the presence and typing bridge between them.
/// </summary>
internal sealed class PresenceTestNode : IDisposable
{
    public const string Domain = "hs.test";

    public PresenceTestNode(params string[] matrixUsers)
    {
        Folder = Directory.CreateTempSubdirectory("edgenode-presence-").FullName;
        Store = Store.Open(Folder, MatrixMigrations.Set);
        Server = Homeserver(Store, Folder, Time);
        // People who used Matrix before the node started: each has a device.
        foreach (var user in matrixUsers) Server.Write(db => EdgeNode.Matrix.Users.Sessions.Create(db, user, user.ToUpperInvariant()[1..4] + "PHONE", null, 0));
        Router = new Router(Domain);
        Router.AddFrontEnd(Xmpp);
        FrontEnd = new MatrixFrontEnd(Server, Router);
        Router.AddFrontEnd(FrontEnd);
    }

    /// <summary>A homeserver of the test domain on <paramref name="store"/> (another one on the same store is a restart).</summary>
    public static Homeserver Homeserver(Store store, string folder, TimeProvider time)
    {
        var options = OptionsReader.Read(new ConfigurationBuilder().AddInMemoryCollection(
            [new("Node:Domain", Domain), new("Node:DataDir", folder)]).Build());
        return new Homeserver(store, options, SigningKey.FromSeed("ed25519:test", new byte[32]), NullLogger.Instance, time);
    }

    public string Folder { get; }
    public Store Store { get; }
    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 12, 8, 12, 0, 0, TimeSpan.Zero));
    public Homeserver Server { get; }
    public Router Router { get; }
    public MatrixFrontEnd FrontEnd { get; }
    public PresenceBridge Presence => FrontEnd.Presence;
    public RecordingXmppSide Xmpp { get; } = new();

    /// <summary>What Matrix shows of a user (the stored presence row), or null when none is stored.</summary>
    public (string Presence, string? Status, long LastActive)? Shown(string userId) => Server.Read(db =>
    {
        using var query = db.Command("SELECT presence, status_msg, last_active_ts FROM matrix_presence WHERE user_id = $u", ("$u", userId));
        using var row = query.ExecuteReader();
        return row.Read() ? (row.GetString(0), row.IsDBNull(1) ? null : row.GetString(1), row.GetInt64(2)) : ((string, string?, long)?)null;
    });

    /// <summary>A room made by the first user, everyone else invited, and those in <paramref name="joined"/> joined.</summary>
    public string Room(string creator, string[] invited, params string[] joined) => Server.Write(db =>
    {
        string room = Server.Rooms.CreateRoom(db, Server.DefaultRoomVersion, creator, new JsonObject());
        Server.Actions.SetMembership(db, room, creator, creator, "join");
        foreach (var user in invited) Server.Actions.SetMembership(db, room, creator, user, "invite", isDirect: invited.Length == 1);
        foreach (var user in joined) Server.Actions.Join(db, room, user);
        return room;
    });

    public void Dispose()
    {
        FrontEnd.Dispose();
        Server.Dispose();
        Store.Dispose();
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}

/// <summary>The XMPP side's account-wide front-end as far as presence goes: it records the views shown to it.</summary>
internal sealed class RecordingXmppSide : IAccountFrontEnd
{
    private readonly Lock _lock = new();
    private readonly List<AccountPresence> _shown = [];

    public StanzaOrigin Protocol => StanzaOrigin.Xmpp;

    public List<AccountPresence> Shown
    {
        get
        {
            lock (_lock) return [.. _shown];
        }
    }

    public AccountReach Deliver(in RoutedStanza stanza, ReadOnlySpan<char> fromBare, ReadOnlySpan<char> toBare) => AccountReach.NotUsed;

    public void ShowPresence(AccountPresence presence)
    {
        lock (_lock) _shown.Add(presence);
    }

    public bool ShareConversation(string bareA, string bareB) => false;
}

/// <summary>An XMPP session on the router that records the messages it is handed, in neutral terms.</summary>
internal sealed class RecordingSession(string bare, string resource) : IRouteTarget
{
    private readonly byte[] _resource = Encoding.UTF8.GetBytes(resource);
    private readonly byte[] _full = Encoding.UTF8.GetBytes($"{bare}/{resource}");
    private readonly Lock _lock = new();
    private readonly List<RecordedMessage> _delivered = [];

    public string Bare { get; } = bare;
    public ReadOnlySpan<byte> Resource => _resource;
    public ReadOnlySpan<byte> FullAddress => _full;
    public bool IsAvailable => true;
    public int Priority => 0;

    public List<RecordedMessage> Delivered
    {
        get
        {
            lock (_lock) return [.. _delivered];
        }
    }

    public bool Deliver(in RoutedStanza stanza)
    {
        var message = new RecordedMessage(stanza.MessageType, Encoding.UTF8.GetString(stanza.From), Encoding.UTF8.GetString(stanza.To),
            Encoding.UTF8.GetString(stanza.Body), stanza.ChatState, stanza.Origin);
        lock (_lock) _delivered.Add(message);
        return true;
    }

    public void DeliverCopy(in RoutedStanza stanza, CopyKind kind)
    {
    }

    public void Close(TargetCloseReason reason)
    {
    }
}

internal sealed record RecordedMessage(MessageType Type, string From, string To, string Body, ChatState ChatState, StanzaOrigin Origin);
