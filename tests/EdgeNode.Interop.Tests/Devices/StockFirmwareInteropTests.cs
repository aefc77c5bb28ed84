using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeNode.Hosting;
using EdgeNode.Interop.Tests.Mqtt;
using EdgeNode.Interop.Tests.Support;

namespace EdgeNode.Interop.Tests.Devices;

/// <summary>
/// Issue 15: a device set up as firmware-config says (its MQTT user named like its topic), left at its firmware's
/// stock settings, is refused nothing. paho plays each firmware's connect sequence (will, subscriptions, retained
/// discovery and state, live telemetry); the SUBACKs grant every filter and the node's log has no refusal for them.
/// </summary>
public sealed class StockFirmwareInteropTests
{
    private static readonly ConcurrentQueue<string> Log = new();

    static StockFirmwareInteropTests() => NodeLogTap.Lines = Log.Enqueue;

    private static readonly string[] Users = ["stockplug", "stock-sensor", "zigbee2mqtt", "shellyplus1pm-c4d8d5001122", "stock-thermostat"];

    [Fact]
    public async Task StockConnectSequences_NoRefusalAndDevicesFound()
    {
        await using var node = await TestNode.StartAsync("localhost", "127.0.0.1", "--Node:Admins=alice@localhost");
        foreach (var user in Users)
        {
            var (code, _, error) = await node.VerbAsync("pw-" + user + "-device\n", "device", "add", user);
            Assert.True(code == 0, error);
        }

        var spec = Path.Combine(node.DataDir, "stock.json");
        await File.WriteAllTextAsync(spec, Spec().ToJsonString());
        var run = await Peer.PythonAsync(Path.Combine("Devices", "stock_firmware.py"), [node.Address, node.Port("Mqtt:Port").ToString(System.Globalization.CultureInfo.InvariantCulture), spec], MqttPeers.Wait * 3);
        Assert.True(run.ExitCode == 0, run.Out + run.Error);
        using var result = JsonDocument.Parse(run.Out);
        foreach (var user in Users)
        {
            var device = result.RootElement.GetProperty(user);
            Assert.Equal(0, device.GetProperty("rc").GetInt32());
            Assert.All(device.GetProperty("granted").EnumerateArray(), g => Assert.True(g.GetInt32() < 0x80, $"{user}: a subscription was refused: {device}"));
        }

        // The Tasmota MAC is now the plug's own; the device list knows it by its discovery name.
        var (_, acl, _) = await node.VerbAsync("", "device", "acl", "stockplug");
        Assert.Contains("publish   tasmota/discovery/A4CF124F2A1C/#", acl, StringComparison.Ordinal);

        // The tap sees this node's log: the plug's first discovery took its MAC.
        Assert.Contains(Log, l => l.Contains("MQTT device stockplug published first under tasmota/discovery/A4CF124F2A1C/#", StringComparison.Ordinal));
        var lines = Log.Where(l => Users.Any(u => l.Contains("(user " + u + ")", StringComparison.Ordinal) || l.Contains(" as " + u + " ", StringComparison.Ordinal))).ToList();
        Assert.DoesNotContain(lines, l => l.Contains("may not", StringComparison.Ordinal) || l.Contains("refused", StringComparison.Ordinal));
        // Connects and disconnects are debug: nothing at Information says "connected from" for these devices.
        Assert.DoesNotContain(lines, l => l.Contains("connected from", StringComparison.Ordinal));
        Assert.DoesNotContain(Log, l => l.Contains("retained messages described devices", StringComparison.Ordinal) && !l.Contains("of the broker's 0 retained", StringComparison.Ordinal));
    }

