namespace EdgeNode.Core.Accounts;

/// <summary>
/// One counter of the login guard: failures that cost nothing up to a free number, then a wait that doubles from one
/// second with each further failure up to a cap. Callers hold its lock.
/// </summary>
internal sealed class GuessCounter
{
    /// <summary>Wrong passwords remembered per account and address (keyed hashes), so a repeat counts once.</summary>
    private const int MaxPasswords = 32;

    private List<ulong>? _passwords;

    public int Failures { get; private set; }

    public DateTimeOffset LastFailure { get; private set; }

    public DateTimeOffset WaitUntil { get; private set; }

    /// <summary>The wait after the <paramref name="failures"/>th failure: none while free, then 1 s, 2 s, 4 s ... up to <paramref name="max"/>.</summary>
    public static TimeSpan Delay(int failures, int free, TimeSpan max)
    {
        int doublings = failures - free - 1;
        if (doublings < 0)
        {
            return TimeSpan.Zero;
        }

        return doublings >= 30 ? max : TimeSpan.FromSeconds(Math.Min(1L << doublings, max.TotalSeconds));
    }

    /// <summary>True once <paramref name="window"/> has passed after the last failure's wait with no new failure.</summary>
    public bool IsForgotten(DateTimeOffset now, TimeSpan window) =>
        Failures > 0 && now > (WaitUntil > LastFailure ? WaitUntil : LastFailure) + window;

    /// <summary>Starts afresh when the count has been forgotten.</summary>
    public void Forget(DateTimeOffset now, TimeSpan window)
    {
        if (IsForgotten(now, window))
        {
            Failures = 0;
            _passwords?.Clear();
        }
    }

    /// <summary>Remembers a wrong password's fingerprint; false when it was tried before (the failure is not counted again).</summary>
    public bool NewPassword(ulong fingerprint, DateTimeOffset now)
    {
        _passwords ??= [];
        if (_passwords.Contains(fingerprint))
        {
            return false;
        }

        if (_passwords.Count >= MaxPasswords)
        {
            _passwords.RemoveAt(0);
        }

        _passwords.Add(fingerprint);
        return true;
    }

    /// <summary>Counts one failure and starts the wait it earns.</summary>
    public void Fail(DateTimeOffset now, int free, TimeSpan max)
    {
        Failures++;
        LastFailure = now;
        DateTimeOffset until = now + Delay(Failures, free, max);
        if (until > WaitUntil)
        {
            WaitUntil = until;
        }
    }
}
