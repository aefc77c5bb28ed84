using EdgeNode.Core.Routing;
using EdgeNode.Matrix.Storage;
using Microsoft.Data.Sqlite;

namespace EdgeNode.Matrix.Bridge;

/// <summary>
/// Availability and typing between Matrix and the router. Matrix to router: a person's Matrix view (what their
/// Matrix clients set, or that they sync at all) is published when it changes. Router to Matrix: what Matrix shows of
/// a person (matrix_presence, seen by everyone sharing a room with them) is the union of every protocol's view
/// (<see cref="PresenceUnion"/>); a view that came from the router is never published back. Typing crosses in the
/// direct room of two people (<see cref="TypingBridge"/>). Writes asked for by the router run on a queue, never on
/// the caller's thread.
/// </summary>
public sealed class PresenceBridge : IDisposable
{
    private static readonly TimeSpan TickPeriod = TimeSpan.FromSeconds(1);
    private readonly Homeserver _server;
    private readonly Router _router;
    private readonly MatrixViews _views;
    private readonly TypingBridge _typing;
    private readonly PresenceQueue _queue;
    private readonly Lock _publishing = new();
    private readonly ITimer _timer;

    public PresenceBridge(Homeserver server, Router router)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(router);
        _server = server;
        _router = router;
        _views = new MatrixViews(server.Time);
        _typing = new TypingBridge(server, router);
        _queue = new PresenceQueue(server.Logger);
        LoadViews();
        _timer = server.Time.CreateTimer(_ => Tick(), null, TickPeriod, TickPeriod);
    }

    /// <summary>
    /// Another protocol's view of an account changed: Matrix shows the union of all views (queued; see the class).
    /// </summary>
    public void Show(AccountPresence presence)
    {
        ArgumentNullException.ThrowIfNull(presence);
        if (presence.Source == StanzaOrigin.Matrix || UserIdOf(presence.Bare) is null) return;
        _queue.Refresh(presence.Bare, StoreUnion);
    }

    /// <summary>Whether the two accounts' Matrix users are both members (joined or invited) of a common room.</summary>
    public bool ShareConversation(string bareA, string bareB)
    {
        if (UserIdOf(bareA) is not { } a || UserIdOf(bareB) is not { } b || a == b) return false;
        try
        {
            return _server.Read(db => SharedRooms.Any(db, a, b));
        }
        catch (SqliteException e)
        {
            PresenceBridgeLog.WorkFailed(_server.Logger, "shared rooms of " + bareA, e);
            return false;
        }
    }

    /// <summary>
    /// A chat state from another protocol (XEP-0085, with or without a body): composing sets
    /// <paramref name="fromBare"/>'s typing in the direct room of the two people, any other state clears it (queued).
    /// Returns Reached when the recipient has a Matrix client syncing now, NotUsed when the recipient does not use
    /// Matrix or is not listening. Does not allocate for someone who never used Matrix.
    /// </summary>
    public AccountReach Typing(ReadOnlySpan<char> fromBare, ReadOnlySpan<char> toBare, ChatState state)
    {
        if (state == ChatState.None || !_views.UsesMatrix(toBare) || fromBare.SequenceEqual(toBare)) return AccountReach.NotUsed;
        if (!_server.ServerName.AsSpan().Equals(DomainOf(fromBare), StringComparison.Ordinal)) return AccountReach.NotUsed;
        QueueTyping(fromBare.ToString(), toBare.ToString(), state == ChatState.Composing);
        return _views.Syncing(toBare) ? AccountReach.Reached : AccountReach.NotUsed;
    }

    // Apart from Typing: a lambda's captured locals are allocated on entry to the method that declares them.
    private void QueueTyping(string from, string to, bool typing) => _queue.Enqueue("typing of " + from, () => _typing.FromRouter(from, to, typing));

    /// <summary>Whether one of the person's Matrix clients syncs now or did within the last 30 seconds.</summary>
    public bool Syncing(ReadOnlySpan<char> bare) => _views.Syncing(bare);

    /// <summary>
    /// A client of <paramref name="userId"/> starts a sync (with its set_presence, if any); disposing the result ends
    /// it. A sync with set_presence offline does not count as presence.
    /// </summary>
    internal IDisposable? SyncStarted(string userId, string? setPresence)
    {
        if (setPresence == "offline" || _server.AccountOf(userId) is not { } bare) return null;
        var scope = new SyncScope(this, bare);
        try
        {
            Changed(bare, userId, () => _views.SyncStarted(bare, setPresence));
        }
        catch
        {
            // The sync fails; it must not count as running for ever.
            scope.Dispose();
            throw;
        }

        return scope;
    }

    /// <summary>The user set presence and status (PUT presence).</summary>
    internal void SetByClient(string userId, string presence, string? status)
    {
        if (_server.AccountOf(userId) is not { } bare) return;
        if (!Changed(bare, userId, () => _views.Set(bare, presence, status))) StoreUnion(bare);
    }

    /// <summary>A Matrix client set its user's typing in a room (the typing endpoint).</summary>
    internal void TypedByClient(string roomId, string userId, bool typing, TimeSpan timeout) => _typing.FromClient(roomId, userId, typing, timeout);

    /// <summary>Completes when every change queued before the call is shown (for tests and orderly shutdown).</summary>
    internal Task FlushAsync() => _queue.FlushAsync();

    private sealed class SyncScope(PresenceBridge bridge, string bare) : IDisposable
    {
        private int _ended;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0) bridge._views.SyncEnded(bare);
        }
    }

    // Publishes the Matrix view when it changed (in order: a later change is never overtaken), then stores the union.
    private bool Changed(string bare, string userId, Func<AccountPresence?> change)
    {
        lock (_publishing)
        {
            if (change() is not { } view) return false;
            _router.PublishPresence(view);
        }

        StoreUnion(bare);
        return true;
    }

    private void StoreUnion(string bare)
    {
        if (UserIdOf(bare) is not { } userId) return;
        // Computed inside the write: writes are serial, so the last one stores the latest views.
        _server.Write(db =>
        {
            var views = new List<AccountPresence>();
            foreach (var view in _router.PresenceOf(bare))
                if (view.Source is not StanzaOrigin.Matrix) views.Add(view);
            if (_views.Current(bare) is { } matrix) views.Add(matrix);
            if (views.Count > 0) PresenceRows.Store(db, userId, PresenceUnion.Of(views.ToArray(), _server.Now));
        });
    }

    private void Tick()
    {
        try
        {
            _typing.Expire();
            List<AccountPresence>? offline;
            lock (_publishing)
            {
                offline = _views.TimeOut();
                if (offline is null) return;
                foreach (var view in offline) _router.PublishPresence(view);
            }

            foreach (var view in offline) StoreUnion(view.Bare);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            PresenceBridgeLog.WorkFailed(_server.Logger, "timeouts", e);
        }
    }

    // Everyone who ever had a Matrix device; those shown present get the timeout's grace to sync again.
    private void LoadViews() => _server.Read(db =>
    {
        using var query = db.Command("""
            SELECT d.user_id, p.presence, p.status_msg, p.last_active_ts
            FROM (SELECT DISTINCT user_id FROM matrix_devices) d LEFT JOIN matrix_presence p ON p.user_id = d.user_id
            """);
        using var rows = query.ExecuteReader();
        while (rows.Read())
        {
            if (_server.AccountOf(rows.GetString(0)) is not { } bare) continue;
            _views.Load(bare, rows.IsDBNull(1) ? "offline" : rows.GetString(1), rows.IsDBNull(2) ? null : rows.GetString(2),
                rows.IsDBNull(3) ? 0 : rows.GetInt64(3));
        }

        return 0;
    });

    // The Matrix user of a local account that is a person (not a device); null otherwise.
    private string? UserIdOf(string bare)
    {
        int at = bare.IndexOf('@', StringComparison.Ordinal);
        if (at <= 0 || !bare.AsSpan(at + 1).Equals(_server.ServerName, StringComparison.Ordinal)) return null;
        return _server.IsDeviceLocalpart(bare[..at]) ? null : Homeserver.UserIdOfAccount(bare);
    }

    private static ReadOnlySpan<char> DomainOf(ReadOnlySpan<char> bare)
    {
        int at = bare.IndexOf('@');
        return at < 0 ? bare : bare[(at + 1)..];
    }

    public void Dispose()
    {
        _timer.Dispose();
        _queue.Dispose();
    }
}
