using System.Text.Json.Nodes;
using System.Threading.Channels;
using EdgeNode.Core.Routing;
using EdgeNode.Matrix.Storage;

namespace EdgeNode.Matrix.Bridge;

/// <summary>
/// Conversations between two local people across XMPP and Matrix: each pair has one direct room
/// (<see cref="PersonRooms"/>). A message an XMPP client sends to another local account is written into that room as
/// the sender's Matrix user when either of them uses Matrix (<see cref="PersonPosts"/>), on this bridge's own loop;
/// what a person writes, reacts or reads in the room goes back through the router to the other person's other
/// protocols (<see cref="PersonEvents"/>).
/// </summary>
public sealed class PersonBridge : IDisposable
{
    private const int QueueCapacity = 4096;

    // Set on the loop while it writes: the events it stores came from XMPP and must not be routed back.
    [ThreadStatic]
    private static bool t_posting;

    private readonly Homeserver _server;
    private readonly MatrixUse _use;
    private readonly PersonPosts _posts;
    private readonly PersonEvents _events;
    private readonly Channel<Action> _work = Channel.CreateBounded<Action>(new BoundedChannelOptions(QueueCapacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });
    private readonly Task _loop;

    public PersonBridge(Homeserver server, Router router)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(router);
        _server = server;
        Router = router;
        _use = new MatrixUse(server.Time);
        var rooms = new PersonRooms(server);
        var notices = new EncryptedNotices(server.Time);
        _posts = new PersonPosts(server, rooms, notices);
        _events = new PersonEvents(server, router, rooms, notices, _use);
        foreach (string userId in server.Read(UsersWithDevices))
        {
            if (server.AccountOf(userId) is { } bare) _use.Add(bare);
        }

        _loop = Task.Run(LoopAsync);
    }

    internal Homeserver Server => _server;
    internal Router Router { get; }

    /// <summary>
    /// A message from one local account to another, from an XMPP client: written into the pair's room (later, on the
    /// loop) when either person uses Matrix. Reached when the recipient has a Matrix client syncing now, Kept when
    /// not, Refused when it cannot be a Matrix event (too large), NotUsed when neither uses Matrix. Deciding that
    /// allocates nothing for people who do not use Matrix.
    /// </summary>
    public AccountReach Deliver(in RoutedStanza stanza, ReadOnlySpan<char> fromBare, ReadOnlySpan<char> toBare)
    {
        if (stanza.Kind != StanzaKind.Message || stanza.MessageType is not (MessageType.Chat or MessageType.Normal)
            || stanza.Origin != StanzaOrigin.Xmpp)
        {
            return AccountReach.NotUsed;
        }

        bool recipientUses = _use.Uses(toBare);
        if ((!recipientUses && !_use.Uses(fromBare)) || !IsLocal(fromBare) || !IsLocal(toBare) || fromBare.SequenceEqual(toBare)
            || !PersonMessage.HasContent(stanza))
        {
            return AccountReach.NotUsed;
        }

        if (PersonMessage.TooLargeForMatrix(stanza))
        {
            return AccountReach.Refused;
        }

        var message = PersonMessage.Copy(stanza, fromBare, toBare);
        if (!IsPersonAccount(message.From, known: true) || !IsPersonAccount(message.To, known: recipientUses))
        {
            return AccountReach.NotUsed;
        }

        if (!Queue(message))
        {
            PersonBridgeLog.QueueFull(_server.Logger, message.From, message.To);
            return AccountReach.NotUsed;
        }

        return _use.SyncingNow(toBare) ? AccountReach.Reached : AccountReach.Kept;
    }

    // Apart from Deliver: a lambda there would allocate its closure on every call, before any test.
    private bool Queue(PersonMessage message) => _work.Writer.TryWrite(() => Post(message));

    /// <summary>Sees every event a local user stores through the client API (inside its write).</summary>
    internal void Observe(Db db, string roomId, string sender, string type, string? stateKey, JsonObject content)
    {
        if (t_posting) return;
        _events.Observe(db, roomId, sender, type, stateKey, content);
    }

    /// <summary>A local user set an m.read receipt (inside its write).</summary>
    internal void ReadReceipt(Db db, string roomId, string userId, string eventId)
    {
        if (t_posting) return;
        _events.Receipt(db, roomId, userId, eventId);
    }

    /// <summary>A local user logged in or registered: they use Matrix from now on.</summary>
    internal void LoggedIn(string userId)
    {
        if (_server.AccountOf(userId) is { } bare) _use.Add(bare);
    }

    /// <summary>One of a user's clients is syncing until the returned scope is disposed.</summary>
    internal IDisposable? Syncing(string userId) => _server.AccountOf(userId) is { } bare ? _use.SyncStarted(bare) : null;

    /// <summary>Completes once everything queued before the call has been written (tests wait on it).</summary>
    internal Task IdleAsync()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return _work.Writer.TryWrite(() => done.SetResult()) ? done.Task : Task.CompletedTask;
    }

    private bool IsLocal(ReadOnlySpan<char> bare)
    {
        int at = bare.IndexOf('@');
        return at > 0 && bare[(at + 1)..].Equals(_server.ServerName, StringComparison.OrdinalIgnoreCase);
    }

    // An account of a person (not a device the node speaks for); one known to use Matrix has an account.
    private bool IsPersonAccount(string bare, bool known)
    {
        int at = bare.IndexOf('@', StringComparison.Ordinal);
        string local = bare[..at];
        if (_server.IsDeviceLocalpart(local)) return false;
        return known || (EdgeNode.Core.Addressing.Jid.TryParse(bare, out var jid) && _server.Accounts.Exists(jid));
    }

    private void Post(PersonMessage message)
    {
        t_posting = true;
        try
        {
            _posts.Post(message);
        }
        catch (Exception e)
        {
            PersonBridgeLog.PostFailed(_server.Logger, message.From, message.To, e);
        }
        finally
        {
            t_posting = false;
        }
    }

    private async Task LoopAsync()
    {
        await foreach (var work in _work.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            work();
        }
    }

    private static List<string> UsersWithDevices(Db db)
    {
        using var query = db.Command("SELECT DISTINCT user_id FROM matrix_devices");
        using var rows = query.ExecuteReader();
        var users = new List<string>();
        while (rows.Read()) users.Add(rows.GetString(0));
        return users;
    }

    public void Dispose()
    {
        _work.Writer.TryComplete();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }
}
