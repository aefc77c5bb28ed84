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

    private const string PlugConfig = """{"ip":"192.168.1.40","dn":"Sonoff S31","fn":["Kitchen plug",null,null,null,null,null,null,null],"hn":"plug1-2588","mac":"A4CF12345678","md":"Sonoff S31","ty":0,"if":0,"ofln":"Offline","onln":"Online","state":["OFF","ON","TOGGLE","HOLD"],"sw":"14.3.0","t":"plug1","ft":"%prefix%/%topic%/","tp":["cmnd","stat","tele"],"rl":[1,0,0,0,0,0,0,0],"swc":[-1,-1,-1,-1,-1,-1,-1,-1],"swn":[null,null,null,null,null,null,null,null],"btn":[0,0,0,0,0,0,0,0],"so":{"4":0,"11":0,"13":0,"17":0,"20":0,"30":0,"68":0,"73":0,"82":0,"114":0,"117":0},"lk":0,"lt_st":0,"bat":0,"dslp":0,"sho":[],"sht":[],"ver":1}""";

    private const string PlugSensors = """{"sn":{"Time":"2025-03-01T12:00:10","ENERGY":{"TotalStartTime":"2024-11-02T09:12:44","Total":12.345,"Yesterday":0.412,"Today":0.105,"Power":58,"ApparentPower":61,"ReactivePower":19,"Factor":0.95,"Voltage":231,"Current":0.264}},"ver":1}""";

    [Fact]
    public void Handle_NativeDiscovery_GivesNameModelRelayAndSensors()
    {
        var h = NewHarness();

        h.Send("tasmota/discovery/A4CF12345678/config", PlugConfig, retained: true);
        h.Send("tasmota/discovery/A4CF12345678/sensors", PlugSensors, retained: true);

        var plug = h.Device("plug1");
        Assert.Equal("Kitchen plug", plug.DisplayName);
        Assert.Equal(new DeviceInfo("Sonoff S31", null, "14.3.0"), plug.Info);
        Assert.Equal(CapabilityKind.Switch, plug.FindCapability("power")!.Kind);
        Assert.Equal("W", plug.FindCapability("energy-power")!.Unit);
        Assert.Equal(58, plug.ReadingOf("energy-power")!.Value.Number);
        Assert.Equal(("cmnd/plug1/POWER", "ON"), (h.Command("plug1", "on").Topic, h.Command("plug1", "on").PayloadText));
        Assert.Empty(h.Log.Problems);
    }

    [Fact]
    public void Handle_DiscoveryNamingAnotherAccount_IsIgnored()
    {
        // evil holds the MAC it published under (its claim), but its config names plug1's topic.
        var access = new TemplateTopicAccess("plug1", "evil");
        access.Grants.Add(("evil", "tasmota/discovery/A4CF12345678/#"));
        var h = new Harness((registry, log) => new TasmotaAdapter(registry, log) { TopicAccess = access }, access: access);

        h.Send("tasmota/discovery/A4CF12345678/config", PlugConfig, retained: true);

        Assert.Null(h.Registry.FindByLocalpart("plug1"));
        access.Grants.Clear();
        access.Grants.Add(("plug1", "tasmota/discovery/A4CF12345678/#"));
        h.Send("tasmota/discovery/A4CF12345678/config", PlugConfig, retained: true);
        Assert.Equal("Kitchen plug", h.Device("plug1").DisplayName);
    }

    [Fact]
    public void Telemetry_EnergyPlug_LabelledInOrderWithoutRawKeys()
    {
        var h = NewHarness();
        var replay = MqttReplay.Load(RepoPaths.Replay("tasmota-plug.replay"));
        h.Play(replay.Section("discovery"));
        h.Play(replay.Section("telemetry"));
        var plug = h.Device("plug1");

        Assert.Equal("switch on, power 58 W, today 0.11 kWh, yesterday 0.41 kWh, total 12.35 kWh, voltage 231 V, current 0.26 A, "
            + "apparent power 61 VA, reactive power 19 var, power factor 0.95", DeviceTexts.Telemetry(plug, plug.State.Values));
        Assert.DoesNotContain("ENERGY", DeviceTexts.Telemetry(plug, plug.State.Values), StringComparison.Ordinal);
        Assert.Null(plug.FindCapability("energy-period"));
    }

    [Fact]
    public void Handle_TwoSensorsWithOneField_NamesThemApart()
    {
        var h = NewHarness();

        h.Send("tele/hall/SENSOR", """{"AM2301":{"Temperature":21.5,"Humidity":44},"DS18B20":{"Temperature":19.25},"TempUnit":"C"}""");

        var hall = h.Device("hall");
        Assert.Equal("AM2301 temperature", hall.FindCapability("am2301-temperature")!.DisplayName);
        Assert.Equal("DS18B20 temperature", hall.FindCapability("ds18b20-temperature")!.DisplayName);
        Assert.Equal("humidity", hall.FindCapability("am2301-humidity")!.DisplayName);
    }
}
