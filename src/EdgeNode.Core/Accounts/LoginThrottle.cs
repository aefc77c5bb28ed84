using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using EdgeNode.Core.Addressing;
using EdgeNode.Core.Configuration;

namespace EdgeNode.Core.Accounts;

/// <summary>
/// One guard against password guessing for every protocol of the node: XMPP, Matrix and MQTT logins share it,
/// because they share the accounts (a guess over Matrix must count against the same budget as one over XMPP).
/// </summary>
/// <remarks>
/// Three counters (<see cref="GuessCounter"/>), each with a few free failures and then a wait that doubles from one
/// second with every further failure, up to <see cref="LoginOptions.MaxDelay"/>; a count is forgotten once
/// <see cref="LoginOptions.Window"/> passes after its wait with no new failure:
/// <list type="bullet">
/// <item>per account and address (<see cref="LoginOptions.FailuresPerAccount"/> free): one name guessed from one place;</item>
/// <item>per address (<see cref="LoginOptions.FailuresPerAddress"/> free; IPv6 counted per /64), whatever the names:
/// made-up names or a spray of real ones from one place;</item>
/// <item>per account from everywhere (four times <see cref="LoginOptions.FailuresPerAccount"/> free): a guess spread
/// over many addresses.</item>
/// </list>
/// An address the account logged in from before is held only to its own pair count, so guessing from elsewhere, or
/// made-up names from the same household, cannot keep the owner out of their own account.
/// What counts as one failure: the same wrong password tried again for an account from an address counts once
/// (only a keyed hash of it is kept, for the window); a connection that already counted a failure for an account
/// counts no more for it (a client that retries its next SASL mechanism after a failure), except for a password it
/// shows that was not tried before on that connection.
/// </remarks>
public sealed class LoginThrottle
{
    /// <summary>Most counters kept at once (each a few dozen bytes).</summary>
    public const int MaxEntries = 50_000;

    /// <summary>Addresses remembered per account as having logged in successfully.</summary>
    private const int MaxTrustedAddresses = 16;

    /// <summary>How long a successful login keeps its address trusted for the account.</summary>
    private static readonly TimeSpan TrustPeriod = TimeSpan.FromDays(30);

    private readonly LoginOptions _options;
    private readonly TimeProvider _time;
    private readonly ILoginUnlocks? _unlocks;
    private readonly DateTimeOffset _started;
    private readonly byte[] _passwordKey = RandomNumberGenerator.GetBytes(32);
    private readonly ConcurrentDictionary<string, GuessCounter> _counters = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TrustedAddresses> _trusted = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _appliedUnlocks = new(StringComparer.Ordinal);

    /// <param name="options">The limits.</param>
    /// <param name="time">The clock.</param>
    /// <param name="unlocks">Where `edgenode user unlock` leaves its requests; consulted only while a wait is in force.</param>
    public LoginThrottle(LoginOptions options, TimeProvider time, ILoginUnlocks? unlocks = null)
    {
        _options = options;
        _time = time;
        _unlocks = unlocks;
        _started = time.GetUtcNow();
    }

    /// <summary>The limits in force.</summary>
    public LoginOptions Options => _options;

    /// <summary>
    /// Null when a login of <paramref name="account"/> (null when no name is known yet) from
    /// <paramref name="address"/> may be tried now; otherwise how long the caller must wait.
    /// </summary>
    public TimeSpan? RetryAfter(string? account, string address)
    {
        TimeSpan? wait = Wait(account, address);
        if (wait is not null && account is not null && _unlocks?.UnlockedAt(account) is { } at
            && at > _appliedUnlocks.GetValueOrDefault(account, _started))
        {
            _appliedUnlocks[account] = at;
            Unlock(account);
            wait = Wait(account, address);
        }

        return wait;
    }

    public bool IsLockedOut(string? account, string address) => RetryAfter(account, address) is not null;

    /// <summary>
    /// Counts a failed login (or anything else that should cost like one, such as a registration, with no account).
    /// <paramref name="password"/> is the wrong password when the mechanism showed it (PLAIN, Matrix, MQTT), so a
    /// repeat counts once; <paramref name="connection"/> is the connection's own record, when several attempts can
    /// share one connection (XMPP SASL). Returns whether the failure was counted.
    /// </summary>
    public bool RecordFailure(string? account, string address, string? password = null, LoginCharges? connection = null)
    {
        DateTimeOffset now = _time.GetUtcNow();
        string source = ClientAddress.Key(address);
        MakeRoom(now);
        if (account is not null)
        {
            GuessCounter pair = _counters.GetOrAdd(PairKey(account, source), static _ => new GuessCounter());
            ulong? fingerprint = password is null ? null : Fingerprint(account, password);
            bool alreadyCharged = connection is not null && connection.HasCharged(account);
            lock (pair)
            {
                pair.Forget(now, _options.Window);
                if (fingerprint is { } tried && !pair.NewPassword(tried, now))
                {
                    return false;
                }

                if (alreadyCharged && connection!.TakeUnseenCharge(account, fingerprint is not null))
                {
                    return false;
                }

                pair.Fail(now, _options.FailuresPerAccount, _options.MaxDelay);
            }

            connection?.Charge(account, fingerprint is null);
            Count(GlobalKey(account), _options.FailuresPerAccount * 4, now);
        }

        Count(AddressKey(source), _options.FailuresPerAddress, now);
        return true;
    }

