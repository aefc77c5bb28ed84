using System.Text.Json;
using EdgeNode.Core.Devices;

namespace EdgeNode.Devices.Tests;

/// <summary>Every file in firmware-config/ agrees with what the adapters expect.</summary>
public class FirmwareConfigTests
{
    [Fact]
    public void TasmotaBacklog_UsesDefaultFullTopicAndNoRetainedPower()
    {
        var line = File.ReadAllLines(RepoPaths.FirmwareConfig("tasmota/edgenode-backlog.txt")).Single(l => l.StartsWith("Backlog ", StringComparison.Ordinal));
        var commands = line["Backlog ".Length..].Split(';', StringSplitOptions.TrimEntries)
            .ToDictionary(c => c.Split(' ', 2)[0], c => c.Split(' ', 2)[1], StringComparer.OrdinalIgnoreCase);

        // TLS: the node's plain MQTT port listens on loopback only.
        Assert.Equal(("8883", "1"), (commands["MqttPort"], commands["SetOption103"]));
        Assert.Equal("%prefix%/%topic%/", commands["FullTopic"]);
        Assert.Equal("0", commands["PowerRetain"]);
        Assert.True(commands.ContainsKey("MqttHost") && commands.ContainsKey("MqttUser") && commands.ContainsKey("MqttPassword"));
        // The topic becomes the device's address: it must already be a clean local part.
        Assert.Equal(commands["Topic"], DeviceLocalpart.FromIdentifier(commands["Topic"]));
        // The default ACL is the account's own topics: the user must be the topic's name.
        Assert.Equal(commands["Topic"], commands["MqttUser"]);
    }

    [Fact]
    public void EspHomeBlock_BirthAndWillMatchAdapterStatusTopic()
    {
        var yaml = Yaml(RepoPaths.FirmwareConfig("esphome/mqtt.yaml"));

        var prefix = yaml["mqtt.topic_prefix"];
        Assert.Equal(prefix + "/status", yaml["mqtt.birth_message.topic"]);
        Assert.Equal(("online", "offline"), (yaml["mqtt.birth_message.payload"], yaml["mqtt.will_message.payload"]));
        Assert.Equal(prefix + "/status", yaml["mqtt.will_message.topic"]);
        Assert.Equal("homeassistant", yaml["mqtt.discovery_prefix"]);
        Assert.Equal(prefix, yaml["mqtt.username"]);
        Assert.Equal("8883", yaml["mqtt.port"]);
        var adapter = new EspHomeAdapter(new DeviceRegistry(_ => false), new ListLogger());
        Assert.Contains(adapter.SubscriptionFilters, f => TopicFilter.Matches(f, prefix + "/status"));
    }

    [Fact]
    public void Zigbee2MqttSnippet_BaseTopicAndAvailabilityMatchAdapter()
    {
        var yaml = Yaml(RepoPaths.FirmwareConfig("zigbee2mqtt/configuration.yaml"));

        Assert.Equal("zigbee2mqtt", yaml["mqtt.base_topic"]);
        Assert.Matches(@"^mqtt://.+:1883$", yaml["mqtt.server"]);
        Assert.Equal("true", yaml["availability.enabled"]);
        Assert.Equal(yaml["mqtt.base_topic"], yaml["mqtt.user"]);
        var adapter = new Zigbee2MqttAdapter(new DeviceRegistry(_ => false), new ListLogger(), yaml["mqtt.base_topic"]);
        Assert.Contains(adapter.SubscriptionFilters, f => TopicFilter.Matches(f, "zigbee2mqtt/bridge/devices"));
    }

