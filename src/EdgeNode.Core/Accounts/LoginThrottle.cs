using System.Collections.Concurrent;
using EdgeNode.Core.Addressing;
using EdgeNode.Core.Configuration;

namespace EdgeNode.Core.Accounts;

/// <summary>
/// One guard against password guessing for every protocol of the node: XMPP, Matrix and MQTT logins share it,
/// because they share the accounts (a guess over Matrix must count against the same budget as one over XMPP).
/// </summary>
/// <remarks>
/// Three counters, each over <see cref="LoginOptions.Window"/>, each locking out for <see cref="LoginOptions.Lockout"/>
/// once it reaches its limit:
/// <list type="bullet">
/// <item>per address (IPv6 counted per /64, since one host owns a whole /64): many names guessed from one place;</item>
/// <item>per account and address: one name guessed from one place;</item>
/// <item>per account from everywhere, at four times the account limit: a guess spread over many addresses. This
/// lock does not apply to addresses that logged into the account successfully before, so guessing from elsewhere
/// cannot lock the owner out of their own account (a lockout by user name alone would be a denial of service
/// anyone could aim at anyone).</item>
/// </list>
/// Memory stays bounded: stale entries are swept as the table fills, and past the bound the entries closest to
/// expiry that do not hold a lock are dropped first.
/// </remarks>
public sealed class LoginThrottle(LoginOptions options, TimeProvider time)
{
    /// <summary>Most counters kept at once (each a few dozen bytes).</summary>
    public const int MaxEntries = 50_000;

    /// <summary>Addresses remembered per account as having logged in successfully.</summary>
    private const int MaxTrustedAddresses = 16;

    /// <summary>How long a successful login keeps its address trusted for the account.</summary>
    private static readonly TimeSpan TrustPeriod = TimeSpan.FromDays(30);

    private readonly ConcurrentDictionary<string, Counter> _counters = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TrustedAddresses> _trusted = new(StringComparer.Ordinal);

    /// <summary>The limits in force.</summary>
    public LoginOptions Options => options;

    /// <summary>
    /// Null when a login of <paramref name="account"/> (null when the name is not known yet) from
    /// <paramref name="address"/> may be tried now; otherwise how long the caller must wait.
    /// </summary>
    public TimeSpan? RetryAfter(string? account, string address)
    {
        DateTimeOffset now = time.GetUtcNow();
        string source = ClientAddress.Key(address);
        TimeSpan? wait = Locked("i:" + source, now);
        if (account is not null)
        {
            wait = Longer(wait, Locked("p:" + account + "|" + source, now));
            if (!IsTrusted(account, source, now))
            {
                wait = Longer(wait, Locked("a:" + account, now));
            }
        }

        return wait;
    }

    public bool IsLockedOut(string? account, string address) => RetryAfter(account, address) is not null;

    /// <summary>Counts a failed login (or anything else that should cost like one, such as a registration).</summary>
    public void RecordFailure(string? account, string address)
    {
        DateTimeOffset now = time.GetUtcNow();
        string source = ClientAddress.Key(address);
        MakeRoom(now);
        Count("i:" + source, options.FailuresPerAddress, now);
        if (account is not null)
        {
            Count("p:" + account + "|" + source, options.FailuresPerAccount, now);
            Count("a:" + account, options.FailuresPerAccount * 4, now);
        }
    }

    /// <summary>
    /// A successful login clears the count of this account from this address and trusts the address for the
    /// account; the address's own count and the account's count from elsewhere stay.
    /// </summary>
    public void RecordSuccess(string account, string address)
    {
        DateTimeOffset now = time.GetUtcNow();
        string source = ClientAddress.Key(address);
        _counters.TryRemove("p:" + account + "|" + source, out _);
        if (_trusted.Count >= MaxEntries && !_trusted.ContainsKey(account))
        {
            return;
        }

        TrustedAddresses trusted = _trusted.GetOrAdd(account, static _ => new TrustedAddresses());
        lock (trusted)
        {
            trusted.Add(source, now);
        }
    }

    /// <summary>Counters held now; for tests of the memory bound.</summary>
    public int Count() => _counters.Count;

    private bool IsTrusted(string account, string source, DateTimeOffset now)
    {
        if (!_trusted.TryGetValue(account, out TrustedAddresses? trusted))
        {
            return false;
        }

        lock (trusted)
        {
            return trusted.Contains(source, now - TrustPeriod);
        }
    }

    private TimeSpan? Locked(string key, DateTimeOffset now)
    {
        if (!_counters.TryGetValue(key, out Counter? counter))
        {
            return null;
        }

        lock (counter)
        {
            return counter.LockedUntil > now ? counter.LockedUntil - now : null;
        }
    }

    private void Count(string key, int limit, DateTimeOffset now)
    {
        Counter counter = _counters.GetOrAdd(key, static _ => new Counter());
        lock (counter)
        {
            if (counter.LockedUntil > now)
            {
                return;
            }

            if (now - counter.WindowStart > options.Window)
            {
                counter.WindowStart = now;
                counter.Failures = 0;
            }

            if (++counter.Failures >= limit)
            {
                counter.LockedUntil = now + options.Lockout;
                counter.Failures = 0;
                counter.WindowStart = now;
            }
        }
    }

    private void MakeRoom(DateTimeOffset now)
    {
        if (_counters.Count < MaxEntries)
        {
            return;
        }

        lock (_counters)
        {
            if (_counters.Count < MaxEntries)
            {
                return;
            }

            // First what has expired; then, if a spray of names or addresses still fills the table, the unlocked
            // counters with the oldest windows until a tenth of the room is free again.
            var unlocked = new List<(DateTimeOffset Start, string Key)>();
            foreach (var (key, counter) in _counters)
            {
                lock (counter)
                {
                    if (counter.LockedUntil > now)
                    {
                        continue;
                    }

                    if (now - counter.WindowStart > options.Window)
                    {
                        _counters.TryRemove(key, out _);
                    }
                    else
                    {
                        unlocked.Add((counter.WindowStart, key));
                    }
                }
            }

            int excess = _counters.Count - (MaxEntries - (MaxEntries / 10));
            if (excess <= 0)
            {
                return;
            }

            unlocked.Sort(static (a, b) => a.Start.CompareTo(b.Start));
            foreach (var (_, key) in unlocked.Take(excess))
            {
                _counters.TryRemove(key, out _);
            }
        }
    }

    private static TimeSpan? Longer(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : (a > b ? a : b);

    private sealed class Counter
    {
        public DateTimeOffset WindowStart;
        public int Failures;
        public DateTimeOffset LockedUntil;
    }

    /// <summary>The few addresses an account last logged in from, each with when.</summary>
    private sealed class TrustedAddresses
    {
        private readonly List<(string Source, DateTimeOffset At)> _entries = [];

        public void Add(string source, DateTimeOffset now)
        {
            _entries.RemoveAll(e => e.Source == source);
            if (_entries.Count >= MaxTrustedAddresses)
            {
                _entries.RemoveAt(0);
            }

            _entries.Add((source, now));
        }

        public bool Contains(string source, DateTimeOffset notBefore) =>
            _entries.Exists(e => e.Source == source && e.At >= notBefore);
    }
}
