using System.Text;
using System.Text.Json.Nodes;
using EdgeNode.Core.Addressing;
using EdgeNode.Core.Configuration;
using EdgeNode.Core.Crypto;
using EdgeNode.Core.Routing;
using EdgeNode.Core.Storage;
using EdgeNode.Matrix.Bridge;
using EdgeNode.Matrix.Storage;
using EdgeNode.Matrix.Users;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EdgeNode.Matrix.Tests.Bridge;

/// <summary>
/// A homeserver with its front-end on a real router, on a fresh store and a fake clock: accounts alice, bob and
/// carol exist; who uses Matrix is up to each test (<see cref="LogIn"/>).
/// </summary>
internal sealed class BridgeNode : IDisposable
{
    public const string Domain = "hs.test";
    public const string Alice = "@alice:hs.test";
    public const string Bob = "@bob:hs.test";
    public const string Carol = "@carol:hs.test";

    public BridgeNode(params (string Key, string Value)[] settings)
    {
        Folder = Directory.CreateTempSubdirectory("edgenode-bridge-").FullName;
        Store = Store.Open(Folder, MatrixMigrations.Set);
        var options = OptionsReader.Read(new ConfigurationBuilder().AddInMemoryCollection(
            [new("Node:Domain", Domain), new("Node:DataDir", Folder), .. settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))]).Build());
        Server = new Homeserver(Store, options, SigningKey.FromSeed("ed25519:test", new byte[32]), NullLogger.Instance, Time);
        foreach (string name in (ReadOnlySpan<string>)["alice", "bob", "carol"]) Server.Accounts.Add(Jid.Parse(name + "@" + Domain), "secret");
        Router = new Router(Domain);
        FrontEnd = new MatrixFrontEnd(Server, Router);
        Router.AddFrontEnd(FrontEnd);
    }

    public string Folder { get; }
    public Store Store { get; }
    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 12, 8, 1, 0, 0, TimeSpan.Zero));
    public Homeserver Server { get; }
    public Router Router { get; }
    public MatrixFrontEnd FrontEnd { get; }
    public PersonBridge People => FrontEnd.People;

    /// <summary>The user logs in to Matrix (a device, as the log-in handler makes it).</summary>
    public void LogIn(string userId)
    {
        Server.Write(db => Sessions.Create(db, userId, "PHONE" + userId.Length, null, Server.Now));
        People.LoggedIn(userId);
    }

    /// <summary>An XMPP session of the account on the router.</summary>
    public RecordingTarget Online(string bare)
    {
        var target = new RecordingTarget(bare);
        Router.Register(target);
        return target;
    }

    public static string BareOf(string userId) => userId[1..userId.IndexOf(':')] + "@" + Domain;

    /// <summary>What the XMPP front-end makes of a chat message an XMPP client sent (neutral fields, no XMPP bytes needed here).</summary>
    public static RoutedStanza Chat(string from, string to, string id, string body, bool encrypted = false, MessageRelation relation = MessageRelation.None,
        string relatesTo = "", string[]? reactions = null, bool notice = false, string formatted = "", ChatState state = ChatState.None) =>
        new(StanzaKind.Message, (byte)MessageType.Chat, Encoding.UTF8.GetBytes(from + "/laptop"), Encoding.UTF8.GetBytes(to), Encoding.UTF8.GetBytes(id),
            Encoding.UTF8.GetBytes(body), default)
        {
            Origin = StanzaOrigin.Xmpp,
            Encrypted = encrypted,
            Relation = relation,
            RelatesTo = Encoding.UTF8.GetBytes(relatesTo),
            Reactions = reactions,
            Notice = notice,
            FormattedBody = Encoding.UTF8.GetBytes(formatted),
            ChatState = state,
        };

    /// <summary>Hands an XMPP chat to the Matrix front-end as the router would, and waits until it is written.</summary>
    public async Task<AccountReach> FromXmppAsync(string from, string to, string id, string body, bool encrypted = false,
        MessageRelation relation = MessageRelation.None, string relatesTo = "", string[]? reactions = null, bool notice = false, string formatted = "")
    {
        var reach = People.Deliver(Chat(from, to, id, body, encrypted, relation, relatesTo, reactions, notice, formatted), from, to);
        await People.IdleAsync();
        return reach;
    }

    public string? PairRoom(string userA, string userB) => Server.Read(db => PersonRooms.RoomOf(db, userA, userB));

    public string? Membership(string room, string user) => Server.Read(db => Server.Rooms.Membership(db, room, user));

    /// <summary>The room's messages and reactions, oldest first: event id, sender, type, content and whether it was redacted.</summary>
    public List<(string EventId, string Sender, string Type, JsonObject Content, bool Redacted)> Timeline(string room) => Server.Read(db =>
        Server.Rooms.QueryEvents(db, "room_id = $r AND type IN ('m.room.message', 'm.reaction') ORDER BY stream", ("$r", room))
            .Select(e => (e.EventId, e.Sender, e.Type, (JsonObject)e.Pdu["content"]!, e.RedactedBy is not null)).ToList());

    /// <summary>Sends an event as a local user through the client API's actions (Observe sees it, routing follows the commit).</summary>
    public string Send(string room, string sender, string type, JsonObject content) =>
        Server.Write(db => Server.Actions.Send(db, room, sender, type, null, content).EventId);

    public static JsonObject TextContent(string body) => new() { ["msgtype"] = "m.text", ["body"] = body };

    public void Dispose()
    {
        FrontEnd.Dispose();
        Server.Dispose();
        Store.Dispose();
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}
