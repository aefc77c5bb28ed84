namespace EdgeNode.Gpio.Tests;

/// <summary>A clock the test moves by hand; timers fire when it passes their due time.</summary>
public sealed class ManualTime : TimeProvider
{
    private readonly List<ManualTimer> _timers = [];
    private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by)
    {
        var end = _now + by;
        while (true)
        {
            ManualTimer? next;
            lock (_timers) next = _timers.Where(t => t.Due <= end).OrderBy(t => t.Due).FirstOrDefault();
            if (next is null) break;
            _now = next.Due;
            lock (_timers) _timers.Remove(next);
            next.Fire();
        }
        _now = end;
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state, _now + dueTime);
        lock (_timers) _timers.Add(timer);
        return timer;
    }

    private sealed class ManualTimer(ManualTime time, TimerCallback callback, object? state, DateTimeOffset due) : ITimer
    {
        public DateTimeOffset Due { get; private set; } = due;
        public void Fire() => callback(state);
        public bool Change(TimeSpan dueTime, TimeSpan period) { Due = time._now + dueTime; return true; }
        public void Dispose() { lock (time._timers) time._timers.Remove(this); }
        public ValueTask DisposeAsync() { Dispose(); return ValueTask.CompletedTask; }
    }
}
