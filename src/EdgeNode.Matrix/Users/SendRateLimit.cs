using Microsoft.Extensions.Logging;

namespace EdgeNode.Matrix.Users;

/// <summary>
/// How fast one user's clients may write events into rooms (messages, state, redactions): a token bucket per user of
/// <c>Matrix:MessageBurst</c> events, refilled at <c>Matrix:MessagesPerSecond</c>, shared by all the user's devices.
/// Synapse's rc_message (0.2 a second, a burst of 10) is the model. Only requests through the client API are counted:
/// what the node writes itself (device users, notices) is not. Buckets exist only for local users who sent, and a
/// full bucket is the same as none, so the table is pruned of full ones when it grows. The refusals of one burst are
/// logged once, when the burst begins.
/// </summary>
public sealed class SendRateLimit
{
    // A burst of refusals ends when none came for this long; the next refusal is logged as a new burst.
    private static readonly TimeSpan BurstGap = TimeSpan.FromSeconds(10);
    private const int PruneAbove = 4096;

    private readonly Dictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly double _perSecond;
    private readonly double _burst;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public SendRateLimit(double perSecond, int burst, TimeProvider time, ILogger logger)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(perSecond);
        ArgumentOutOfRangeException.ThrowIfLessThan(burst, 1);
        _perSecond = perSecond;
        _burst = burst;
        _time = time;
        _logger = logger;
    }

    public bool Enabled => _perSecond > 0;

    /// <summary>The buckets held now (users who sent lately).</summary>
    public int Count
    {
        get
        {
            lock (_lock) return _buckets.Count;
        }
    }

    /// <summary>Takes one event from the user's bucket: null when it may be sent, else how long until it may.</summary>
    public TimeSpan? TryTake(string userId)
    {
        if (!Enabled) return null;
        var now = _time.GetTimestamp();
        var frequency = _time.TimestampFrequency;
        lock (_lock)
        {
            if (!_buckets.TryGetValue(userId, out var bucket))
            {
                if (_buckets.Count >= PruneAbove) Prune(now, frequency);
                bucket = new Bucket { Tokens = _burst, Last = now };
            }
            bucket.Tokens = Math.Min(_burst, bucket.Tokens + (now - bucket.Last) * _perSecond / frequency);
            bucket.Last = now;
            if (bucket.Tokens >= 1)
            {
                bucket.Tokens -= 1;
                _buckets[userId] = bucket;
                return null;
            }
            var wait = TimeSpan.FromSeconds((1 - bucket.Tokens) / _perSecond);
            var newBurst = bucket.RefusedInBurst == 0 || _time.GetElapsedTime(bucket.LastRefusal, now) > BurstGap;
            bucket.RefusedInBurst = newBurst ? 1 : bucket.RefusedInBurst + 1;
            bucket.LastRefusal = now;
            _buckets[userId] = bucket;
            if (newBurst) MatrixLog.SendsRateLimited(_logger, userId, _perSecond, (int)_burst);
            return wait;
        }
    }

    /// <summary>Drops the buckets that have refilled: they are as good as a fresh one.</summary>
    private void Prune(long now, long frequency)
    {
        foreach (var (user, bucket) in _buckets)
            if (bucket.Tokens + (now - bucket.Last) * _perSecond / frequency >= _burst) _buckets.Remove(user);
    }

    private struct Bucket
    {
        public double Tokens;
        public long Last;
        public long LastRefusal;
        public int RefusedInBurst;
    }
}
