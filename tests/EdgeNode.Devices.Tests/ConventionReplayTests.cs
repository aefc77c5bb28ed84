using EdgeNode.Core.Devices;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Devices.Tests;

/// <summary>For every convention: discovery, live telemetry, a command and its echo, then going offline.</summary>
public class ConventionReplayTests
{
    [Fact]
    public void Replay_Zigbee2Mqtt_LampAndSensorFromDeviceList()
    {
        var h = new Harness((r, l) => new Zigbee2MqttAdapter(r, l));
        var replay = MqttReplay.Load(RepoPaths.Replay("zigbee2mqtt-lamp.replay"));

        h.Play(replay.Section("discovery"));
        var lamp = h.Device("living-room-lamp");
        Assert.Equal(new DeviceKey(DeviceConvention.Zigbee2Mqtt, "0x000d6ffffe123456"), lamp.Key);
        Assert.Equal(new DeviceInfo("LED1545G12", "IKEA", "2.3.087"), lamp.Info);
        Assert.Equal(DeviceAvailability.Online, lamp.Availability);
        var light = lamp.FindCapability("light")!;
        Assert.True(light.HasBrightness && light.HasColorTemperature);
        Assert.Equal(100, lamp.ReadingOf("light", ReadingAttributes.Brightness)!.Value.Number);
        Assert.Equal(2, h.Registry.All.Count);

        h.Play(replay.Section("telemetry"));
        var sensor = h.Device("0x00158d0001a2b3c4");
        Assert.Equal("21.5 °C, 44.12 %", DeviceTexts.StatusLine(sensor));
        Assert.Equal("hPa", sensor.FindCapability("pressure")!.Unit);

        var off = h.Command("living-room-lamp", "off");
        Assert.Equal(("zigbee2mqtt/Living Room Lamp/set", """{"state":"OFF"}""", false), (off.Topic, off.PayloadText, off.Retain));
        Assert.Equal("""{"brightness":102}""", h.Command("living-room-lamp", "set brightness 40").PayloadText);

        h.Play(replay.Section("echo"));
        Assert.Equal(false, h.Device("living-room-lamp").ReadingOf("light")!.Value.Flag);

        h.Play(replay.Section("offline"));
        Assert.All(h.Registry.All, d => Assert.Equal(DeviceAvailability.Offline, d.Availability));
        Assert.Empty(h.Log.Problems);
    }

    [Fact]
    public void Replay_ShellyGen2_PlugWithMeteringAndRpcCommand()
    {
        var h = new Harness((r, l) => new ShellyGen2Adapter(r, l));
        var replay = MqttReplay.Load(RepoPaths.Replay("shelly-plus1pm.replay"));

        h.Play(replay.Section("discovery"));
        var shelly = h.Device("shellyplus1pm-a8032ab12345");
        Assert.Equal(DeviceAvailability.Online, shelly.Availability);
        Assert.Equal(new DeviceInfo("SNSW-001P16EU", "Shelly", "1.4.4"), shelly.Info);
        Assert.Equal(true, shelly.ReadingOf("switch:0")!.Value.Flag);

        h.Play(replay.Section("telemetry"));
        Assert.Equal("on, 57.9 W", DeviceTexts.StatusLine(h.Device("shellyplus1pm-a8032ab12345")));

        var off = h.Command("shellyplus1pm-a8032ab12345", "off");
        Assert.Equal("shellyplus1pm-a8032ab12345/rpc", off.Topic);
        Assert.Equal("""{"id":1,"src":"shellyplus1pm-a8032ab12345/edgenode","method":"Switch.Set","params":{"id":0,"on":false}}""", off.PayloadText);
        Assert.False(off.Retain);

        h.Play(replay.Section("echo"));
        Assert.Equal(false, h.Device("shellyplus1pm-a8032ab12345").ReadingOf("switch:0")!.Value.Flag);
        h.Play(replay.Section("offline"));
        Assert.Equal(DeviceAvailability.Offline, h.Device("shellyplus1pm-a8032ab12345").Availability);
        Assert.Empty(h.Log.Problems);
    }

    [Fact]
    public void Translate_ShellySimpleCommandForm_PublishesPlainWord()
    {
        var h = new Harness((r, l) => new ShellyGen2Adapter(r, l, simpleCommands: true));
        h.Send("shellyplus1-aa/status/switch:0", """{"id":0,"output":true}""");

        var toggle = h.Command("shellyplus1-aa", "toggle");

        Assert.Equal(("shellyplus1-aa/command/switch:0", "toggle", (byte)0), (toggle.Topic, toggle.PayloadText, toggle.Qos));
    }