    [Fact]
    public void ShellySetConfig_EnablesNotificationsTheAdapterReads()
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(RepoPaths.FirmwareConfig("shelly/mqtt-setconfig.json")));
        var root = document.RootElement;
        var config = root.GetProperty("params").GetProperty("config");

        Assert.Equal("MQTT.SetConfig", root.GetProperty("method").GetString());
        Assert.True(config.GetProperty("enable").GetBoolean());
        Assert.True(config.GetProperty("rpc_ntf").GetBoolean());
        Assert.True(config.GetProperty("status_ntf").GetBoolean());
        Assert.True(config.GetProperty("enable_control").GetBoolean());
        var prefix = config.GetProperty("topic_prefix").GetString()!;
        Assert.Equal(prefix, config.GetProperty("user").GetString());
        var adapter = new ShellyGen2Adapter(new DeviceRegistry(_ => false), new ListLogger());
        Assert.Contains(adapter.SubscriptionFilters, f => TopicFilter.Matches(f, prefix + "/events/rpc"));
        Assert.Contains(adapter.SubscriptionFilters, f => TopicFilter.Matches(f, prefix + "/online"));
    }

    [Fact]
    public void GarageProfile_ParsesWithoutProblems()
    {
        var problems = new List<string>();

        var profile = Assert.Single(DeviceProfileReader.Read(File.ReadAllBytes(RepoPaths.FirmwareConfig("profiles/garage.json")), problems));

        Assert.Empty(problems);
        Assert.Equal(["door", "light", "temperature", "fan-speed"], profile.Capabilities.Select(c => c.Capability.Id));
        Assert.Equal(new ProfileAvailability("garage/alive", "yes", "no"), profile.Availability);
    }

    [Fact]
    public void GpioPinMap_CoversBothBoardsAndEveryHeaderPinOnce()
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(RepoPaths.FirmwareConfig("gpio/raspberry-pi-header.json")));
        var root = document.RootElement;
        var pins = root.GetProperty("pins").EnumerateArray().ToList();
        var gpios = pins.Where(p => p.GetProperty("kind").GetString() == "gpio").ToList();

        Assert.Equal(Enumerable.Range(1, 40), pins.Select(p => p.GetProperty("physical").GetInt32()));
        Assert.Equal(Enumerable.Range(0, 28), gpios.Select(p => p.GetProperty("bcm").GetInt32()).Order());
        Assert.All(gpios, p => Assert.Equal(p.GetProperty("bcm").GetInt32(), p.GetProperty("line").GetInt32()));
        Assert.Equal(8, pins.Count(p => p.GetProperty("kind").GetString() == "ground"));
        Assert.Equal(2, gpios.Single(p => p.GetProperty("physical").GetInt32() == 3).GetProperty("bcm").GetInt32());
        Assert.Equal(21, gpios.Single(p => p.GetProperty("physical").GetInt32() == 40).GetProperty("bcm").GetInt32());
        var labels = root.GetProperty("boards").EnumerateArray().Select(b => b.GetProperty("chipLabel").GetString()).ToList();
        Assert.Equal(["pinctrl-bcm2711", "pinctrl-rp1"], labels);
    }

    /// <summary>
    /// Flattens the small block-style YAML of these snippets into "a.b.c" -> value. It reads only what the files
    /// use (nested maps, scalars, comments), which is enough to check them against the adapters.
    /// </summary>
    private static Dictionary<string, string> Yaml(string path)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var stack = new List<(int Indent, string Key)>();
        foreach (var raw in File.ReadAllLines(path))
        {
            var hash = raw.IndexOf(" #", StringComparison.Ordinal);
            var line = (raw.TrimStart().StartsWith('#') ? "" : hash >= 0 ? raw[..hash] : raw).TrimEnd();
            if (line.Trim().Length == 0) continue;
            var indent = line.Length - line.TrimStart().Length;
            var colon = line.IndexOf(':');
            var key = line[indent..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            while (stack.Count > 0 && stack[^1].Indent >= indent) stack.RemoveAt(stack.Count - 1);
            var path2 = string.Join('.', stack.Select(s => s.Key).Append(key));
            if (value.Length == 0) stack.Add((indent, key));
            else result[path2] = value;
        }
        return result;
    }
}
