using System.Diagnostics;
using System.Runtime.CompilerServices;
using EdgeNode.Gpio.Uapi;

namespace EdgeNode.Gpio.Tests;

/// <summary>
/// Compiles a C program against the system's linux/gpio.h and compares every size, field offset and ioctl number it
/// prints with the managed declarations. A mismatch would corrupt memory on a real chip, so this is the proof that
/// the driver talks the kernel's ABI.
/// </summary>
public unsafe class GpioUapiLayoutTests
{
    private const string Program = """
        #include <stdio.h>
        #include <stddef.h>
        #include <linux/gpio.h>
        #define S(t) printf("sizeof %s %zu\n", #t, sizeof(struct t));
        #define O(t, f) printf("offsetof %s.%s %zu\n", #t, #f, offsetof(struct t, f));
        #define I(n) printf("ioctl %s %lu\n", #n, (unsigned long)(n));
        int main(void) {
          S(gpiochip_info) O(gpiochip_info, name) O(gpiochip_info, label) O(gpiochip_info, lines)
          S(gpio_v2_line_values) O(gpio_v2_line_values, bits) O(gpio_v2_line_values, mask)
          S(gpio_v2_line_attribute) O(gpio_v2_line_attribute, id) O(gpio_v2_line_attribute, padding) O(gpio_v2_line_attribute, flags)
          O(gpio_v2_line_attribute, values) O(gpio_v2_line_attribute, debounce_period_us)
          S(gpio_v2_line_config_attribute) O(gpio_v2_line_config_attribute, attr) O(gpio_v2_line_config_attribute, mask)
          S(gpio_v2_line_config) O(gpio_v2_line_config, flags) O(gpio_v2_line_config, num_attrs) O(gpio_v2_line_config, padding) O(gpio_v2_line_config, attrs)
          S(gpio_v2_line_request) O(gpio_v2_line_request, offsets) O(gpio_v2_line_request, consumer) O(gpio_v2_line_request, config)
          O(gpio_v2_line_request, num_lines) O(gpio_v2_line_request, event_buffer_size) O(gpio_v2_line_request, padding) O(gpio_v2_line_request, fd)
          S(gpio_v2_line_info) O(gpio_v2_line_info, name) O(gpio_v2_line_info, consumer) O(gpio_v2_line_info, offset)
          O(gpio_v2_line_info, num_attrs) O(gpio_v2_line_info, flags) O(gpio_v2_line_info, attrs) O(gpio_v2_line_info, padding)
          S(gpio_v2_line_info_changed) O(gpio_v2_line_info_changed, info) O(gpio_v2_line_info_changed, timestamp_ns)
          O(gpio_v2_line_info_changed, event_type) O(gpio_v2_line_info_changed, padding)
          S(gpio_v2_line_event) O(gpio_v2_line_event, timestamp_ns) O(gpio_v2_line_event, id) O(gpio_v2_line_event, offset)
          O(gpio_v2_line_event, seqno) O(gpio_v2_line_event, line_seqno) O(gpio_v2_line_event, padding)
          I(GPIO_GET_CHIPINFO_IOCTL) I(GPIO_GET_LINEINFO_UNWATCH_IOCTL) I(GPIO_V2_GET_LINEINFO_IOCTL) I(GPIO_V2_GET_LINEINFO_WATCH_IOCTL)
          I(GPIO_V2_GET_LINE_IOCTL) I(GPIO_V2_LINE_SET_CONFIG_IOCTL) I(GPIO_V2_LINE_GET_VALUES_IOCTL) I(GPIO_V2_LINE_SET_VALUES_IOCTL)
          printf("flag USED %llu\nflag ACTIVE_LOW %llu\nflag INPUT %llu\nflag OUTPUT %llu\nflag EDGE_RISING %llu\nflag EDGE_FALLING %llu\n",
            (unsigned long long)GPIO_V2_LINE_FLAG_USED, (unsigned long long)GPIO_V2_LINE_FLAG_ACTIVE_LOW, (unsigned long long)GPIO_V2_LINE_FLAG_INPUT,
            (unsigned long long)GPIO_V2_LINE_FLAG_OUTPUT, (unsigned long long)GPIO_V2_LINE_FLAG_EDGE_RISING, (unsigned long long)GPIO_V2_LINE_FLAG_EDGE_FALLING);
          printf("flag OPEN_DRAIN %llu\nflag OPEN_SOURCE %llu\nflag BIAS_PULL_UP %llu\nflag BIAS_PULL_DOWN %llu\nflag BIAS_DISABLED %llu\nflag EVENT_CLOCK_REALTIME %llu\nflag EVENT_CLOCK_HTE %llu\n",
            (unsigned long long)GPIO_V2_LINE_FLAG_OPEN_DRAIN, (unsigned long long)GPIO_V2_LINE_FLAG_OPEN_SOURCE, (unsigned long long)GPIO_V2_LINE_FLAG_BIAS_PULL_UP,
            (unsigned long long)GPIO_V2_LINE_FLAG_BIAS_PULL_DOWN, (unsigned long long)GPIO_V2_LINE_FLAG_BIAS_DISABLED,
            (unsigned long long)GPIO_V2_LINE_FLAG_EVENT_CLOCK_REALTIME, (unsigned long long)GPIO_V2_LINE_FLAG_EVENT_CLOCK_HTE);
          printf("const ATTR_FLAGS %d\nconst ATTR_OUTPUT_VALUES %d\nconst ATTR_DEBOUNCE %d\nconst EVENT_RISING %d\nconst EVENT_FALLING %d\nconst LINES_MAX %d\nconst NUM_ATTRS_MAX %d\nconst NAME_SIZE %d\n",
            GPIO_V2_LINE_ATTR_ID_FLAGS, GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES, GPIO_V2_LINE_ATTR_ID_DEBOUNCE, GPIO_V2_LINE_EVENT_RISING_EDGE,
            GPIO_V2_LINE_EVENT_FALLING_EDGE, GPIO_V2_LINES_MAX, GPIO_V2_LINE_NUM_ATTRS_MAX, GPIO_MAX_NAME_SIZE);
          return 0;
        }
        """;