    /// <summary>
    /// A successful login clears the count of this account from this address and trusts the address for the
    /// account; the address's own count and the account's count from elsewhere stay.
    /// </summary>
    public void RecordSuccess(string account, string address)
    {
        DateTimeOffset now = _time.GetUtcNow();
        string source = ClientAddress.Key(address);
        _counters.TryRemove(PairKey(account, source), out _);
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

    /// <summary>
    /// Forgets every failure counted for <paramref name="account"/>: its pair counts, the counts of the addresses
    /// it failed from, and its count from everywhere (`edgenode user unlock`). Returns how many counters went.
    /// </summary>
    public int Unlock(string account)
    {
        int removed = _counters.TryRemove(GlobalKey(account), out _) ? 1 : 0;
        string prefix = "p:" + account + "|";
        foreach (string key in _counters.Keys)
        {
            if (key.StartsWith(prefix, StringComparison.Ordinal) && _counters.TryRemove(key, out _))
            {
                removed++;
                removed += _counters.TryRemove(AddressKey(key[prefix.Length..]), out _) ? 1 : 0;
            }
        }

        return removed;
    }

    /// <summary>Counters held now; for tests of the memory bound.</summary>
    public int Count() => _counters.Count;

    private TimeSpan? Wait(string? account, string address)
    {
        DateTimeOffset now = _time.GetUtcNow();
        string source = ClientAddress.Key(address);
        if (account is null)
        {
            return WaitOf(AddressKey(source), now);
        }

        TimeSpan? wait = WaitOf(PairKey(account, source), now);
        if (!IsTrusted(account, source, now))
        {
            wait = Longer(wait, Longer(WaitOf(AddressKey(source), now), WaitOf(GlobalKey(account), now)));
        }

        return wait;
    }

    private static string PairKey(string account, string source) => "p:" + account + "|" + source;

    private static string AddressKey(string source) => "i:" + source;

    private static string GlobalKey(string account) => "a:" + account;

    /// <summary>A keyed hash of a wrong password, never the password; the key lives only in this process.</summary>
    private ulong Fingerprint(string account, string password)
    {
        byte[] input = Encoding.UTF8.GetBytes(account + "\0" + password);
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_passwordKey, input, mac);
        CryptographicOperations.ZeroMemory(input);
        return BitConverter.ToUInt64(mac);
    }

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

    private TimeSpan? WaitOf(string key, DateTimeOffset now)
    {
        if (!_counters.TryGetValue(key, out GuessCounter? counter))
        {
            return null;
        }

        lock (counter)
        {
            return counter.WaitUntil > now ? counter.WaitUntil - now : null;
        }
    }

    private void Count(string key, int free, DateTimeOffset now)
    {
        GuessCounter counter = _counters.GetOrAdd(key, static _ => new GuessCounter());
        lock (counter)
        {
            counter.Forget(now, _options.Window);
            counter.Fail(now, free, _options.MaxDelay);
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

            // First what has been forgotten; then, if a spray of names or addresses still fills the table, the
            // counters that hold no wait, oldest failure first, until a tenth of the room is free again.
            var idle = new List<(DateTimeOffset Last, string Key)>();
            foreach (var (key, counter) in _counters)
            {
                lock (counter)
                {
                    if (counter.WaitUntil > now)
                    {
                        continue;
                    }

                    if (counter.IsForgotten(now, _options.Window))
                    {
                        _counters.TryRemove(key, out _);
                    }
                    else
                    {
                        idle.Add((counter.LastFailure, key));
                    }
                }
            }

            int excess = _counters.Count - (MaxEntries - (MaxEntries / 10));
            if (excess <= 0)
            {
                return;
            }

            idle.Sort(static (a, b) => a.Last.CompareTo(b.Last));
            foreach (var (_, key) in idle.Take(excess))
            {
                _counters.TryRemove(key, out _);
            }
        }
    }

    private static TimeSpan? Longer(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : (a > b ? a : b);

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
