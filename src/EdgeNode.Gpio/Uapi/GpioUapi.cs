using System.Runtime.InteropServices;

namespace EdgeNode.Gpio.Uapi;

// The Linux GPIO character device ABI, version 2 (include/uapi/linux/gpio.h). Layouts are fixed by the kernel and
// identical on x86-64, arm64 and 32-bit arm (every 64-bit member is explicitly aligned there); GpioUapiLayoutTests
// compiles the real header and compares every size and offset with these.

internal static unsafe class GpioUapi
{
    public const int MaxNameSize = 32;
    public const int LinesMax = 64;
    public const int LineNumAttrsMax = 10;

    // _IOC(dir, type, nr, size) as the generic ioctl.h defines it (x86, arm and arm64 all use it):
    // bits 0-7 number, 8-15 type, 16-29 size, 30-31 direction (1 write, 2 read).
    private const uint IocWrite = 1, IocRead = 2;
    private const uint GpioType = 0xB4;

    private static uint Ioc(uint direction, uint number, int size) => (direction << 30) | ((uint)size << 16) | (GpioType << 8) | number;

    public static readonly uint GetChipInfo = Ioc(IocRead, 0x01, sizeof(GpioChipInfo));
    public static readonly uint GetLineInfoUnwatch = Ioc(IocRead | IocWrite, 0x0C, sizeof(uint));
    public static readonly uint GetLineInfo = Ioc(IocRead | IocWrite, 0x05, sizeof(GpioV2LineInfo));
    public static readonly uint GetLineInfoWatch = Ioc(IocRead | IocWrite, 0x06, sizeof(GpioV2LineInfo));
    public static readonly uint GetLine = Ioc(IocRead | IocWrite, 0x07, sizeof(GpioV2LineRequest));
    public static readonly uint LineSetConfig = Ioc(IocRead | IocWrite, 0x0D, sizeof(GpioV2LineConfig));
    public static readonly uint LineGetValues = Ioc(IocRead | IocWrite, 0x0E, sizeof(GpioV2LineValues));
    public static readonly uint LineSetValues = Ioc(IocRead | IocWrite, 0x0F, sizeof(GpioV2LineValues));
}

[Flags]
internal enum GpioV2LineFlags : ulong
{
    None = 0,
    Used = 1UL << 0,
    ActiveLow = 1UL << 1,
    Input = 1UL << 2,
    Output = 1UL << 3,
    EdgeRising = 1UL << 4,
    EdgeFalling = 1UL << 5,
    OpenDrain = 1UL << 6,
    OpenSource = 1UL << 7,
    BiasPullUp = 1UL << 8,
    BiasPullDown = 1UL << 9,
    BiasDisabled = 1UL << 10,
    EventClockRealtime = 1UL << 11,
    EventClockHte = 1UL << 12,
}

internal enum GpioV2LineAttrId : uint
{
    Flags = 1,
    OutputValues = 2,
    Debounce = 3,
}

internal enum GpioV2LineEventId : uint
{
    RisingEdge = 1,
    FallingEdge = 2,
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct GpioChipInfo
{
    public fixed byte Name[GpioUapi.MaxNameSize];
    public fixed byte Label[GpioUapi.MaxNameSize];
    public uint Lines;
}

[StructLayout(LayoutKind.Sequential)]
internal struct GpioV2LineValues
{
    public ulong Bits;
    public ulong Mask;
}

/// <summary>One attribute; the kernel's anonymous union of flags, values and debounce_period_us is <see cref="Value"/>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct GpioV2LineAttribute
{
    public GpioV2LineAttrId Id;
    public uint Padding;
    public ulong Value;
}

[StructLayout(LayoutKind.Sequential)]
internal struct GpioV2LineConfigAttribute
{
    public GpioV2LineAttribute Attr;
    public ulong Mask;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct GpioV2LineConfig
{
    public GpioV2LineFlags Flags;
    public uint NumAttrs;
    public fixed uint Padding[5];
    // Ten attributes of 24 bytes each; C# has no fixed buffers of structs, so they are laid out as raw bytes.
    public fixed byte Attrs[GpioUapi.LineNumAttrsMax * 24];

    public void SetAttribute(int index, GpioV2LineConfigAttribute attribute)
    {
        if ((uint)index >= GpioUapi.LineNumAttrsMax) throw new ArgumentOutOfRangeException(nameof(index));
        fixed (byte* attrs = Attrs) ((GpioV2LineConfigAttribute*)attrs)[index] = attribute;
    }

    public GpioV2LineConfigAttribute GetAttribute(int index)
    {
        if ((uint)index >= GpioUapi.LineNumAttrsMax) throw new ArgumentOutOfRangeException(nameof(index));
        fixed (byte* attrs = Attrs) return ((GpioV2LineConfigAttribute*)attrs)[index];
    }
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct GpioV2LineRequest
{
    public fixed uint Offsets[GpioUapi.LinesMax];
    public fixed byte Consumer[GpioUapi.MaxNameSize];
    public GpioV2LineConfig Config;
    public uint NumLines;
    public uint EventBufferSize;
    public fixed uint Padding[5];
    public int Fd;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct GpioV2LineInfo
{
    public fixed byte Name[GpioUapi.MaxNameSize];
    public fixed byte Consumer[GpioUapi.MaxNameSize];
    public uint Offset;
    public uint NumAttrs;
    public GpioV2LineFlags Flags;
    // Ten attributes of 16 bytes each.
    public fixed byte Attrs[GpioUapi.LineNumAttrsMax * 16];
    public fixed uint Padding[4];
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct GpioV2LineInfoChanged
{
    public GpioV2LineInfo Info;
    public ulong TimestampNs;
    public uint EventType;
    public fixed uint Padding[5];
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct GpioV2LineEvent
{
    public ulong TimestampNs;
    public GpioV2LineEventId Id;
    public uint Offset;
    public uint Seqno;
    public uint LineSeqno;
    public fixed uint Padding[6];
}
