using EdgeNode.Matrix.Storage;

namespace EdgeNode.Matrix.Users;

/// <summary>
/// Who is typing in which room. Typing is ephemeral and never stored: each change takes a stream position so
/// that syncs see it, and a timer ends notifications whose timeout ran out (which is a change too). A change wakes
/// only the syncs that watch its room (<see cref="RoomWakeups"/>), not every waiting sync of the node.
/// </summary>
public sealed class TypingTracker : IDisposable
{
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(2);
    private readonly StreamClock _clock;
    private readonly RoomWakeups _wakeups;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Room> _rooms = new(StringComparer.Ordinal);
    private readonly ITimer _timer;

    private sealed class Room
    {
        public readonly Dictionary<string, DateTimeOffset> Until = new(StringComparer.Ordinal);
        public long Stream;
    }

    public TypingTracker(StreamClock clock, RoomWakeups wakeups, TimeProvider time)
    {
        _clock = clock;
        _wakeups = wakeups;
        _time = time;
        _timer = time.CreateTimer(_ => Expire(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    public void Set(string roomId, string userId, bool typing, TimeSpan timeout)
    {
        if (timeout > MaxTimeout) timeout = MaxTimeout;
        var position = _clock.Begin();
        lock (_lock)
        {
            if (!_rooms.TryGetValue(roomId, out var room)) _rooms[roomId] = room = new Room();
            if (typing) room.Until[userId] = _time.GetUtcNow() + timeout;
            else room.Until.Remove(userId);
            room.Stream = position;
        }
        _clock.End(position, wakeAll: false);
        _wakeups.Wake(roomId);
    }

    /// <summary>The users typing in a room, when that changed after <paramref name="since"/>; null when unchanged.</summary>
    public List<string>? ChangedSince(string roomId, long since)
    {
        lock (_lock)
        {
            if (!_rooms.TryGetValue(roomId, out var room) || room.Stream <= since) return null;
            return [.. room.Until.Keys.Order(StringComparer.Ordinal)];
        }
    }

    private void Expire()
    {
        var now = _time.GetUtcNow();
        List<string>? expired = null;
        lock (_lock)
        {
            foreach (var (roomId, room) in _rooms)
                foreach (var (user, until) in room.Until)
                    if (until <= now) (expired ??= []).Add(roomId + "\n" + user);
        }
        if (expired is null) return;
        foreach (var entry in expired)
        {
            var parts = entry.Split('\n');
            Set(parts[0], parts[1], false, TimeSpan.Zero);
        }
    }

    public void Dispose() => _timer.Dispose();
}
