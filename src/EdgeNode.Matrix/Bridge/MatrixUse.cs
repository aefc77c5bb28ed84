using System.Collections.Concurrent;

namespace EdgeNode.Matrix.Bridge;

/// <summary>
/// Which accounts use Matrix (have ever had a Matrix device) and which of them have a client syncing now, by bare
/// address. Read on every message an XMPP client sends to a local account, so lookups go by span and allocate nothing;
/// filled from the device table at start and kept current by log-ins, registrations and syncs.
/// </summary>
internal sealed class MatrixUse
{
    /// <summary>How long after its last sync a client still counts as connected (a long poll is at most 30 s, and a
    /// client may pause between polls).</summary>
    public static readonly TimeSpan SyncingWindow = TimeSpan.FromSeconds(60);

    private readonly ConcurrentDictionary<string, User> _users = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, User>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly TimeProvider _time;

    public MatrixUse(TimeProvider time)
    {
        _time = time;
        _lookup = _users.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Whether the account has ever had a Matrix device.</summary>
    public bool Uses(ReadOnlySpan<char> bare) => _lookup.ContainsKey(bare);

    /// <summary>Whether one of the account's Matrix clients is syncing now, or did within <see cref="SyncingWindow"/>.</summary>
    public bool SyncingNow(ReadOnlySpan<char> bare)
    {
        if (!_lookup.TryGetValue(bare, out User? user))
        {
            return false;
        }

        return Volatile.Read(ref user.Syncing) > 0
            || _time.GetUtcNow().ToUnixTimeMilliseconds() - Volatile.Read(ref user.LastSync) <= (long)SyncingWindow.TotalMilliseconds;
    }

    /// <summary>The account has a Matrix device now (logged in, registered, or found in the store at start).</summary>
    public void Add(string bare) => _users.GetOrAdd(bare, static _ => new User());

    /// <summary>A sync of one of the account's clients begins; the returned scope ends it.</summary>
    public IDisposable SyncStarted(string bare)
    {
        User user = _users.GetOrAdd(bare, static _ => new User());
        Interlocked.Increment(ref user.Syncing);
        return new SyncScope(this, user);
    }

    private void SyncEnded(User user)
    {
        Volatile.Write(ref user.LastSync, _time.GetUtcNow().ToUnixTimeMilliseconds());
        Interlocked.Decrement(ref user.Syncing);
    }

    private sealed class User
    {
        public int Syncing;
        public long LastSync = long.MinValue / 2;
    }

    private sealed class SyncScope(MatrixUse use, User user) : IDisposable
    {
        private int _ended;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0)
            {
                use.SyncEnded(user);
            }
        }
    }
}
