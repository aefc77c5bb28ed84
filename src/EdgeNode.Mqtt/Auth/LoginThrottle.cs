namespace EdgeNode.Mqtt.Auth;

/// <summary>
/// Failed logins counted per source address and per user name in a sliding window: past the limit, further
/// attempts for that address or name are refused without checking the password until the window has passed.
/// </summary>
public sealed class LoginThrottle(int maxFailures = 5, TimeSpan? window = null, TimeProvider? time = null)
{
    private readonly TimeSpan _window = window ?? TimeSpan.FromMinutes(1);
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Dictionary<string, Queue<long>> _failures = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public bool IsBlocked(string address, string? user)
    {
        lock (_lock)
        {
            long now = _time.GetTimestamp();
            return Count("ip:" + address, now) >= maxFailures || (user is not null && Count("user:" + user, now) >= maxFailures);
        }
    }

    public void Failed(string address, string? user)
    {
        lock (_lock)
        {
            long now = _time.GetTimestamp();
            Add("ip:" + address, now);
            if (user is not null)
            {
                Add("user:" + user, now);
            }

            // Keep the table small under a spray of names or addresses.
            if (_failures.Count > 10_000)
            {
                foreach (string key in _failures.Keys.ToArray())
                {
                    if (Count(key, now) == 0)
                    {
                        _failures.Remove(key);
                    }
                }
            }
        }
    }

    private void Add(string key, long now)
    {
        if (!_failures.TryGetValue(key, out Queue<long>? times))
        {
            _failures[key] = times = new Queue<long>();
        }

        times.Enqueue(now);
        while (times.Count > maxFailures)
        {
            times.Dequeue();
        }
    }

    private int Count(string key, long now)
    {
        if (!_failures.TryGetValue(key, out Queue<long>? times))
        {
            return 0;
        }

        while (times.Count > 0 && _time.GetElapsedTime(times.Peek(), now) > _window)
        {
            times.Dequeue();
        }

        if (times.Count == 0)
        {
            _failures.Remove(key);
        }

        return times.Count;
    }
}
