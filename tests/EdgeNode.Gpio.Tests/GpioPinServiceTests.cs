using EdgeNode.Core.Configuration;
using EdgeNode.Core.Devices;
using EdgeNode.Gpio.Pins;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeNode.Gpio.Tests;

public class GpioPinServiceTests
{
    [Theory]
    [InlineData("pulse", 500)]
    [InlineData("PULSE 200", 200)]
    [InlineData("pulse 200ms", 200)]
    [InlineData("pulse 2s", 2000)]
    [InlineData("pulse 1.5 s", 1500)]
    public void TryParsePulse_Duration_IsRead(string text, int milliseconds)
    {
        Assert.True(GpioPinService.TryParsePulse(text, out var duration, out var error));
        Assert.Null(error);
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), duration);
    }

    [Theory]
    [InlineData("pulse 11s")]
    [InlineData("pulse 0")]
    [InlineData("pulse soon")]
    public void TryParsePulse_BadDuration_IsAPulseWithAnError(string text)
    {
        Assert.True(GpioPinService.TryParsePulse(text, out _, out var error));
        Assert.Contains("A pulse lasts from 1 ms to 10 s", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("on")]
    [InlineData("pulsed")]
    [InlineData("")]
    public void TryParsePulse_OtherCommand_IsNotAPulse(string text) =>
        Assert.False(GpioPinService.TryParsePulse(text, out _, out _));

    [Fact]
    public void ConfiguredAccess_PinWithOwners_OwnsIt_OthersNull()
    {
        var options = new GpioOptions
        {
            Chip = GpioPinService.SimulatedChip,
            Pins = [new GpioPinOptions { Name = "relay", Line = "GPIO27", Owners = ["alice@pi.example"] }, new GpioPinOptions { Name = "button", Line = "GPIO17" }],
        };
        using var service = new GpioPinService(options, new DeviceRegistry(_ => false), NullLogger.Instance);

        Assert.Equal("alice@pi.example", service.ConfiguredAccess(new DeviceKey(DeviceConvention.Gpio, "relay"))!.Owners.Single().ToString());
        Assert.Null(service.ConfiguredAccess(new DeviceKey(DeviceConvention.Gpio, "button")));
        Assert.Null(service.ConfiguredAccess(new DeviceKey(DeviceConvention.Tasmota, "relay")));
    }
}
