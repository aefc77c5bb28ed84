using System.Collections.Concurrent;

namespace EdgeNode.Xmpp.Sasl;

/// <summary>
/// Counts failed logins per account and per IP address in a sliding window; the Nth failure locks that key out for
/// the lockout time, during which every attempt fails without a password check. Memory stays bounded: entries whose
/// window and lockout have passed are dropped as the table is used.
/// </summary>
public sealed class AuthThrottle(int accountLimit, int addressLimit, TimeSpan window, TimeSpan lockout, TimeProvider time)
{
    private const int MaxEntries = 100_000;
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public bool IsLockedOut(string? account, string address) =>
        (account is not null && Locked("a:" + account)) || Locked("i:" + address);

    public void RecordFailure(string? account, string address)
    {
        if (account is not null)
        {
            Record("a:" + account, accountLimit);
        }

        Record("i:" + address, addressLimit);
    }

    /// <summary>A successful login clears the account's count (not the address's).</summary>
    public void RecordSuccess(string account) => _entries.TryRemove("a:" + account, out _);

    private bool Locked(string key)
    {
        if (!_entries.TryGetValue(key, out Entry? entry))
        {
            return false;
        }

        lock (entry)
        {
            return entry.LockedUntil > time.GetUtcNow();
        }
    }

    private void Record(string key, int limit)
    {
        DateTimeOffset now = time.GetUtcNow();
        if (_entries.Count > MaxEntries)
        {
            Sweep(now);
        }

        Entry entry = _entries.GetOrAdd(key, static _ => new Entry());
        lock (entry)
        {
            if (entry.LockedUntil > now)
            {
                return;
            }

            if (now - entry.WindowStart > window)
            {
                entry.WindowStart = now;
                entry.Failures = 0;
            }

            if (++entry.Failures >= limit)
            {
                entry.LockedUntil = now + lockout;
                entry.Failures = 0;
                entry.WindowStart = now;
            }
        }
    }

    private void Sweep(DateTimeOffset now)
    {
        foreach (var (key, entry) in _entries)
        {
            bool stale;
            lock (entry)
            {
                stale = entry.LockedUntil <= now && now - entry.WindowStart > window;
            }

            if (stale)
            {
                _entries.TryRemove(key, out _);
            }
        }
    }

    private sealed class Entry
    {
        public DateTimeOffset WindowStart;
        public int Failures;
        public DateTimeOffset LockedUntil;
    }
}
