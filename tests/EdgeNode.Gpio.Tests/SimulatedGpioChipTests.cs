using EdgeNode.Gpio.Chips;
using Microsoft.Extensions.Time.Testing;

namespace EdgeNode.Gpio.Tests;

public class SimulatedGpioChipTests
{
    private static readonly GpioLineSettings Button = new() { Direction = GpioDirection.Input, Edge = GpioEdge.Both, Bias = GpioBias.PullUp, ActiveLow = true };

    private static async Task<GpioEdgeEvent?> NextEdge(IGpioLine line)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        try { return await line.ReadEdgeAsync(cts.Token); }
        catch (OperationCanceledException) { return null; }
    }

    [Fact]
    public void Output_WriteDrivesThePhysicalLevel_ActiveLowInverts()
    {
        using var chip = new SimulatedGpioChip();
        using var relay = chip.RequestLine(17, new GpioLineSettings { Direction = GpioDirection.Output, InitialValue = false }, "relay");
        using var led = chip.RequestLine(18, new GpioLineSettings { Direction = GpioDirection.Output, ActiveLow = true, InitialValue = false }, "led");
        Assert.False(chip.GetLevel(17));
        Assert.True(chip.GetLevel(18));
        relay.Write(true);
        led.Write(true);
        Assert.True(chip.GetLevel(17));
        Assert.False(chip.GetLevel(18));
        Assert.True(relay.Read());
        Assert.True(led.Read());
    }

    [Fact]
    public async Task Input_PullUpActiveLowButton_PressIsRisingReleaseIsFalling()
    {
        using var chip = new SimulatedGpioChip();
        using var button = chip.RequestLine(27, Button, "button");
        Assert.True(chip.GetLevel(27));
        Assert.False(button.Read());

        chip.SetLevel(27, false);
        var press = await NextEdge(button);
        Assert.Equal(new GpioEdgeEvent(27, true, press!.Value.TimestampNs, 1), press);
        Assert.True(button.Read());

        chip.SetLevel(27, true);
        var release = await NextEdge(button);
        Assert.False(release!.Value.Rising);
        Assert.Equal(2u, release.Value.Sequence);
    }

    [Fact]
    public async Task Input_RisingOnly_IgnoresFallingEdges()
    {
        using var chip = new SimulatedGpioChip();
        using var pir = chip.RequestLine(4, new GpioLineSettings { Edge = GpioEdge.Rising, Bias = GpioBias.PullDown }, "pir");
        chip.SetLevel(4, true);
        chip.SetLevel(4, false);
        chip.SetLevel(4, true);
        Assert.True((await NextEdge(pir))!.Value.Rising);
        Assert.True((await NextEdge(pir))!.Value.Rising);
        Assert.Null(await NextEdge(pir));
    }

    [Fact]
    public async Task Input_Debounce_BounceWithinPeriodIsOneEdge()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        using var chip = new SimulatedGpioChip(time: time);
        using var contact = chip.RequestLine(22, new GpioLineSettings { Edge = GpioEdge.Both, Bias = GpioBias.PullDown, Debounce = TimeSpan.FromMilliseconds(20) }, "door");

        // A reed contact closing: five flips within 6 ms, then steady high.
        foreach (var level in new[] { true, false, true, false, true })
        {
            chip.SetLevel(22, level);
            time.Advance(TimeSpan.FromMilliseconds(1.5));
        }
        Assert.Null(await NextEdge(contact));
        Assert.Equal(0u, chip.EdgesReported(22));
        time.Advance(TimeSpan.FromMilliseconds(20));
        Assert.Equal(1u, chip.EdgesReported(22));
        var edge = await NextEdge(contact);
        Assert.True(edge!.Value.Rising);
        Assert.Null(await NextEdge(contact));

        // A glitch shorter than the period that returns to the same level is no edge at all.
        chip.SetLevel(22, false);
        time.Advance(TimeSpan.FromMilliseconds(5));
        chip.SetLevel(22, true);
        time.Advance(TimeSpan.FromMilliseconds(50));
        Assert.Null(await NextEdge(contact));
    }

    [Fact]
    public void RequestLine_InUseOrOffChip_FailsWithReason()
    {
        using var chip = new SimulatedGpioChip(lines: 28);
        using var first = chip.RequestLine(5, Button, "first");
        Assert.Contains("in use by first", Assert.Throws<GpioException>(() => chip.RequestLine(5, Button, "second")).Message);
        Assert.Contains("no line 28", Assert.Throws<GpioException>(() => chip.RequestLine(28, Button, "x")).Message);
        Assert.True(chip.GetLineInfo(5).Used);
        first.Dispose();
        Assert.False(chip.GetLineInfo(5).Used);
        using var again = chip.RequestLine(5, Button, "second");
    }

    [Fact]
    public void Misuse_WriteInputOrDriveOutputFromOutside_Throws()
    {
        using var chip = new SimulatedGpioChip();
        using var input = chip.RequestLine(1, Button, "in");
        using var output = chip.RequestLine(2, new GpioLineSettings { Direction = GpioDirection.Output }, "out");
        Assert.Throws<GpioException>(() => input.Write(true));
        Assert.Throws<GpioException>(() => chip.SetLevel(2, true));
        Assert.Throws<GpioException>(() => output.ReadEdgeAsync(CancellationToken.None));
    }
}
