using System.Threading.Channels;

namespace EdgeNode.Gpio.Chips;

/// <summary>
/// A GPIO chip in memory, with the kernel's semantics: the outside world sets input levels (<see cref="SetLevel"/>),
/// the node drives outputs (read back with <see cref="GetLevel"/>), active-low inverts, edges are logical and
/// debounced the way the kernel does it (an edge counts once the level has held for the debounce period).
/// Used by the tests end to end and by `Gpio:Chip=simulated` on machines without pins.
/// </summary>
public sealed class SimulatedGpioChip : IGpioChip
{
    private readonly Lock _lock = new();
    private readonly bool[] _levels;
    private readonly SimulatedLine?[] _requested;
    private readonly TimeProvider _time;

    public string Name { get; }
    public string Label { get; }
    public int LineCount => _levels.Length;

    public SimulatedGpioChip(string label = "edgenode-sim", int lines = 32, TimeProvider? time = null, string name = "gpiosim0")
    {
        Label = label;
        Name = name;
        _levels = new bool[lines];
        _requested = new SimulatedLine?[lines];
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The physical level of a line, as a meter on the pin would show it.</summary>
    public bool GetLevel(int offset)
    {
        lock (_lock) return _levels[offset];
    }

    /// <summary>Drives an input pin from outside (a button, a PIR sensor, a reed contact).</summary>
    public void SetLevel(int offset, bool high)
    {
        SimulatedLine? line;
        lock (_lock)
        {
            CheckOffset(offset);
            if (_requested[offset] is { Settings.Direction: GpioDirection.Output })
                throw new GpioException($"line {offset} is an output driven by the node; the simulation cannot drive it from outside");
            if (_levels[offset] == high) return;
            _levels[offset] = high;
            line = _requested[offset];
        }
        line?.LevelChanged();
    }

    /// <summary>How many edges a requested input line has reported (after its debounce); 0 for a line not requested.</summary>
    public uint EdgesReported(int offset)
    {
        lock (_lock)
        {
            CheckOffset(offset);
            return _requested[offset]?.Sequence ?? 0;
        }
    }

    public GpioLineInfo GetLineInfo(int offset)
    {
        lock (_lock)
        {
            CheckOffset(offset);
            var line = _requested[offset];
            return new GpioLineInfo(offset, $"GPIO{offset}", line?.Consumer ?? "", line is not null,
                line?.Settings.Direction ?? GpioDirection.Input, line?.Settings.ActiveLow ?? false);
        }
    }

    public IGpioLine RequestLine(int offset, GpioLineSettings settings, string consumer)
    {
        lock (_lock)
        {
            CheckOffset(offset);
            if (_requested[offset] is not null) throw new GpioException($"cannot request line {offset} of {Label}: it is in use by {_requested[offset]!.Consumer}");
            var line = new SimulatedLine(this, offset, settings, consumer);
            _requested[offset] = line;
            if (settings.Direction == GpioDirection.Output) _levels[offset] = settings.InitialValue ^ settings.ActiveLow;
            else
            {
                if (settings.Bias == GpioBias.PullUp) _levels[offset] = true;
                else if (settings.Bias == GpioBias.PullDown) _levels[offset] = false;
            }
            line.Settle();
            return line;
        }
    }

    private void Release(int offset)
    {
        lock (_lock) _requested[offset] = null;
    }

    private void CheckOffset(int offset)
    {
        if ((uint)offset >= (uint)_levels.Length) throw new GpioException($"{Label} has lines 0 to {_levels.Length - 1}; there is no line {offset}");
    }

    public void Dispose()
    {
    }

    private sealed class SimulatedLine(SimulatedGpioChip chip, int offset, GpioLineSettings settings, string consumer) : IGpioLine
    {
        private readonly Channel<GpioEdgeEvent> _edges = Channel.CreateBounded<GpioEdgeEvent>(new BoundedChannelOptions(64) { FullMode = BoundedChannelFullMode.DropOldest });
        private ITimer? _debounce;
        private bool _reported;
        private uint _sequence;
        private bool _disposed;

        public int Offset => offset;
        public GpioLineSettings Settings => settings;
        public string Consumer => consumer;

        public uint Sequence
        {
            get { lock (this) return _sequence; }
        }

        private bool Logical => chip.GetLevel(offset) ^ settings.ActiveLow;

        /// <summary>The value edges are measured from, taken when the line is requested.</summary>
        public void Settle() => _reported = chip._levels[offset] ^ settings.ActiveLow;

        public bool Read()
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return Logical;
        }

        public void Write(bool value)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (settings.Direction != GpioDirection.Output) throw new GpioException($"line {offset} is an input; it cannot be written");
            lock (chip._lock) chip._levels[offset] = value ^ settings.ActiveLow;
        }

        public ValueTask<GpioEdgeEvent> ReadEdgeAsync(CancellationToken cancellationToken)
        {
            if (settings.Direction != GpioDirection.Input || settings.Edge == GpioEdge.None)
                throw new GpioException($"line {offset} was not requested for edges");
            return _edges.Reader.ReadAsync(cancellationToken);
        }

        public void LevelChanged()
        {
            if (_disposed || settings.Direction != GpioDirection.Input || settings.Edge == GpioEdge.None) return;
            if (settings.Debounce <= TimeSpan.Zero)
            {
                Report();
                return;
            }
            // Every change restarts the wait: only a level that holds for the whole period becomes an edge.
            lock (this)
            {
                _debounce?.Dispose();
                _debounce = chip._time.CreateTimer(_ => Report(), null, settings.Debounce, Timeout.InfiniteTimeSpan);
            }
        }

        private void Report()
        {
            lock (this)
            {
                var now = Logical;
                if (now == _reported) return;
                _reported = now;
                var wanted = settings.Edge == GpioEdge.Both || (now ? settings.Edge == GpioEdge.Rising : settings.Edge == GpioEdge.Falling);
                if (!wanted) return;
                var timestamp = (long)(chip._time.GetUtcNow() - DateTimeOffset.UnixEpoch).TotalNanoseconds;
                _edges.Writer.TryWrite(new GpioEdgeEvent(offset, now, timestamp, ++_sequence));
            }
        }

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            lock (this) _debounce?.Dispose();
            _edges.Writer.TryComplete();
            chip.Release(offset);
        }
    }
}
