namespace EdgeNode.Gpio;

public enum GpioDirection { Input, Output }

public enum GpioBias { AsIs, PullUp, PullDown, Disabled }

public enum GpioEdge { None, Rising, Falling, Both }

public enum GpioDrive { PushPull, OpenDrain, OpenSource }

/// <summary>How one line is requested. Values are logical: with <see cref="ActiveLow"/> a low level reads as true.</summary>
public sealed record GpioLineSettings
{
    public GpioDirection Direction { get; init; } = GpioDirection.Input;
    public bool ActiveLow { get; init; }
    public GpioBias Bias { get; init; } = GpioBias.AsIs;
    public GpioEdge Edge { get; init; } = GpioEdge.None;
    /// <summary>Edges closer together than this are one edge (contact bounce); zero for none.</summary>
    public TimeSpan Debounce { get; init; }
    public GpioDrive Drive { get; init; } = GpioDrive.PushPull;
    /// <summary>The value an output takes the moment it is requested.</summary>
    public bool InitialValue { get; init; }
}

/// <summary>A debounced edge on an input line: <see cref="Rising"/> is inactive-to-active in logical terms.</summary>
public readonly record struct GpioEdgeEvent(int Offset, bool Rising, long TimestampNs, uint Sequence);

/// <summary>What the chip says about one of its lines.</summary>
public sealed record GpioLineInfo(int Offset, string Name, string Consumer, bool Used, GpioDirection Direction, bool ActiveLow);

public sealed class GpioException(string message, Exception? inner = null) : Exception(message, inner);

public interface IGpioChip : IDisposable
{
    /// <summary>The kernel's name (gpiochip0) or the simulated chip's.</summary>
    string Name { get; }
    /// <summary>What the driver calls the chip (pinctrl-bcm2711, pinctrl-rp1, ...); this is how configuration finds it.</summary>
    string Label { get; }
    int LineCount { get; }
    GpioLineInfo GetLineInfo(int offset);
    /// <summary>Takes one line for this process; <paramref name="consumer"/> shows up in `gpioinfo` as its user.</summary>
    IGpioLine RequestLine(int offset, GpioLineSettings settings, string consumer);
}

public interface IGpioLine : IDisposable
{
    int Offset { get; }
    GpioLineSettings Settings { get; }
    /// <summary>The logical value now.</summary>
    bool Read();
    /// <summary>Drives an output line to a logical value.</summary>
    void Write(bool value);
    /// <summary>The next edge on an input requested with an edge setting.</summary>
    ValueTask<GpioEdgeEvent> ReadEdgeAsync(CancellationToken cancellationToken);
}
