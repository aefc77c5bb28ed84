using System.Threading.Channels;

namespace EdgeNode.Core.Devices;

/// <summary>
/// A front-end's queue of device changes; dispose it to stop receiving. Changes that shape what a front-end shows
/// (a device added, described, renamed, gone, its availability or access) are queued in order and never dropped:
/// a front-end that missed a device's arrival would ignore it for good. Readings are coalesced: while a device's
/// readings wait to be taken, newer reports merge into them (the latest value of each reading wins), so a slow
/// front-end holds at most one waiting readings change per device and still sees the newest values.
/// </summary>
public sealed class DeviceSubscription : IDisposable
{
    private readonly DeviceRegistry _registry;
    private readonly Channel<Entry> _channel = Channel.CreateUnbounded<Entry>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _gate = new();
    // Readings queued and not taken yet, by device; later reports merge into them until another change of the
    // device is queued (readings after it then queue after it).
    private readonly Dictionary<DeviceKey, Waiting> _waiting = [];
    private long _merged;

    internal DeviceSubscription(DeviceRegistry registry)
    {
        _registry = registry;
        Reader = new EntryReader(this);
    }

    public ChannelReader<DeviceChange> Reader { get; }

    /// <summary>Reports merged into readings that were still waiting (each saves the front-end one change).</summary>
    public long MergedReadings => Interlocked.Read(ref _merged);

    internal void Write(DeviceChange change)
    {
        lock (_gate)
        {
            DeviceKey key = change.Device.Key;
            if (change.Kind != DeviceChangeKind.Readings)
            {
                _waiting.Remove(key);
                _channel.Writer.TryWrite(new Entry(change, null));
                return;
            }

            if (_waiting.TryGetValue(key, out Waiting? waiting))
            {
                waiting.Change = Merge(waiting.Change, change);
                _merged++;
                return;
            }

            waiting = new Waiting(change);
            _waiting[key] = waiting;
            _channel.Writer.TryWrite(new Entry(null, waiting));
        }
    }

    public void Dispose()
    {
        _registry.Unsubscribe(this);
        _channel.Writer.TryComplete();
    }

    private DeviceChange Take(Entry entry)
    {
        if (entry.Waiting is not { } waiting) return entry.Change!;
        lock (_gate)
        {
            DeviceKey key = waiting.Change.Device.Key;
            if (_waiting.TryGetValue(key, out Waiting? current) && ReferenceEquals(current, waiting)) _waiting.Remove(key);
            return waiting.Change;
        }
    }

    private static DeviceChange Merge(DeviceChange older, DeviceChange newer)
    {
        var readings = new List<Reading>(older.Readings.Count + newer.Readings.Count);
        foreach (Reading reading in older.Readings)
        {
            if (!Contains(newer.Readings, reading.Key)) readings.Add(reading);
        }

        readings.AddRange(newer.Readings);
        return newer with { Previous = older.Previous, Readings = readings };
    }

    private static bool Contains(IReadOnlyList<Reading> readings, string key)
    {
        foreach (Reading reading in readings)
        {
            if (reading.Key == key) return true;
        }

        return false;
    }

    private sealed class Waiting(DeviceChange change)
    {
        public DeviceChange Change = change;
    }

    private readonly record struct Entry(DeviceChange? Change, Waiting? Waiting);

    private sealed class EntryReader(DeviceSubscription owner) : ChannelReader<DeviceChange>
    {
        public override Task Completion => owner._channel.Reader.Completion;

        public override bool TryRead(out DeviceChange item)
        {
            if (!owner._channel.Reader.TryRead(out Entry entry))
            {
                item = null!;
                return false;
            }

            item = owner.Take(entry);
            return true;
        }

        public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default) =>
            owner._channel.Reader.WaitToReadAsync(cancellationToken);
    }
}