    [Fact]
    public void Replay_Homie5Example_FromFirmwareConfig()
    {
        var h = new Harness((r, l) => new HomieAdapter(r, l));
        var replay = MqttReplay.Load(RepoPaths.FirmwareConfig("homie/homie5-thermostat.mqtt"));

        h.Play(replay.All);

        var thermostat = h.Device("thermostat-1");
        Assert.Equal("Hall thermostat", thermostat.DisplayName);
        Assert.Equal(DeviceAvailability.Online, thermostat.Availability);
        Assert.Equal(CapabilityKind.Switch, thermostat.FindCapability("heating-on")!.Kind);
        Assert.Equal((5.0, 30.0), (thermostat.FindCapability("heating-target")!.Min, thermostat.FindCapability("heating-target")!.Max));
        Assert.Equal(["eco", "comfort", "off"], thermostat.FindCapability("heating-mode")!.Options);
        Assert.Equal("off, 21.5 °C", DeviceTexts.StatusLine(thermostat));

        var on = h.Command("thermostat-1", "on");
        Assert.Equal(("homie/5/thermostat-1/heating/on/set", "true", false), (on.Topic, on.PayloadText, on.Retain));
        Assert.Equal("21.5", h.Command("thermostat-1", "set target 21.5").PayloadText);
        Assert.Equal("comfort", h.Command("thermostat-1", "set mode COMFORT").PayloadText);

        h.Send("homie/5/thermostat-1/heating/on", "true", retained: true);
        Assert.Equal(true, h.Device("thermostat-1").ReadingOf("heating-on")!.Value.Flag);
        h.Send("homie/5/thermostat-1/$state", "sleeping", retained: true);
        Assert.Equal(DevicePresence.Away, h.Device("thermostat-1").Availability.ToPresence());
        h.Send("homie/5/thermostat-1/$state", "lost", retained: true);
        Assert.Equal(DeviceAvailability.Offline, h.Device("thermostat-1").Availability);
        Assert.Empty(h.Log.Problems);
    }

    [Fact]
    public void Replay_Homie4Attributes_BuildCapabilities()
    {
        var h = new Harness((r, l) => new HomieAdapter(r, l));

        h.Send("homie/plug-2/$homie", "4.0.0", true);
        h.Send("homie/plug-2/$name", "Desk plug", true);
        h.Send("homie/plug-2/relay/power/$datatype", "boolean", true);
        h.Send("homie/plug-2/relay/power/$settable", "true", true);
        h.Send("homie/plug-2/relay/power", "false", true);
        h.Send("homie/plug-2/$state", "alert", true);

        var plug = h.Device("plug-2");
        Assert.Equal(DevicePresence.DoNotDisturb, plug.Availability.ToPresence());
        Assert.Equal("homie/plug-2/relay/power/set", h.Command("plug-2", "toggle").Topic);
        Assert.Equal("true", h.Command("plug-2", "toggle").PayloadText);
    }

    [Fact]
    public void Replay_HomeAssistantDiscovery_AbbreviationsTemplatesAndDeviceLevel()
    {
        var h = new Harness((r, l) => new HaDiscoveryAdapter(r, l));
        var replay = MqttReplay.Load(RepoPaths.Replay("homeassistant-discovery.replay"));

        h.Play(replay.Section("discovery"));
        Assert.Contains("heater/relay/state", h.Gateway.SubscriptionFilters);
        var heater = h.Device("heater");
        Assert.Equal(new DeviceInfo("H-100", "Acme", "3.2"), heater.Info);
        Assert.Equal(DeviceAvailability.Online, heater.Availability);
        Assert.Equal(true, heater.ReadingOf("relay")!.Value.Flag);
        Assert.Equal(40, h.Device("desk").ReadingOf("desk", ReadingAttributes.Brightness)!.Value.Number);

        h.Play(replay.Section("telemetry"));
        Assert.Equal(21.5, h.Device("heater").ReadingOf("temp")!.Value.Number);
        var vent = h.Device("ventilation");
        Assert.Equal("low", vent.ReadingOf("speed")!.Value.Text);
        Assert.Equal(612, vent.ReadingOf("co2")!.Value.Number);

        var off = h.Command("heater", "off");
        Assert.Equal(("heater/relay/set", "0", false), (off.Topic, off.PayloadText, off.Retain));
        Assert.Equal(("desk/light/bri/set", "40"), (h.Command("desk", "set brightness 40").Topic, h.Command("desk", "set brightness 40").PayloadText));
        Assert.Equal(("vent/boost", "GO"), (h.Command("ventilation", "press").Topic, h.Command("ventilation", "press").PayloadText));
        Assert.Equal("high", h.Command("ventilation", "set speed high").PayloadText);

        h.Play(replay.Section("echo"));
        Assert.Equal(false, h.Device("heater").ReadingOf("relay")!.Value.Flag);
        h.Play(replay.Section("offline"));
        Assert.Equal(DeviceAvailability.Offline, h.Device("heater").Availability);
        Assert.Empty(h.Log.Problems);

        h.Send("homeassistant/light/desk/config", "", retained: true);
        Assert.Null(h.Registry.FindByLocalpart("desk"));
    }