    private static readonly Lazy<Dictionary<string, ulong>> Kernel = new(CompileAndRun);

    private static Dictionary<string, ulong> CompileAndRun()
    {
        Assert.True(File.Exists("/usr/include/linux/gpio.h"), "linux/gpio.h is missing: install the Debian package linux-libc-dev (./test.sh does)");
        var dir = Directory.CreateTempSubdirectory("edgenode-gpio-abi-").FullName;
        File.WriteAllText(Path.Combine(dir, "abi.c"), Program);
        Run("gcc", $"-std=c11 -Wall -Werror -o {dir}/abi {dir}/abi.c", "gcc (Debian package gcc)");
        var output = Run($"{dir}/abi", "", "the compiled probe");
        Directory.Delete(dir, true);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' '))
            .ToDictionary(parts => $"{parts[0]} {parts[1]}", parts => ulong.Parse(parts[2]));
    }

    private static string Run(string program, string arguments, string what)
    {
        Process process;
        try
        {
            process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Assert.Fail($"{what} could not be run: {e.Message}");
            throw;
        }
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{what} failed: {error}");
        return output;
    }

    private static ulong K(string key) => Kernel.Value.TryGetValue(key, out var v) ? v : throw new KeyNotFoundException($"the probe did not print {key}");

    private static ulong Offset<T>(ref T value, ref byte field) where T : struct =>
        (ulong)Unsafe.ByteOffset(ref Unsafe.As<T, byte>(ref value), ref field);

    [Fact]
    public void Sizes_MatchTheKernelHeader()
    {
        Assert.Equal(K("sizeof gpiochip_info"), (ulong)sizeof(GpioChipInfo));
        Assert.Equal(K("sizeof gpio_v2_line_values"), (ulong)sizeof(GpioV2LineValues));
        Assert.Equal(K("sizeof gpio_v2_line_attribute"), (ulong)sizeof(GpioV2LineAttribute));
        Assert.Equal(K("sizeof gpio_v2_line_config_attribute"), (ulong)sizeof(GpioV2LineConfigAttribute));
        Assert.Equal(K("sizeof gpio_v2_line_config"), (ulong)sizeof(GpioV2LineConfig));
        Assert.Equal(K("sizeof gpio_v2_line_request"), (ulong)sizeof(GpioV2LineRequest));
        Assert.Equal(K("sizeof gpio_v2_line_info"), (ulong)sizeof(GpioV2LineInfo));
        Assert.Equal(K("sizeof gpio_v2_line_info_changed"), (ulong)sizeof(GpioV2LineInfoChanged));
        Assert.Equal(K("sizeof gpio_v2_line_event"), (ulong)sizeof(GpioV2LineEvent));
        Assert.Equal(K("sizeof gpio_v2_line_attribute"), (ulong)(sizeof(GpioV2LineConfigAttribute) - sizeof(ulong)));
    }

    [Fact]
    public void Offsets_MatchTheKernelHeader()
    {
        GpioChipInfo chip = default;
        Assert.Equal(K("offsetof gpiochip_info.name"), Offset(ref chip, ref chip.Name[0]));
        Assert.Equal(K("offsetof gpiochip_info.label"), Offset(ref chip, ref chip.Label[0]));
        Assert.Equal(K("offsetof gpiochip_info.lines"), Offset(ref chip, ref Unsafe.As<uint, byte>(ref chip.Lines)));

        GpioV2LineValues values = default;
        Assert.Equal(K("offsetof gpio_v2_line_values.bits"), Offset(ref values, ref Unsafe.As<ulong, byte>(ref values.Bits)));
        Assert.Equal(K("offsetof gpio_v2_line_values.mask"), Offset(ref values, ref Unsafe.As<ulong, byte>(ref values.Mask)));

        GpioV2LineAttribute attribute = default;
        Assert.Equal(K("offsetof gpio_v2_line_attribute.id"), Offset(ref attribute, ref Unsafe.As<GpioV2LineAttrId, byte>(ref attribute.Id)));
        Assert.Equal(K("offsetof gpio_v2_line_attribute.padding"), Offset(ref attribute, ref Unsafe.As<uint, byte>(ref attribute.Padding)));
        // The union: flags, values and debounce_period_us all start where Value does (little-endian for the u32).
        Assert.Equal(K("offsetof gpio_v2_line_attribute.flags"), Offset(ref attribute, ref Unsafe.As<ulong, byte>(ref attribute.Value)));
        Assert.Equal(K("offsetof gpio_v2_line_attribute.values"), Offset(ref attribute, ref Unsafe.As<ulong, byte>(ref attribute.Value)));
        Assert.Equal(K("offsetof gpio_v2_line_attribute.debounce_period_us"), Offset(ref attribute, ref Unsafe.As<ulong, byte>(ref attribute.Value)));

        GpioV2LineConfigAttribute configAttribute = default;
        Assert.Equal(K("offsetof gpio_v2_line_config_attribute.attr"), Offset(ref configAttribute, ref Unsafe.As<GpioV2LineAttribute, byte>(ref configAttribute.Attr)));
        Assert.Equal(K("offsetof gpio_v2_line_config_attribute.mask"), Offset(ref configAttribute, ref Unsafe.As<ulong, byte>(ref configAttribute.Mask)));

        GpioV2LineConfig config = default;
        Assert.Equal(K("offsetof gpio_v2_line_config.flags"), Offset(ref config, ref Unsafe.As<GpioV2LineFlags, byte>(ref config.Flags)));
        Assert.Equal(K("offsetof gpio_v2_line_config.num_attrs"), Offset(ref config, ref Unsafe.As<uint, byte>(ref config.NumAttrs)));
        Assert.Equal(K("offsetof gpio_v2_line_config.padding"), Offset(ref config, ref Unsafe.As<uint, byte>(ref config.Padding[0])));
        Assert.Equal(K("offsetof gpio_v2_line_config.attrs"), Offset(ref config, ref config.Attrs[0]));

        GpioV2LineRequest request = default;
        Assert.Equal(K("offsetof gpio_v2_line_request.offsets"), Offset(ref request, ref Unsafe.As<uint, byte>(ref request.Offsets[0])));
        Assert.Equal(K("offsetof gpio_v2_line_request.consumer"), Offset(ref request, ref request.Consumer[0]));
        Assert.Equal(K("offsetof gpio_v2_line_request.config"), Offset(ref request, ref Unsafe.As<GpioV2LineConfig, byte>(ref request.Config)));
        Assert.Equal(K("offsetof gpio_v2_line_request.num_lines"), Offset(ref request, ref Unsafe.As<uint, byte>(ref request.NumLines)));
        Assert.Equal(K("offsetof gpio_v2_line_request.event_buffer_size"), Offset(ref request, ref Unsafe.As<uint, byte>(ref request.EventBufferSize)));
        Assert.Equal(K("offsetof gpio_v2_line_request.padding"), Offset(ref request, ref Unsafe.As<uint, byte>(ref request.Padding[0])));
        Assert.Equal(K("offsetof gpio_v2_line_request.fd"), Offset(ref request, ref Unsafe.As<int, byte>(ref request.Fd)));

        GpioV2LineInfo info = default;
        Assert.Equal(K("offsetof gpio_v2_line_info.name"), Offset(ref info, ref info.Name[0]));
        Assert.Equal(K("offsetof gpio_v2_line_info.consumer"), Offset(ref info, ref info.Consumer[0]));
        Assert.Equal(K("offsetof gpio_v2_line_info.offset"), Offset(ref info, ref Unsafe.As<uint, byte>(ref info.Offset)));
        Assert.Equal(K("offsetof gpio_v2_line_info.num_attrs"), Offset(ref info, ref Unsafe.As<uint, byte>(ref info.NumAttrs)));
        Assert.Equal(K("offsetof gpio_v2_line_info.flags"), Offset(ref info, ref Unsafe.As<GpioV2LineFlags, byte>(ref info.Flags)));
        Assert.Equal(K("offsetof gpio_v2_line_info.attrs"), Offset(ref info, ref info.Attrs[0]));
        Assert.Equal(K("offsetof gpio_v2_line_info.padding"), Offset(ref info, ref Unsafe.As<uint, byte>(ref info.Padding[0])));

        GpioV2LineInfoChanged changed = default;
        Assert.Equal(K("offsetof gpio_v2_line_info_changed.info"), Offset(ref changed, ref Unsafe.As<GpioV2LineInfo, byte>(ref changed.Info)));
        Assert.Equal(K("offsetof gpio_v2_line_info_changed.timestamp_ns"), Offset(ref changed, ref Unsafe.As<ulong, byte>(ref changed.TimestampNs)));
        Assert.Equal(K("offsetof gpio_v2_line_info_changed.event_type"), Offset(ref changed, ref Unsafe.As<uint, byte>(ref changed.EventType)));
        Assert.Equal(K("offsetof gpio_v2_line_info_changed.padding"), Offset(ref changed, ref Unsafe.As<uint, byte>(ref changed.Padding[0])));

        GpioV2LineEvent e = default;
        Assert.Equal(K("offsetof gpio_v2_line_event.timestamp_ns"), Offset(ref e, ref Unsafe.As<ulong, byte>(ref e.TimestampNs)));
        Assert.Equal(K("offsetof gpio_v2_line_event.id"), Offset(ref e, ref Unsafe.As<GpioV2LineEventId, byte>(ref e.Id)));
        Assert.Equal(K("offsetof gpio_v2_line_event.offset"), Offset(ref e, ref Unsafe.As<uint, byte>(ref e.Offset)));
        Assert.Equal(K("offsetof gpio_v2_line_event.seqno"), Offset(ref e, ref Unsafe.As<uint, byte>(ref e.Seqno)));
        Assert.Equal(K("offsetof gpio_v2_line_event.line_seqno"), Offset(ref e, ref Unsafe.As<uint, byte>(ref e.LineSeqno)));
        Assert.Equal(K("offsetof gpio_v2_line_event.padding"), Offset(ref e, ref Unsafe.As<uint, byte>(ref e.Padding[0])));
    }

    [Fact]
    public void IoctlNumbers_MatchTheKernelHeader()
    {
        Assert.Equal(K("ioctl GPIO_GET_CHIPINFO_IOCTL"), GpioUapi.GetChipInfo);
        Assert.Equal(K("ioctl GPIO_GET_LINEINFO_UNWATCH_IOCTL"), GpioUapi.GetLineInfoUnwatch);
        Assert.Equal(K("ioctl GPIO_V2_GET_LINEINFO_IOCTL"), GpioUapi.GetLineInfo);
        Assert.Equal(K("ioctl GPIO_V2_GET_LINEINFO_WATCH_IOCTL"), GpioUapi.GetLineInfoWatch);
        Assert.Equal(K("ioctl GPIO_V2_GET_LINE_IOCTL"), GpioUapi.GetLine);
        Assert.Equal(K("ioctl GPIO_V2_LINE_SET_CONFIG_IOCTL"), GpioUapi.LineSetConfig);
        Assert.Equal(K("ioctl GPIO_V2_LINE_GET_VALUES_IOCTL"), GpioUapi.LineGetValues);
        Assert.Equal(K("ioctl GPIO_V2_LINE_SET_VALUES_IOCTL"), GpioUapi.LineSetValues);
    }

    [Fact]
    public void FlagsAndConstants_MatchTheKernelHeader()
    {
        Assert.Equal((ulong)GpioV2LineFlags.Used, K("flag USED"));
        Assert.Equal((ulong)GpioV2LineFlags.ActiveLow, K("flag ACTIVE_LOW"));
        Assert.Equal((ulong)GpioV2LineFlags.Input, K("flag INPUT"));
        Assert.Equal((ulong)GpioV2LineFlags.Output, K("flag OUTPUT"));
        Assert.Equal((ulong)GpioV2LineFlags.EdgeRising, K("flag EDGE_RISING"));
        Assert.Equal((ulong)GpioV2LineFlags.EdgeFalling, K("flag EDGE_FALLING"));
        Assert.Equal((ulong)GpioV2LineFlags.OpenDrain, K("flag OPEN_DRAIN"));
        Assert.Equal((ulong)GpioV2LineFlags.OpenSource, K("flag OPEN_SOURCE"));
        Assert.Equal((ulong)GpioV2LineFlags.BiasPullUp, K("flag BIAS_PULL_UP"));
        Assert.Equal((ulong)GpioV2LineFlags.BiasPullDown, K("flag BIAS_PULL_DOWN"));
        Assert.Equal((ulong)GpioV2LineFlags.BiasDisabled, K("flag BIAS_DISABLED"));
        Assert.Equal((ulong)GpioV2LineFlags.EventClockRealtime, K("flag EVENT_CLOCK_REALTIME"));
        Assert.Equal((ulong)GpioV2LineFlags.EventClockHte, K("flag EVENT_CLOCK_HTE"));
        Assert.Equal((ulong)GpioV2LineAttrId.Flags, K("const ATTR_FLAGS"));
        Assert.Equal((ulong)GpioV2LineAttrId.OutputValues, K("const ATTR_OUTPUT_VALUES"));
        Assert.Equal((ulong)GpioV2LineAttrId.Debounce, K("const ATTR_DEBOUNCE"));
        Assert.Equal((ulong)GpioV2LineEventId.RisingEdge, K("const EVENT_RISING"));
        Assert.Equal((ulong)GpioV2LineEventId.FallingEdge, K("const EVENT_FALLING"));
        Assert.Equal((ulong)GpioUapi.LinesMax, K("const LINES_MAX"));
        Assert.Equal((ulong)GpioUapi.LineNumAttrsMax, K("const NUM_ATTRS_MAX"));
        Assert.Equal((ulong)GpioUapi.MaxNameSize, K("const NAME_SIZE"));
    }
}
