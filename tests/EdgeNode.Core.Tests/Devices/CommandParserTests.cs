using EdgeNode.Core.Devices;

namespace EdgeNode.Core.Tests.Devices;

public class CommandParserTests
{
    [Theory]
    [InlineData("on", CommandAction.On)]
    [InlineData("  OFF  ", CommandAction.Off)]
    [InlineData("Toggle", CommandAction.Toggle)]
    [InlineData("turn on", CommandAction.On)]
    [InlineData("switch   off", CommandAction.Off)]
    [InlineData("turn off please", CommandAction.Off)]
    [InlineData("please toggle!", CommandAction.Toggle)]
    [InlineData("On.", CommandAction.On)]
    public void Parse_SwitchVerbs_TargetTheOnlySwitch(string text, CommandAction action)
    {
        var result = CommandParser.Parse(text, SampleDevices.Plug());

        Assert.True(result.Success);
        Assert.Equal(new DeviceCommand(action, "power"), result.Command);
    }

    [Theory]
    [InlineData("status", CommandAction.Status)]
    [InlineData("HELP", CommandAction.Help)]
    [InlineData("?", CommandAction.Help)]
    public void Parse_StatusAndHelp_NeedNoTarget(string text, CommandAction action)
    {
        var result = CommandParser.Parse(text, SampleDevices.Plug());

        Assert.Equal(new DeviceCommand(action), result.Command);
    }

    [Theory]
    [InlineData("set brightness 40", 40)]
    [InlineData("SET  Brightness   40%", 40)]
    [InlineData("set dimmer 0", 0)]
    [InlineData("set brightness light 100", 100)]
    public void Parse_SetBrightness_GivesPercent(string text, double percent)
    {
        var result = CommandParser.Parse(text, SampleDevices.Lamp());

        Assert.True(result.Success, result.Error);
        Assert.Equal(CommandAction.Set, result.Command.Action);
        Assert.Equal("light", result.Command.Capability);
        Assert.Equal(ReadingAttributes.Brightness, result.Command.Attribute);
        Assert.Equal(percent, result.Command.Value!.Value.Number);
    }

    [Theory]
    [InlineData("set color_temp 300", 300)]
    [InlineData("set ct 4000", 250)]
    public void Parse_SetColorTemperature_AcceptsMiredsOrKelvin(string text, double mireds)
    {
        var result = CommandParser.Parse(text, SampleDevices.Lamp());

        Assert.True(result.Success, result.Error);
        Assert.Equal(ReadingAttributes.ColorTemperature, result.Command.Attribute);
        Assert.Equal(mireds, result.Command.Value!.Value.Number);
    }

    [Fact]
    public void Parse_SetNumberByDisplayName_ParsesValue()
    {
        var result = CommandParser.Parse("set target temperature 21,5", SampleDevices.Thermostat());

        Assert.True(result.Success, result.Error);
        Assert.Equal(new DeviceCommand(CommandAction.Set, "target", null, ReadingValue.Of(21.5)), result.Command);
    }

    [Fact]
    public void Parse_SetSelect_UsesDevicesSpellingOfOption()
    {
        var result = CommandParser.Parse("set mode comfort", SampleDevices.Thermostat());

        Assert.Equal("Comfort", result.Command!.Value!.Value.Text);
    }

    [Fact]
    public void Parse_CoverAndButton_TargetThem()
    {
        var garage = SampleDevices.Garage();

        Assert.Equal(new DeviceCommand(CommandAction.Open, "door"), CommandParser.Parse("open", garage).Command);
        Assert.Equal(new DeviceCommand(CommandAction.Stop, "door"), CommandParser.Parse("stop door", garage).Command);
        Assert.Equal(new DeviceCommand(CommandAction.Press, "bell"), CommandParser.Parse("press", garage).Command);
        Assert.Equal(ReadingAttributes.Position, CommandParser.Parse("set position 30", garage).Command!.Attribute);
    }

    [Fact]
    public void Parse_SeveralSwitchesWithName_TargetsNamedOne()
    {
        var result = CommandParser.Parse("on power 2", SampleDevices.DualRelay());

        Assert.Equal(new DeviceCommand(CommandAction.On, "power2"), result.Command);
    }

    [Fact]
    public void Parse_SeveralSwitchesWithoutName_AsksWhichOne()
    {
        var result = CommandParser.Parse("on", SampleDevices.DualRelay());

        Assert.False(result.Success);
        Assert.Contains("power1, power2", result.Error);
        Assert.Contains("'on power1'", result.Error);
    }

    [Fact]
    public void Parse_UnknownVerb_ListsWhatDeviceUnderstands()
    {
        var result = CommandParser.Parse("explode now", SampleDevices.Plug());

        Assert.False(result.Success);
        Assert.Equal("'explode' is not a command plug1 understands. Try: on, off, toggle, status, help. 'help' explains them.", result.Error);
    }

    [Fact]
    public void Parse_UnsupportedVerb_SaysWhyAndWhatWorks()
    {
        var result = CommandParser.Parse("open", SampleDevices.Plug());

        Assert.Equal("plug1 has no cover, so 'open' does nothing here. It understands: on, off, toggle, status, help.", result.Error);
    }

    [Theory]
    [InlineData("", "Say a command")]
    [InlineData("   ", "Say a command")]
    [InlineData("set brightness 140", "0 to 100")]
    [InlineData("set brightness", "needs a name and a value")]
    [InlineData("set brightness bright", "0 to 100")]
    [InlineData("set color_temp 90", "from 150 to 500 mireds")]
    [InlineData("set wattage 3", "nothing called 'wattage'")]
    [InlineData("press", "no button")]
    public void Parse_BadInputForLamp_GivesHelpfulError(string text, string expected)
    {
        var result = CommandParser.Parse(text, SampleDevices.Lamp());

        Assert.False(result.Success);
        Assert.Contains(expected, result.Error);
    }

    [Theory]
    [InlineData("set target 40", "from 5 to 30 °C")]
    [InlineData("set mode turbo", "Eco, Comfort, Off")]
    [InlineData("set temperature 20", "is a reading")]
    [InlineData("set target warm", "takes a number")]
    [InlineData("on", "has no switch or light")]
    public void Parse_BadInputForThermostat_GivesHelpfulError(string text, string expected)
    {
        var result = CommandParser.Parse(text, SampleDevices.Thermostat());

        Assert.False(result.Success);
        Assert.Contains(expected, result.Error);
    }

    [Theory]
    [InlineData("set brightness 40", "plug1 has no dimmable light")]
    [InlineData("set color_temp 300", "plug1 has no light with a colour temperature")]
    [InlineData("set position 30", "plug1 has no cover with a position")]
    public void Parse_LightSettingOnAPlug_NamesWhatIsMissing(string text, string expected)
    {
        var result = CommandParser.Parse(text, SampleDevices.Plug());

        Assert.False(result.Success);
        Assert.StartsWith(expected, result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("no switch or light", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_HugeInput_EchoesOnlyAShortPrefix()
    {
        var result = CommandParser.Parse(new string('x', 100_000), SampleDevices.Plug());

        Assert.False(result.Success);
        Assert.True(result.Error.Length < 200);
    }
}
