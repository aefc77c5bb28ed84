namespace EdgeNode.Matrix.Storage;

/// <summary>
/// The node-wide position of everything a client syncs. A writer takes a position with <see cref="Begin"/>
/// inside its transaction and ends it after the commit (or the rollback); <see cref="Current"/> only moves past a
/// position once every position before it is ended, so a sync never reports a position whose data a reader could
/// not yet see. Long-polling syncs wait on <see cref="WaitAsync"/>.
/// </summary>
public sealed class StreamClock
{
    private readonly Lock _lock = new();
    private readonly SortedSet<long> _pending = [];
    private long _last;
    private long _current;
    private long _lastWakingEnd;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public StreamClock(long start)
    {
        _last = start;
        _current = start;
    }

    public long Current => Volatile.Read(ref _current);

    /// <summary>What the syncs waiting now wait on: it completes, inside <see cref="End"/>, when a change wakes them all.</summary>
    internal Task Changed
    {
        get
        {
            lock (_lock) return _changed.Task;
        }
    }

    public long Begin()
    {
        lock (_lock)
        {
            var id = ++_last;
            _pending.Add(id);
            return id;
        }
    }

    /// <summary>
    /// Ends a position. With <paramref name="wakeAll"/> false (a change only some syncs care about, which the caller
    /// wakes itself) waiting syncs are not woken, unless the position moving on uncovers a change that wakes all.
    /// </summary>
    public void End(long id, bool wakeAll = true)
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            if (!_pending.Remove(id)) return;
            var before = _current;
            Volatile.Write(ref _current, _pending.Count == 0 ? _last : _pending.Min - 1);
            if (wakeAll) _lastWakingEnd = Math.Max(_lastWakingEnd, id);
            else if (_current == before || _lastWakingEnd <= before) return;
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        changed.TrySetResult();
    }

    /// <summary>Completes when the position moves past <paramref name="position"/>, or after the timeout, or on cancellation.</summary>
    public async Task WaitAsync(long position, TimeSpan timeout, CancellationToken cancel)
    {
        Task changed;
        lock (_lock)
        {
            if (_current > position) return;
            changed = _changed.Task;
        }
        try
        {
            await changed.WaitAsync(timeout, cancel).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
    }
}
