using System.Runtime.InteropServices;
using System.Text;
using EdgeNode.Gpio.Uapi;

namespace EdgeNode.Gpio.Chips;

/// <summary>A GPIO chip of the running kernel, through its character device (/dev/gpiochipN) and uAPI v2.</summary>
public sealed unsafe class KernelGpioChip : IGpioChip
{
    private readonly int _fd;
    private bool _disposed;

    public string Path { get; }
    public string Name { get; }
    public string Label { get; }
    public int LineCount { get; }

    public KernelGpioChip(string path)
    {
        Path = path;
        _fd = Libc.Open(path, Libc.O_RDWR | Libc.O_CLOEXEC);
        if (_fd < 0) throw Error($"cannot open {path}", Marshal.GetLastPInvokeError());
        GpioChipInfo info;
        if (Libc.Ioctl(_fd, GpioUapi.GetChipInfo, &info) < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            Libc.Close(_fd);
            throw Error($"{path} is not a GPIO chip", errno);
        }
        Name = Text(info.Name, GpioUapi.MaxNameSize);
        Label = Text(info.Label, GpioUapi.MaxNameSize);
        LineCount = (int)info.Lines;
    }

    public GpioLineInfo GetLineInfo(int offset)
    {
        CheckOffset(offset);
        GpioV2LineInfo info = default;
        info.Offset = (uint)offset;
        if (Libc.Ioctl(_fd, GpioUapi.GetLineInfo, &info) < 0) throw Error($"cannot read line {offset} of {Label}", Marshal.GetLastPInvokeError());
        return new GpioLineInfo(offset, Text(info.Name, GpioUapi.MaxNameSize), Text(info.Consumer, GpioUapi.MaxNameSize),
            (info.Flags & GpioV2LineFlags.Used) != 0,
            (info.Flags & GpioV2LineFlags.Output) != 0 ? GpioDirection.Output : GpioDirection.Input,
            (info.Flags & GpioV2LineFlags.ActiveLow) != 0);
    }

    public IGpioLine RequestLine(int offset, GpioLineSettings settings, string consumer)
    {
        CheckOffset(offset);
        var request = BuildRequest(offset, settings, consumer);
        if (Libc.Ioctl(_fd, GpioUapi.GetLine, &request) < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            var hint = errno == 16 ? " (EBUSY: another program or driver holds it; see `gpioinfo`)" : "";
            throw Error($"cannot request line {offset} of {Label}{hint}", errno);
        }
        return new KernelGpioLine(request.Fd, offset, settings);
    }

    /// <summary>The request the kernel gets for one line; separate so its encoding is testable without a chip.</summary>
    internal static GpioV2LineRequest BuildRequest(int offset, GpioLineSettings settings, string consumer)
    {
        GpioV2LineRequest request = default;
        request.Offsets[0] = (uint)offset;
        request.NumLines = 1;
        var name = Encoding.UTF8.GetBytes(consumer);
        var length = Math.Min(name.Length, GpioUapi.MaxNameSize - 1);
        for (var i = 0; i < length; i++) request.Consumer[i] = name[i];
        request.Config.Flags = Flags(settings);
        var attrs = 0;
        if (settings.Direction == GpioDirection.Output)
        {
            request.Config.SetAttribute(attrs++, new GpioV2LineConfigAttribute
            {
                Attr = new GpioV2LineAttribute { Id = GpioV2LineAttrId.OutputValues, Value = settings.InitialValue ? 1UL : 0UL },
                Mask = 1,
            });
        }
        if (settings.Direction == GpioDirection.Input && settings.Debounce > TimeSpan.Zero)
        {
            request.Config.SetAttribute(attrs++, new GpioV2LineConfigAttribute
            {
                Attr = new GpioV2LineAttribute { Id = GpioV2LineAttrId.Debounce, Value = (ulong)(settings.Debounce.Ticks / 10) },
                Mask = 1,
            });
        }
        request.Config.NumAttrs = (uint)attrs;
        return request;
    }

    internal static GpioV2LineFlags Flags(GpioLineSettings settings)
    {
        var flags = settings.Direction == GpioDirection.Output ? GpioV2LineFlags.Output : GpioV2LineFlags.Input;
        if (settings.ActiveLow) flags |= GpioV2LineFlags.ActiveLow;
        flags |= settings.Bias switch
        {
            GpioBias.PullUp => GpioV2LineFlags.BiasPullUp,
            GpioBias.PullDown => GpioV2LineFlags.BiasPullDown,
            GpioBias.Disabled => GpioV2LineFlags.BiasDisabled,
            _ => GpioV2LineFlags.None,
        };
        if (settings.Direction == GpioDirection.Input)
        {
            flags |= settings.Edge switch
            {
                GpioEdge.Rising => GpioV2LineFlags.EdgeRising,
                GpioEdge.Falling => GpioV2LineFlags.EdgeFalling,
                GpioEdge.Both => GpioV2LineFlags.EdgeRising | GpioV2LineFlags.EdgeFalling,
                _ => GpioV2LineFlags.None,
            };
            // Monotonic timestamps are the kernel default; realtime ones make events comparable with wall-clock logs.
            if (settings.Edge != GpioEdge.None) flags |= GpioV2LineFlags.EventClockRealtime;
        }
        else
        {
            flags |= settings.Drive switch
            {
                GpioDrive.OpenDrain => GpioV2LineFlags.OpenDrain,
                GpioDrive.OpenSource => GpioV2LineFlags.OpenSource,
                _ => GpioV2LineFlags.None,
            };
        }
        return flags;
    }

    private void CheckOffset(int offset)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if ((uint)offset >= (uint)LineCount) throw new GpioException($"{Label} has lines 0 to {LineCount - 1}; there is no line {offset}");
    }

    internal static string Text(byte* bytes, int max)
    {
        var length = 0;
        while (length < max && bytes[length] != 0) length++;
        return Encoding.UTF8.GetString(bytes, length);
    }

    internal static GpioException Error(string what, int errno) => new($"{what}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Libc.Close(_fd);
    }
}
