using System.Collections.Concurrent;

namespace EdgeNode.Matrix.Users;

/// <summary>
/// Counts failed logins per account and per client address over a sliding minute. Past the limit a login is
/// refused with M_LIMIT_EXCEEDED before the password is even checked, so guessing stays slow and PBKDF2 work
/// cannot be forced on the node.
/// </summary>
public sealed class LoginLimiter(int failuresPerMinute, TimeProvider time)
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private const int MaxTracked = 10_000;
    private readonly ConcurrentDictionary<string, Queue<DateTimeOffset>> _failures = new(StringComparer.Ordinal);

    /// <summary>Null when a login may be tried now; otherwise how long to wait.</summary>
    public TimeSpan? RetryAfter(string account, string address)
    {
        var now = time.GetUtcNow();
        TimeSpan? wait = null;
        foreach (var key in Keys(account, address))
        {
            if (!_failures.TryGetValue(key, out var queue)) continue;
            lock (queue)
            {
                while (queue.Count > 0 && now - queue.Peek() >= Window) queue.Dequeue();
                if (queue.Count >= failuresPerMinute)
                {
                    var w = queue.Peek() + Window - now;
                    if (wait is null || w > wait) wait = w;
                }
            }
        }
        return wait;
    }

    public void Failed(string account, string address)
    {
        if (_failures.Count > MaxTracked) _failures.Clear();
        var now = time.GetUtcNow();
        foreach (var key in Keys(account, address))
        {
            var queue = _failures.GetOrAdd(key, _ => new Queue<DateTimeOffset>());
            lock (queue) queue.Enqueue(now);
        }
    }

    private static string[] Keys(string account, string address) => ["u:" + account, "a:" + address];
}
