using System.Collections.Concurrent;
using EdgeNode.Core.Routing;

namespace EdgeNode.Matrix.Bridge;

/// <summary>
/// What each person's Matrix clients say about the person's availability (the Matrix view), kept apart from what
/// Matrix shows, which is the union with the other protocols' views (<see cref="PresenceUnion"/>). A client that
/// syncs makes an offline user online; a user none of whose clients synced (or set presence) for
/// <see cref="SyncTimeout"/> becomes offline, as on other homeservers. Keyed by account (bare address) so that the
/// router's span lookups find a person without allocating; an entry exists for everyone who ever had a Matrix
/// device, which is what "uses Matrix" means.
/// </summary>
internal sealed class MatrixViews
{
    /// <summary>How long after the last sync ended (or presence was set) a user with no sync running stays present.</summary>
    public static readonly TimeSpan SyncTimeout = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, View> _views = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, View>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly TimeProvider _time;

    internal sealed class View
    {
        public string Presence = "offline";
        public string? Status;
        public long LastActive;
        public int Syncing;
        public DateTimeOffset LastSeen;
    }

    public MatrixViews(TimeProvider time)
    {
        _time = time;
        _lookup = _views.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Adds a person found at start-up; one shown present then gets the timeout's grace to sync again.</summary>
    public void Load(string bare, string presence, string? status, long lastActive)
    {
        var view = Of(bare);
        lock (view)
        {
            view.Presence = presence;
            view.Status = status;
            view.LastActive = lastActive;
            if (presence != "offline") view.LastSeen = _time.GetUtcNow();
        }
    }

    /// <summary>Whether the person ever had a Matrix device.</summary>
    public bool UsesMatrix(ReadOnlySpan<char> bare) => _lookup.ContainsKey(bare);

    /// <summary>Whether one of the person's Matrix clients syncs now or did within <see cref="SyncTimeout"/>.</summary>
    public bool Syncing(ReadOnlySpan<char> bare)
    {
        if (!_lookup.TryGetValue(bare, out var view)) return false;
        lock (view) return view.Syncing > 0 || _time.GetUtcNow() - view.LastSeen < SyncTimeout;
    }

    /// <summary>The Matrix view as the router carries it, or null for someone who never used Matrix.</summary>
    public AccountPresence? Current(string bare)
    {
        if (!_views.TryGetValue(bare, out var view)) return null;
        lock (view) return PresenceUnion.View(bare, view.Presence, view.Status, view.LastActive);
    }

    /// <summary>
    /// A client starts a sync: without set_presence an offline person becomes online (a presence the person chose is
    /// kept); with it, the person is what it says. Returns the new view when it changed.
    /// </summary>
    public AccountPresence? SyncStarted(string bare, string? setPresence)
    {
        var view = Of(bare);
        lock (view)
        {
            var now = _time.GetUtcNow();
            view.Syncing++;
            view.LastSeen = now;
            string presence = setPresence ?? (view.Presence == "offline" ? "online" : view.Presence);
            return Change(bare, view, presence, view.Status, now);
        }
    }

    public void SyncEnded(string bare)
    {
        var view = Of(bare);
        lock (view)
        {
            view.Syncing--;
            view.LastSeen = _time.GetUtcNow();
        }
    }

    /// <summary>The person set presence and status (PUT presence). Returns the new view when it changed.</summary>
    public AccountPresence? Set(string bare, string presence, string? status)
    {
        var view = Of(bare);
        lock (view)
        {
            var now = _time.GetUtcNow();
            view.LastSeen = now;
            return Change(bare, view, presence, status, now);
        }
    }

    /// <summary>Makes offline everyone whose clients stopped syncing; returns the views that changed.</summary>
    public List<AccountPresence>? TimeOut()
    {
        var now = _time.GetUtcNow();
        List<AccountPresence>? changed = null;
        foreach (var (bare, view) in _views)
        {
            lock (view)
            {
                if (view.Presence == "offline" || view.Syncing > 0 || now - view.LastSeen < SyncTimeout) continue;
                view.Presence = "offline";
                (changed ??= []).Add(PresenceUnion.View(bare, view.Presence, view.Status, view.LastActive));
            }
        }

        return changed;
    }

    private View Of(string bare) => _views.GetOrAdd(bare, static _ => new View());

    private static AccountPresence? Change(string bare, View view, string presence, string? status, DateTimeOffset now)
    {
        // Activity: anything the person's clients do here counts, but only a new presence or status is a change.
        view.LastActive = now.ToUnixTimeMilliseconds();
        if (view.Presence == presence && view.Status == status) return null;
        view.Presence = presence;
        view.Status = status;
        return PresenceUnion.View(bare, presence, status, view.LastActive);
    }
}
