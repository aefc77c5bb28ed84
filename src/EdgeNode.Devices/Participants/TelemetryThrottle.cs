using EdgeNode.Core.Devices;

namespace EdgeNode.Devices.Participants;

/// <summary>
/// At most one telemetry message per device per interval. The first report after a quiet interval goes out at once;
/// reports inside the interval are merged (the latest value of each reading wins) and sent together when it ends,
/// so a chatty sensor costs its owner one message per interval and the owner still sees the newest values.
/// </summary>
internal sealed class TelemetryThrottle(TimeSpan interval, TimeProvider time, Action<DeviceKey, IReadOnlyList<Reading>> send)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<DeviceKey, State> _devices = [];

    public void Offer(DeviceKey key, IReadOnlyList<Reading> readings)
    {
        if (readings.Count == 0) return;
        lock (_gate)
        {
            if (!_devices.TryGetValue(key, out var state)) _devices[key] = state = new State();
            var now = time.GetTimestamp();
            if (state.Timer is null && (state.Last is null || time.GetElapsedTime(state.Last.Value, now) >= interval))
            {
                state.Last = now;
                readings = [.. readings];
            }
            else
            {
                foreach (var reading in readings) state.Pending[reading.Key] = reading;
                if (state.Timer is null)
                {
                    var due = interval - time.GetElapsedTime(state.Last!.Value, now);
                    state.Timer = time.CreateTimer(static s =>
                    {
                        var (throttle, device) = ((TelemetryThrottle, DeviceKey))s!;
                        throttle.Flush(device);
                    },
                        (this, key), due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan);
                }
                return;
            }
        }
        send(key, readings);
    }

    public void Forget(DeviceKey key)
    {
        lock (_gate)
        {
            if (_devices.Remove(key, out var state)) state.Timer?.Dispose();
        }
    }

    private void Flush(DeviceKey key)
    {
        Reading[] readings;
        lock (_gate)
        {
            if (!_devices.TryGetValue(key, out var state) || state.Pending.Count == 0) return;
            readings = [.. state.Pending.Values];
            state.Pending.Clear();
            state.Timer?.Dispose();
            state.Timer = null;
            state.Last = time.GetTimestamp();
        }
        send(key, readings);
    }

    private sealed class State
    {
        public long? Last;
        public ITimer? Timer;
        public readonly Dictionary<string, Reading> Pending = new(StringComparer.Ordinal);
    }
}