    private static JsonArray Spec()
    {
        static JsonArray Publish(params (string Topic, string Payload, bool Retain)[] messages) =>
            [.. messages.Select(m => (JsonNode)new JsonArray(m.Topic, m.Payload, m.Retain))];
        static JsonObject Device(string user, string clientId, (string, string, bool) will, string[] subscribe, JsonArray publish) => new()
        {
            ["user"] = user,
            ["password"] = "pw-" + user + "-device",
            ["client_id"] = clientId,
            ["will"] = new JsonArray(will.Item1, will.Item2, will.Item3),
            ["subscribe"] = new JsonArray([.. subscribe.Select(s => (JsonNode)s)]),
            ["publish"] = publish,
        };

        const string Shelly = "shellyplus1pm-c4d8d5001122";
        var homie = File.ReadAllLines(Path.Combine(FirmwareConfigDir(), "homie", "homie5-thermostat.mqtt"))
            .Where(l => l.StartsWith("R ", StringComparison.Ordinal))
            .Select(l => l[2..].Split(' ', 2))
            .Select(p => (p[0].Replace("thermostat-1", "stock-thermostat", StringComparison.Ordinal), p[1], true)).ToArray();
        return
        [
            // Tasmota 14 with the firmware-config backlog: MqttClient DVES_%06X, GroupTopic tasmotas, SetOption19 0.
            Device("stockplug", "DVES_4F2A1C", ("tele/stockplug/LWT", "Offline", true),
                ["cmnd/stockplug/#", "cmnd/DVES_4F2A1C_fb/#", "cmnd/tasmotas/#"],
                Publish(("tele/stockplug/LWT", "Online", true),
                    ("tele/stockplug/INFO1", """{"Info1":{"Module":"Sonoff S31","Version":"14.3.0(release-tasmota)","FallbackTopic":"cmnd/DVES_4F2A1C_fb/","GroupTopic":"cmnd/tasmotas/"}}""", false),
                    ("stat/stockplug/RESULT", """{"POWER":"ON"}""", false),
                    ("tasmota/discovery/A4CF124F2A1C/config", """{"ip":"192.168.1.40","dn":"Sonoff S31","fn":["Kitchen plug",null,null,null,null,null,null,null],"hn":"stockplug-2588","mac":"A4CF124F2A1C","md":"Sonoff S31","ty":0,"if":0,"ofln":"Offline","onln":"Online","state":["OFF","ON","TOGGLE","HOLD"],"sw":"14.3.0","t":"stockplug","ft":"%prefix%/%topic%/","tp":["cmnd","stat","tele"],"rl":[1,0,0,0,0,0,0,0],"ver":1}""", true),
                    ("tasmota/discovery/A4CF124F2A1C/sensors", """{"sn":{"Time":"2025-03-01T12:00:10","ENERGY":{"Total":12.345,"Today":0.105,"Power":58,"Voltage":231}},"ver":1}""", true),
                    ("tele/stockplug/STATE", """{"Time":"2025-03-01T12:00:10","Uptime":"0T00:00:10","POWER":"ON"}""", false),
                    ("tele/stockplug/SENSOR", """{"Time":"2025-03-01T12:00:10","ENERGY":{"TotalStartTime":"2024-11-02T09:12:44","Total":12.345,"Yesterday":0.412,"Today":0.105,"Period":1,"Power":58,"Voltage":231,"Current":0.264}}""", false))),
            // ESPHome with firmware-config's mqtt block: device info for the dashboard, Home Assistant discovery, states, log.
            Device("stock-sensor", "stock-sensor-a4cf12abcdef", ("stock-sensor/status", "offline", true),
                ["esphome/discover", "esphome/ping/stock-sensor", "homeassistant/status", "stock-sensor/switch/relay/command"],
                Publish(("stock-sensor/status", "online", true),
                    ("esphome/discover/stock-sensor", """{"ip":"192.168.1.41","name":"stock-sensor","version":"2025.2.0","mac":"a4cf12abcdef","platform":"ESP32","board":"esp32dev","network":"wifi"}""", true),
                    ("homeassistant/sensor/stock-sensor/temperature/config", """{"dev_cla":"temperature","unit_of_meas":"°C","stat_cla":"measurement","name":"Temperature","stat_t":"stock-sensor/sensor/temperature/state","avty_t":"stock-sensor/status","uniq_id":"ESPsensortemperature","dev":{"ids":"a4cf12abcdef","name":"stock-sensor","sw":"2025.2.0","mdl":"esp32dev","mf":"espressif"}}""", true),
                    ("stock-sensor/sensor/temperature/state", "21.5", true),
                    ("stock-sensor/debug", "[I][app:100]: ESPHome version 2025.2.0", false))),
            // Zigbee2MQTT 2.x as firmware-config sets it up (account named like its base topic).
            Device("zigbee2mqtt", "mqttjs_5f1c2b3a", ("zigbee2mqtt/bridge/state", """{"state":"offline"}""", true),
                ["zigbee2mqtt/#"],
                Publish(("zigbee2mqtt/bridge/state", """{"state":"online"}""", true),
                    ("zigbee2mqtt/bridge/info", """{"version":"2.1.1","config":{"mqtt":{"base_topic":"zigbee2mqtt"}}}""", true),
                    ("zigbee2mqtt/bridge/devices", """[{"ieee_address":"0x00158d0001a2b3c4","friendly_name":"stock-lamp","type":"Router","definition":{"model":"LED1545G12","vendor":"IKEA","exposes":[{"type":"light","features":[{"type":"binary","name":"state","property":"state","value_on":"ON","value_off":"OFF","access":7}]}]}}]""", true),
                    ("zigbee2mqtt/stock-lamp/availability", """{"state":"online"}""", true),
                    ("zigbee2mqtt/stock-lamp", """{"state":"ON","linkquality":120}""", false))),
            // Shelly Plus 1PM with mqtt-setconfig.json (user = topic_prefix), and its answer to the node's RPC.
            Device(Shelly, Shelly, (Shelly + "/online", "false", true),
                [Shelly + "/rpc", Shelly + "/command", Shelly + "/command/switch:0"],
                Publish((Shelly + "/online", "true", true),
                    (Shelly + "/status/switch:0", """{"id":0,"source":"init","output":true,"apower":57.9,"voltage":229.8}""", true),
                    (Shelly + "/events/rpc", """{"src":"shellyplus1pm-c4d8d5001122","dst":"shellyplus1pm-c4d8d5001122/events","method":"NotifyStatus","params":{"ts":1740830400.0,"switch:0":{"id":0,"apower":58.1}}}""", false),
                    (Shelly + "/edgenode/rpc", """{"id":1,"src":"shellyplus1pm-c4d8d5001122","dst":"shellyplus1pm-c4d8d5001122/edgenode","result":{"was_on":true}}""", false))),
            // A Homie 5 device: the firmware-config reference messages, its set topics and the broadcasts.
            Device("stock-thermostat", "stock-thermostat", ("homie/5/stock-thermostat/$state", "lost", true),
                ["homie/5/stock-thermostat/+/+/set", "homie/5/$broadcast/#"],
                Publish(homie)),
        ];
    }

    private static string FirmwareConfigDir()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (Directory.Exists(Path.Combine(dir.FullName, "firmware-config"))) return Path.Combine(dir.FullName, "firmware-config");
        }
        throw new DirectoryNotFoundException("firmware-config");
    }
}
