namespace EdgeNode.Gpio.Tests;

public class PinMapTests
{
    [Theory]
    [InlineData("GPIO17", 17)]
    [InlineData("gpio 4", 4)]
    [InlineData("BCM27", 27)]
    [InlineData("0", 0)]
    [InlineData("pin11", 17)]
    [InlineData("Pin 40", 21)]
    [InlineData("P1-03", 2)]
    [InlineData("physical 27", 0)]
    public void TryParse_CommonSpellings_GiveTheLineOffset(string text, int offset)
    {
        Assert.True(PinMap.TryParse(text, out var line, out var problem), problem);
        Assert.Equal(offset, line);
    }

    [Theory]
    [InlineData("pin2", "5 V power")]
    [InlineData("pin 39", "ground")]
    [InlineData("pin41", "physical pins 1 to 40")]
    [InlineData("GPIO28", "GPIO0 to GPIO27")]
    [InlineData("led", "GPIO0 to GPIO27")]
    public void TryParse_NotAGpio_SaysWhy(string text, string reason)
    {
        Assert.False(PinMap.TryParse(text, out _, out var problem));
        Assert.Contains(reason, problem);
    }

    [Fact]
    public void Header_Has28GpiosEachOnOnePin()
    {
        Assert.Equal(28, PinMap.GpioByPhysicalPin.Count);
        Assert.Equal(Enumerable.Range(0, 28), PinMap.GpioByPhysicalPin.Values.Order());
        Assert.Equal(11, PinMap.PhysicalPinOf(17));
        Assert.Null(PinMap.PhysicalPinOf(30));
    }
}
