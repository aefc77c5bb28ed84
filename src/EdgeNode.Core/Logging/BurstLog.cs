namespace EdgeNode.Core.Logging;

/// <summary>
/// Turns a burst of the same event (refused connections, refused peers) into one log line with a count: the first
/// event is logged at once, later ones are counted and logged together at most once per interval, when the next one
/// comes. Thread-safe.
/// </summary>
public sealed class BurstLog(TimeProvider time, TimeSpan interval)
{
    private readonly Lock _lock = new();
    private int _counted;
    private long _lastLine;
    private bool _logged;

    /// <summary>
    /// Counts one event; true when a line is due now, with <paramref name="count"/> the events it stands for (this one
    /// and those counted since the last line).
    /// </summary>
    public bool Count(out int count)
    {
        lock (_lock)
        {
            _counted++;
            long now = time.GetTimestamp();
            if (_logged && time.GetElapsedTime(_lastLine, now) < interval)
            {
                count = 0;
                return false;
            }

            _logged = true;
            _lastLine = now;
            count = _counted;
            _counted = 0;
            return true;
        }
    }
}
