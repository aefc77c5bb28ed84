using EdgeNode.Core.Configuration;
using Microsoft.Extensions.Configuration;

namespace EdgeNode.Core.Tests.Configuration;

public class OptionsReaderDevicesTests
{
    private static NodeOptions Read(params (string Key, string Value)[] settings) =>
        OptionsReader.Read(new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build());

    private static IReadOnlyList<string> Problems(params (string Key, string Value)[] settings) =>
        Assert.Throws<ConfigurationErrorException>(() => Read(settings)).Problems;

    [Fact]
    public void Read_NothingSet_GivesDocumentedDevicesDefaults()
    {
        var devices = Read().Devices;
        Assert.Null(devices.Subdomain);
        Assert.Equal(TimeSpan.FromSeconds(5), devices.CommandTimeout);
        Assert.Equal(TimeSpan.FromSeconds(10), devices.TelemetryInterval);
        Assert.Equal("homeassistant", devices.HomeAssistantPrefix);
        Assert.Equal("zigbee2mqtt", devices.Zigbee2MqttBaseTopic);
        Assert.Equal("homie", devices.HomieRoot);
        Assert.False(devices.ShellySimpleCommands);
        Assert.Empty(devices.ProfileFiles);
        Assert.Null(devices.Gpio.Chip);
        Assert.Empty(devices.Gpio.Pins);
        Assert.Equal("node", devices.NodeParticipant);
    }

    [Theory]
    [InlineData("Admin", "admin")]
    [InlineData("none", null)]
    [InlineData("off", null)]
    public void Read_NodeParticipant_NameOrOff(string value, string? expected) =>
        Assert.Equal(expected, Read(("Devices:NodeParticipant", value)).Devices.NodeParticipant);

    [Fact]
    public void Read_EveryDevicesKeySet_TakesTheValues()
    {
        var profile = Path.GetTempFileName();
        try
        {
            var devices = Read(("Devices:Subdomain", "Devices"), ("Devices:CommandTimeoutSeconds", "9"), ("Devices:TelemetryIntervalSeconds", "0"),
                ("Devices:HomeAssistantPrefix", "ha/"), ("Devices:Zigbee2MqttBaseTopic", "z2m/house"), ("Devices:HomieRoot", "homie5"),
                ("Devices:ShellySimpleCommands", "true"), ("Devices:ProfileFiles:0", profile),
                ("Devices:Gpio:Chip", "pinctrl-bcm2711"),
                ("Devices:Gpio:Pins:Doorbell:Line", "GPIO17"), ("Devices:Gpio:Pins:Doorbell:Bias", "pull-up"),
                ("Devices:Gpio:Pins:Doorbell:ActiveLow", "true"), ("Devices:Gpio:Pins:Doorbell:DebounceMs", "50"),
                ("Devices:Gpio:Pins:Doorbell:Owners", "alice@localhost"),
                ("Devices:Gpio:Pins:relay:Line", "pin13"), ("Devices:Gpio:Pins:relay:Direction", "output")).Devices;
            Assert.Equal("devices", devices.Subdomain);
            Assert.Equal(TimeSpan.FromSeconds(9), devices.CommandTimeout);
            Assert.Equal(TimeSpan.Zero, devices.TelemetryInterval);
            Assert.Equal("ha", devices.HomeAssistantPrefix);
            Assert.Equal("z2m/house", devices.Zigbee2MqttBaseTopic);
            Assert.Equal("homie5", devices.HomieRoot);
            Assert.True(devices.ShellySimpleCommands);
            Assert.Equal([profile], devices.ProfileFiles);
            Assert.Equal("pinctrl-bcm2711", devices.Gpio.Chip);
            var doorbell = Assert.Single(devices.Gpio.Pins, p => p.Name == "doorbell");
            Assert.Equal(("GPIO17", GpioPinDirection.Input, GpioPinBias.PullUp, true, 50), (doorbell.Line, doorbell.Direction, doorbell.Bias, doorbell.ActiveLow, doorbell.DebounceMs));
            Assert.Equal(["alice@localhost"], doorbell.Owners);
            var relay = Assert.Single(devices.Gpio.Pins, p => p.Name == "relay");
            Assert.Equal(("pin13", GpioPinDirection.Output, 20), (relay.Line, relay.Direction, relay.DebounceMs));
        }
        finally
        {
            File.Delete(profile);
        }
    }

    [Theory]
    [InlineData("Devices:Subdomain", "devices.example", "one DNS label")]
    [InlineData("Devices:CommandTimeoutSeconds", "0", "out of range (1 to 600)")]
    [InlineData("Devices:TelemetryIntervalSeconds", "soon", "not a whole number")]
    [InlineData("Devices:HomeAssistantPrefix", "ha/+", "not a topic prefix")]
    [InlineData("Devices:HomieRoot", "/homie", "not a topic prefix")]
    [InlineData("Devices:ShellySimpleCommands", "yes", "not true or false")]
    [InlineData("Devices:ProfileFiles", "/nonexistent/garage.json", "no file at")]
    [InlineData("Devices:TelemetryInterval", "5", "unknown setting")]
    [InlineData("Devices:Gpio:Label", "x", "Devices:Gpio:Label: unknown setting")]
    [InlineData("Devices:NodeParticipant", "the node", "not a usable name")]
    public void Read_BadDevicesSetting_NamesTheKeyAndTheProblem(string key, string value, string expected)
    {
        var problem = Assert.Single(Problems((key, value)));
        Assert.StartsWith(key.Split(':')[0] + ":", problem, StringComparison.Ordinal);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_PinsWithoutChip_AsksForTheChip()
    {
        var problem = Assert.Single(Problems(("Devices:Gpio:Pins:button:Line", "GPIO5")));
        Assert.StartsWith("Devices:Gpio:Chip: must be set", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Line", "GPIO-seventeen", "Devices:Gpio:Pins:button:Line: 'GPIO-seventeen' is not a pin")]
    [InlineData("Direction", "sideways", "Devices:Gpio:Pins:button:Direction: 'sideways' is not one of input, output")]
    [InlineData("Bias", "up", "Devices:Gpio:Pins:button:Bias: 'up' is not one of")]
    [InlineData("DebounceMs", "-1", "Devices:Gpio:Pins:button:DebounceMs: -1 is out of range")]
    [InlineData("Owners", "not an address@", "Devices:Gpio:Pins:button:Owners:")]
    [InlineData("Pull", "up", "Devices:Gpio:Pins:button:Pull: unknown setting")]
    public void Read_BadPinSetting_NamesThePinKey(string key, string value, string expected)
    {
        var settings = new List<(string, string)> { ("Devices:Gpio:Chip", "pinctrl-rp1") };
        if (key != "Line") settings.Add(("Devices:Gpio:Pins:button:Line", "GPIO5"));
        settings.Add(($"Devices:Gpio:Pins:button:{key}", value));
        var problem = Assert.Single(Problems([.. settings]));
        Assert.StartsWith(expected, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_TwoPinsOnOneLine_IsAProblem()
    {
        var problem = Assert.Single(Problems(("Devices:Gpio:Chip", "pinctrl-rp1"), ("Devices:Gpio:Pins:a:Line", "GPIO5"), ("Devices:Gpio:Pins:b:Line", "gpio5")));
        Assert.Contains("already used by pin", problem, StringComparison.Ordinal);
    }
}
