using EdgeNode.Gpio.Chips;
using EdgeNode.Gpio.Uapi;

namespace EdgeNode.Gpio.Tests;

/// <summary>What the driver asks the kernel for, checked without a chip (this machine has none).</summary>
public unsafe class KernelGpioChipTests
{
    [Fact]
    public void BuildRequest_DebouncedButton_EncodesFlagsConsumerAndDebounceAttribute()
    {
        var settings = new GpioLineSettings { Edge = GpioEdge.Both, Bias = GpioBias.PullUp, ActiveLow = true, Debounce = TimeSpan.FromMilliseconds(25) };
        var request = KernelGpioChip.BuildRequest(27, settings, "edgenode");
        Assert.Equal(27u, request.Offsets[0]);
        Assert.Equal(1u, request.NumLines);
        Assert.Equal("edgenode", KernelGpioChip.Text(request.Consumer, GpioUapi.MaxNameSize));
        Assert.Equal(GpioV2LineFlags.Input | GpioV2LineFlags.ActiveLow | GpioV2LineFlags.BiasPullUp | GpioV2LineFlags.EdgeRising
            | GpioV2LineFlags.EdgeFalling | GpioV2LineFlags.EventClockRealtime, request.Config.Flags);
        Assert.Equal(1u, request.Config.NumAttrs);
        var debounce = request.Config.GetAttribute(0);
        Assert.Equal(GpioV2LineAttrId.Debounce, debounce.Attr.Id);
        Assert.Equal(25_000UL, debounce.Attr.Value);
        Assert.Equal(1UL, debounce.Mask);
    }

    [Fact]
    public void BuildRequest_OpenDrainOutputOn_EncodesInitialValue()
    {
        var request = KernelGpioChip.BuildRequest(17, new GpioLineSettings { Direction = GpioDirection.Output, Drive = GpioDrive.OpenDrain, InitialValue = true }, "relay");
        Assert.Equal(GpioV2LineFlags.Output | GpioV2LineFlags.OpenDrain, request.Config.Flags);
        var values = request.Config.GetAttribute(0);
        Assert.Equal(GpioV2LineAttrId.OutputValues, values.Attr.Id);
        Assert.Equal(1UL, values.Attr.Value);
    }

    [Fact]
    public void BuildRequest_LongConsumer_IsCutToFitWithItsTerminator()
    {
        var request = KernelGpioChip.BuildRequest(0, new GpioLineSettings(), new string('x', 100));
        Assert.Equal(31, KernelGpioChip.Text(request.Consumer, GpioUapi.MaxNameSize).Length);
        Assert.Equal(0, request.Consumer[31]);
    }

    [Fact]
    public void Open_NoChips_SaysSoAndHowToGetAccess()
    {
        var dir = Directory.CreateTempSubdirectory("edgenode-nochips-").FullName;
        var e = Assert.Throws<GpioException>(() => GpioChips.Open("pinctrl-rp1", dir));
        Assert.Contains("there are no GPIO chips", e.Message);
        File.WriteAllText(Path.Combine(dir, "gpiochip0"), "not a device");
        e = Assert.Throws<GpioException>(() => GpioChips.Open("pinctrl-rp1", dir));
        Assert.Contains("not a GPIO chip", e.Message);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void Open_PathThatIsNoChip_FailsWithErrno()
    {
        var e = Assert.Throws<GpioException>(() => new KernelGpioChip("/dev/null"));
        Assert.Contains("/dev/null is not a GPIO chip", e.Message);
        Assert.Contains("errno", e.Message);
    }
}
