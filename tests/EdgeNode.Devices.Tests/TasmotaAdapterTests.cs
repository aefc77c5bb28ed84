using EdgeNode.Core.Devices;

namespace EdgeNode.Devices.Tests;

public class TasmotaAdapterTests
{
    private static Harness NewHarness() => new((registry, log) => new TasmotaAdapter(registry, log));

    [Fact]
    public void Replay_PlugSession_YieldsDeviceCapabilitiesReadingsAndAvailability()
    {
        var h = NewHarness();
        var replay = MqttReplay.Load(RepoPaths.Replay("tasmota-plug.replay"));

        h.Play(replay.Section("discovery"));
        var plug = h.Device("plug1");
        Assert.Equal(DeviceAvailability.Online, plug.Availability);
        Assert.Equal(new DeviceInfo("Sonoff S31", null, "14.3.0(release-tasmota)"), plug.Info);
        Assert.Equal(true, plug.ReadingOf("power")!.Value.Flag);

        h.Play(replay.Section("telemetry"));
        plug = h.Device("plug1");
        var power = plug.FindCapability("energy-power")!;
        Assert.Equal(("W", "power"), (power.Unit, power.DeviceClass));
        Assert.Equal(58, plug.ReadingOf("energy-power")!.Value.Number);
        Assert.Equal("kWh", plug.FindCapability("energy-total")!.Unit);
        Assert.Equal(CapabilityKind.Switch, plug.FindCapability("power")!.Kind);
        Assert.Equal("on, 58 W", DeviceTexts.StatusLine(plug));

        var off = h.Command("plug1", "off");
        Assert.Equal(("cmnd/plug1/POWER", "OFF", false, (byte)1), (off.Topic, off.PayloadText, off.Retain, off.Qos));

        h.Play(replay.Section("echo"));
        Assert.Equal(false, h.Device("plug1").ReadingOf("power")!.Value.Flag);

        h.Play(replay.Section("offline"));
        Assert.Equal(DeviceAvailability.Offline, h.Device("plug1").Availability);
        Assert.Empty(h.Log.Problems);
    }

    [Fact]
    public void Handle_DimmerInState_TurnsRelayIntoLight()
    {
        var h = NewHarness();

        h.Send("tele/bulb/STATE", """{"POWER":"ON","Dimmer":40,"CT":300}""");

        var light = h.Device("bulb").FindCapability("power")!;
        Assert.Equal(CapabilityKind.Light, light.Kind);
        Assert.True(light.HasBrightness && light.HasColorTemperature);
        Assert.Equal(40, h.Device("bulb").ReadingOf("power", ReadingAttributes.Brightness)!.Value.Number);
        Assert.Equal(("cmnd/bulb/Dimmer", "70"), (h.Command("bulb", "set brightness 70").Topic, h.Command("bulb", "set brightness 70").PayloadText));
        Assert.Equal("300", h.Command("bulb", "set ct 300").PayloadText);
    }

    [Fact]
    public void Handle_TwoRelays_MakesTwoSwitchesAddressedByNumber()
    {
        var h = NewHarness();

        h.Send("stat/relay/RESULT", """{"POWER1":"ON","POWER2":"OFF"}""");

        var toggle = h.Command("relay", "toggle power2");
        Assert.Equal(("cmnd/relay/POWER2", "TOGGLE", (byte)0), (toggle.Topic, toggle.PayloadText, toggle.Qos));
    }

    [Fact]
    public void Handle_SensorWithSwitchInputAndFahrenheit_UsesDeclaredUnits()
    {
        var h = NewHarness();

        h.Send("tele/th16/SENSOR", """{"Time":"x","Switch1":"ON","DS18B20":{"Id":"01144D","Temperature":70.1},"TempUnit":"F"}""");

        var device = h.Device("th16");
        Assert.Equal("°F", device.FindCapability("ds18b20-temperature")!.Unit);
        Assert.Equal(true, device.ReadingOf("switch1")!.Value.Flag);
        Assert.Null(device.FindCapability("ds18b20-id"));
    }

    [Fact]
    public void Handle_Status10And11Answers_UpdateReadings()
    {
        var h = NewHarness();
        h.Send("tele/th16/LWT", "Online");

        h.Send("stat/th16/STATUS11", """{"StatusSTS":{"POWER":"OFF"}}""");
        h.Send("stat/th16/STATUS10", """{"StatusSNS":{"AM2301":{"Temperature":21.5,"Humidity":44}}}""");
        h.Send("stat/th16/STATUS", """{"Status":{"Module":1,"DeviceName":"Bedroom","FriendlyName":["Bedroom TH"]}}""");

        var device = h.Device("th16");
        Assert.Equal("Bedroom TH", device.DisplayName);
        Assert.Equal("off, 21.5 °C", DeviceTexts.StatusLine(device));
        Assert.Equal(44, device.ReadingOf("am2301-humidity")!.Value.Number);
        var status = h.Gateway.Translate(device, new DeviceCommand(CommandAction.Status));
        Assert.Equal(["11", "10"], status.Publications.Select(p => p.PayloadText));
    }

    [Fact]
    public void Translate_CoverCommandToPlug_ExplainsWhatWorks()
    {
        var h = NewHarness();
        h.Send("stat/plug1/POWER", "ON");

        var result = h.Gateway.Translate(h.Device("plug1"), new DeviceCommand(CommandAction.Open, "power"));

        Assert.False(result.Success);
        Assert.Contains("Try: on, off, toggle", result.Error);
        Assert.Empty(result.Publications);
    }
}
