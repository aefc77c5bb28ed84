namespace EdgeNode.Matrix.Storage;

/// <summary>
/// Wakes the long-polling syncs that watch a room, for changes that concern only that room's members (typing).
/// Changes everyone may need to see go through <see cref="StreamClock"/>, which wakes every waiting sync.
/// </summary>
public sealed class RoomWakeups
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, List<Watch>> _byRoom = new(StringComparer.Ordinal);

    /// <summary>Starts watching rooms; dispose the watch when the sync no longer waits.</summary>
    public Watch Start(IEnumerable<string> roomIds)
    {
        var watch = new Watch(this, [.. roomIds.Distinct(StringComparer.Ordinal)]);
        lock (_lock)
        {
            foreach (var room in watch.Rooms)
            {
                if (!_byRoom.TryGetValue(room, out var list)) _byRoom[room] = list = [];
                list.Add(watch);
            }
        }
        return watch;
    }

    public void Wake(string roomId)
    {
        Watch[] woken;
        lock (_lock)
        {
            if (!_byRoom.TryGetValue(roomId, out var list)) return;
            woken = [.. list];
        }
        foreach (var watch in woken) watch.Signal();
    }

    /// <summary>How many syncs watch a room now.</summary>
    public int Watching(string roomId)
    {
        lock (_lock) return _byRoom.TryGetValue(roomId, out var list) ? list.Count : 0;
    }

    private void Stop(Watch watch)
    {
        lock (_lock)
        {
            foreach (var room in watch.Rooms)
            {
                if (!_byRoom.TryGetValue(room, out var list)) continue;
                list.Remove(watch);
                if (list.Count == 0) _byRoom.Remove(room);
            }
        }
    }

    public sealed class Watch : IDisposable
    {
        private readonly RoomWakeups _owner;
        private readonly TaskCompletionSource _woken = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _disposed;

        internal Watch(RoomWakeups owner, string[] rooms)
        {
            _owner = owner;
            Rooms = rooms;
        }

        internal string[] Rooms { get; }

        /// <summary>Completes when one of the watched rooms changed.</summary>
        public Task Woken => _woken.Task;

        internal void Signal() => _woken.TrySetResult();

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) _owner.Stop(this);
        }
    }
}