    [Fact]
    public void Handle_UnsupportedTemplate_KeepsRawValueAndLogsOnce()
    {
        var h = new Harness((r, l) => new HaDiscoveryAdapter(r, l));
        h.Send("homeassistant/sensor/x/mode/config", """{"stat_t":"x/mode","val_tpl":"{% if value == '1' %}on{% endif %}","dev":{"ids":"x"}}""");

        h.Send("x/mode", "1");
        h.Send("x/mode", "1");

        Assert.Equal(1, h.Device("x").ReadingOf("mode")!.Value.Number);
        Assert.Single(h.Log.Entries, e => e.Id.Id == DeviceEventIds.TemplateNotEvaluated);
    }

    [Fact]
    public void Replay_EspHome_NativeTopicsEnrichedByItsDiscovery()
    {
        var log = new ListLogger();
        var registry = new DeviceRegistry(_ => false);
        var gateway = new DeviceGateway([new HaDiscoveryAdapter(registry, log), new EspHomeAdapter(registry, log)], log);
        var replay = MqttReplay.Load(RepoPaths.Replay("esphome-sensor.replay"));

        MqttReplay.Play(gateway, replay.Section("discovery"));
        var node = Assert.Single(registry.All);
        Assert.Equal(DeviceConvention.EspHome, node.Convention);
        Assert.Equal("livingroom-sensor", node.Localpart);
        Assert.Equal("Living room sensor", node.DisplayName);
        Assert.Equal(new DeviceInfo("esp32dev", "espressif", "esphome v2025.2.0 Feb 20 2025"), node.Info);
        Assert.Equal(DeviceAvailability.Online, node.Availability);

        MqttReplay.Play(gateway, replay.Section("telemetry"));
        node = registry.FindByLocalpart("livingroom-sensor")!;
        Assert.Equal("on, 21.5 °C", DeviceTexts.StatusLine(node));

        var off = Assert.Single(gateway.Translate(node, CommandParser.Parse("off", node).Command!).Publications);
        Assert.Equal(("livingroom-sensor/switch/fan/command", "OFF", false), (off.Topic, off.PayloadText, off.Retain));

        MqttReplay.Play(gateway, replay.Section("echo"));
        MqttReplay.Play(gateway, replay.Section("offline"));
        node = registry.FindByLocalpart("livingroom-sensor")!;
        Assert.Equal(false, node.ReadingOf("fan")!.Value.Flag);
        Assert.Equal(DeviceAvailability.Offline, node.Availability);
        Assert.Empty(log.Problems);
    }

    [Fact]
    public void Replay_HandDeclaredProfile_FromFirmwareConfig()
    {
        var log = new ListLogger();
        var profiles = ProfileAdapter.Load(RepoPaths.FirmwareConfig("profiles/garage.json"), log);
        var h = new Harness((r, l) => new ProfileAdapter(r, l, profiles));
        var replay = MqttReplay.Load(RepoPaths.Replay("garage-profile.replay"));
        Assert.Empty(log.Entries);

        h.Play(replay.Section("discovery"));
        var garage = h.Device("garage");
        Assert.Equal("Garage", garage.DisplayName);
        Assert.Equal(DeviceAvailability.Online, garage.Availability);
        Assert.Equal("closed", garage.ReadingOf("door")!.Value.Text);

        h.Play(replay.Section("telemetry"));
        Assert.Equal(8.5, h.Device("garage").ReadingOf("temperature")!.Value.Number);

        Assert.Equal(("garage/door/cmd", "UP"), (h.Command("garage", "open").Topic, h.Command("garage", "open").PayloadText));
        Assert.Equal(("garage/light/set", "1"), (h.Command("garage", "on").Topic, h.Command("garage", "on").PayloadText));
        Assert.Equal("speed=3", h.Command("garage", "set fan speed 3").PayloadText);

        h.Play(replay.Section("echo"));
        Assert.Equal(true, h.Device("garage").ReadingOf("light")!.Value.Flag);
        h.Play(replay.Section("offline"));
        Assert.Equal(DeviceAvailability.Offline, h.Device("garage").Availability);
        Assert.Empty(h.Log.Problems);
    }
}
