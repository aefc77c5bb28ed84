using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeNode.Interop.Tests.Mqtt;
using EdgeNode.Interop.Tests.Support;

namespace EdgeNode.Interop.Tests.Devices;

/// <summary>
/// Every convention end to end, as the Tasmota scenario does it: a realistic device replayed with mosquitto_pub on
/// the embedded broker (the replay files of the adapters' unit tests, or firmware-config/), its owner and a stranger
/// as slixmpp clients, mosquitto_sub on the command topic. Also: a command the device never confirms, devices found
/// from retained messages after a restart, devices under Devices:Subdomain, and the node participant.
/// </summary>
public sealed class DeviceConventionInteropTests
{
    private static readonly TimeSpan ClientTime = TimeSpan.FromSeconds(150);

    // The devices publish anonymously from loopback: conventions such as Zigbee2MQTT use topics of no one device's name.
    private static readonly string[] Settings =
        ["--Node:Admins=alice@localhost", "--Mqtt:AnonymousLoopback=true", "--Devices:TelemetryIntervalSeconds=1", "--Devices:CommandTimeoutSeconds=5"];

    [Fact]
    public async Task EspHome_SensorWithFan_RosterTelemetryCommandAndOffline()
    {
        await using var node = await StartAsync();
        var result = await RunAsync(node, Replay("esphome-sensor.replay"), new JsonObject
        {
            ["contact"] = "livingroom-sensor@localhost",
            ["telemetry_contains"] = "21.5 °C",
            ["subscribe"] = "livingroom-sensor/switch/fan/command",
            ["command"] = "off",
        });

        AssertRoster(result, "livingroom-sensor@localhost", "Switches");
        Assert.Equal("on", Presence(result, "livingroom-sensor@localhost").GetProperty("status").GetString());
        var vcard = result.GetProperty("vcard");
        Assert.Equal(("Living room sensor", "livingroom-sensor", "esp32dev", "espressif"),
            (vcard.GetProperty("FN").GetString(), vcard.GetProperty("NICKNAME").GetString(), vcard.GetProperty("TITLE").GetString(), vcard.GetProperty("ORGNAME").GetString()));
        Assert.StartsWith("EspHome device, firmware esphome v2025.2.0", vcard.GetProperty("DESC").GetString(), StringComparison.Ordinal);
        Assert.Contains("Fan (switch)", vcard.GetProperty("DESC").GetString(), StringComparison.Ordinal);
        AssertCommon(result, ["0 livingroom-sensor/switch/fan/command OFF"], "done: off");
    }

    [Fact]
    public async Task Zigbee2Mqtt_JsonAndPlainAvailability_BothDevicesCommandedAndOffline()
    {
        await using var node = await StartAsync();
        var result = await RunAsync(node, Replay("zigbee2mqtt-lamp.replay"), new JsonObject
        {
            // The lamp announces availability in the 2.x JSON form, the sensor in the older plain "online".
            ["contacts"] = new JsonArray("living-room-lamp@localhost", "0x00158d0001a2b3c4@localhost"),
            ["contact"] = "living-room-lamp@localhost",
            ["telemetry_contact"] = "0x00158d0001a2b3c4@localhost",
            ["telemetry_contains"] = "21.5 °C",
            ["subscribe"] = "zigbee2mqtt/+/set",
            ["command"] = "off",
            ["offline"] = new JsonArray(
                Message("zigbee2mqtt/Living Room Lamp/availability", """{"state":"offline"}""", true),
                Message("zigbee2mqtt/0x00158d0001a2b3c4/availability", "offline", true)),
            ["offline_contacts"] = new JsonArray("living-room-lamp@localhost", "0x00158d0001a2b3c4@localhost"),
        });

        AssertRoster(result, "living-room-lamp@localhost", "Lights");
        AssertRoster(result, "0x00158d0001a2b3c4@localhost", "Sensors");
        Assert.Equal("LED1545G12", result.GetProperty("vcard").GetProperty("TITLE").GetString());
        Assert.Equal("unavailable", result.GetProperty("presence_offline").GetProperty("0x00158d0001a2b3c4@localhost").GetProperty("type").GetString());
        AssertCommon(result, ["0 zigbee2mqtt/Living Room Lamp/set {\"state\":\"OFF\"}"], "done: off");
    }

    [Fact]
    public async Task Homie5_FirmwareConfigThermostat_RosterTelemetryCommandAndLost()
    {
        await using var node = await StartAsync();
        // firmware-config's Homie 5 example is the discovery; the rest is what the thermostat does next.
        var result = await RunAsync(node, FirmwareConfig("homie", "homie5-thermostat.mqtt"), new JsonObject
        {
            ["contact"] = "thermostat-1@localhost",
            ["telemetry"] = new JsonArray(Message("homie/5/thermostat-1/sensor/temperature", "22.5", true)),
            ["telemetry_contains"] = "22.5 °C",
            ["subscribe"] = "homie/5/thermostat-1/+/+/set",
            ["command"] = "on",
            ["echo"] = new JsonArray(Message("homie/5/thermostat-1/heating/on", "true", true)),
            ["offline"] = new JsonArray(Message("homie/5/thermostat-1/$state", "lost", true)),
        });

        AssertRoster(result, "thermostat-1@localhost", "Switches");
        Assert.Equal("Hall thermostat", result.GetProperty("roster").GetProperty("thermostat-1@localhost").GetProperty("name").GetString());
        AssertCommon(result, ["0 homie/5/thermostat-1/heating/on/set true"], "done: on");
    }

    [Fact]
    public async Task HomeAssistantDiscovery_Heater_RosterTemplatedTelemetryCommandAndOffline()
    {
        await using var node = await StartAsync();
        var result = await RunAsync(node, Replay("homeassistant-discovery.replay"), new JsonObject
        {
            ["contacts"] = new JsonArray("heater@localhost", "desk@localhost", "ventilation@localhost"),
            ["contact"] = "heater@localhost",
            // {{ value_json.temp | round(1) }} of 21.549
            ["telemetry_contains"] = "21.5 °C",
            ["subscribe"] = "heater/relay/set",
            ["command"] = "off",
        });

        AssertRoster(result, "heater@localhost", "Switches");
        AssertRoster(result, "desk@localhost", "Lights");
        Assert.Equal("Heater", result.GetProperty("roster").GetProperty("heater@localhost").GetProperty("name").GetString());
        AssertCommon(result, ["0 heater/relay/set 0"], "done: off");
    }

    [Fact]
    public async Task HomeAssistantDiscovery_DeviceAccountNamesAnotherDevicesCommandTopic_OwnersCommandNeverReachesIt()
    {
        // Issue 14, finding 2: "evil" announces itself under its own name (which the broker allows), calls itself
        // plug2 and gives one entity plug2's command topic. The node makes it evil@, drops that entity, and the owner's
        // command goes to evil's own topic only; mosquitto_sub on # is a loopback superuser.
        await using var node = await StartAsync();
        const string password = "evil horse battery";
        var (code, _, error) = await node.VerbAsync(password + "\n", "device", "add", "evil");
        Assert.True(code == 0, error);
        var evil = MqttPeers.Connection(node.Port("Mqtt:Port"), "evil", password, "mqttv5");
        foreach (var (topic, payload) in new[]
        {
            ("homeassistant/switch/evil/config", """{"name":"Power","stat_t":"evil/power/state","cmd_t":"evil/power/set","avty_t":"evil/status","dev":{"ids":"evil-1","name":"plug2"}}"""),
            ("homeassistant/sensor/evil/temp/config", """{"name":"Temperature","stat_t":"evil/temp","avty_t":"evil/status","val_tpl":"{{ value_json.temp }}","unit_of_meas":"°C","dev_cla":"temperature","dev":{"ids":"evil-1"}}"""),
            ("homeassistant/light/evil/lamp/config", """{"name":"Lamp","stat_t":"evil/lamp","avty_t":"evil/status","cmd_t":"cmnd/plug2/POWER","dev":{"ids":"evil-1"}}"""),
            ("evil/status", "online"),
        })
        {
            var published = await MqttPeers.PublishAsync(evil, "-t", topic, "-m", payload, "-r", "-q", "1");
            Assert.True(published.ExitCode == 0, published.Error);
        }

        var result = await RunAsync(node, Replay("homeassistant-discovery.replay"), new JsonObject
        {
            ["contact"] = "evil@localhost",
            ["discovery"] = new JsonArray(),
            ["telemetry"] = new JsonArray(Message("evil/temp", """{"temp":21.5}""", false)),
            ["telemetry_contains"] = "21.5 °C",
            ["subscribe"] = "#",
            ["command"] = "on",
            ["echo"] = new JsonArray(Message("evil/power/state", "ON", true)),
            ["offline"] = new JsonArray(Message("evil/status", "offline", true)),
        });

        Assert.Equal("plug2", result.GetProperty("roster").GetProperty("evil@localhost").GetProperty("name").GetString());
        Assert.False(result.GetProperty("roster").TryGetProperty("plug2@localhost", out _));
        // Everything on the broker from the subscription to the answer: the command went to evil's own topic, and
        // nothing at all was published on cmnd/ (the lines are "<retained> <topic> <payload>").
        var topics = result.GetProperty("published").EnumerateArray().Select(l => l.GetString()!.Split(' ')).ToArray();
        Assert.Contains(topics, t => t is ["0", "evil/power/set", "ON"]);
        Assert.DoesNotContain(topics, t => t[1].StartsWith("cmnd/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ShellyGen2_Plus1PM_RosterTelemetryRpcCommandAndOffline()
    {
        await using var node = await StartAsync();
        var result = await RunAsync(node, Replay("shelly-plus1pm.replay"), new JsonObject
        {
            ["contact"] = "shellyplus1pm-a8032ab12345@localhost",
            ["telemetry_contains"] = "57.9 W",
            ["subscribe"] = "shellyplus1pm-a8032ab12345/rpc",
            ["command"] = "off",
        });

        AssertRoster(result, "shellyplus1pm-a8032ab12345@localhost", "Switches");
        AssertCommon(result, null, "done: off");
        var line = Assert.Single(result.GetProperty("published").EnumerateArray()).GetString()!;
        Assert.StartsWith("0 shellyplus1pm-a8032ab12345/rpc {", line, StringComparison.Ordinal);
        using var rpc = JsonDocument.Parse(line[line.IndexOf('{', StringComparison.Ordinal)..]);
        Assert.Equal("Switch.Set", rpc.RootElement.GetProperty("method").GetString());
        Assert.Equal("shellyplus1pm-a8032ab12345/edgenode", rpc.RootElement.GetProperty("src").GetString());
        Assert.Equal(0, rpc.RootElement.GetProperty("params").GetProperty("id").GetInt32());
        Assert.False(rpc.RootElement.GetProperty("params").GetProperty("on").GetBoolean());
    }

    [Fact]
    public async Task Profile_FirmwareConfigGarage_RosterTelemetryCommandAndOffline()
    {
        await using var node = await StartAsync("--Devices:ProfileFiles=" + FirmwareConfig("profiles", "garage.json"));
        var result = await RunAsync(node, Replay("garage-profile.replay"), new JsonObject
        {
            ["contact"] = "garage@localhost",
            ["telemetry_contains"] = "8.5 °C",
            ["subscribe"] = "garage/light/set",
            ["command"] = "on",
        });

        AssertRoster(result, "garage@localhost", "Switches");
        Assert.Equal("Garage", result.GetProperty("roster").GetProperty("garage@localhost").GetProperty("name").GetString());
        AssertCommon(result, ["0 garage/light/set 1"], "done: on");
    }

    [Fact]
    public async Task Command_DeviceNeverConfirms_TimeoutReplyInChat()
    {
        await using var node = await StartAsync();
        var result = await RunAsync(node, Replay("esphome-sensor.replay"), new JsonObject
        {
            ["contact"] = "livingroom-sensor@localhost",
            ["telemetry_contains"] = "21.5 °C",
            ["subscribe"] = "livingroom-sensor/switch/fan/command",
            ["command"] = "off",
            ["echo"] = new JsonArray(),
        });

        AssertCommon(result, ["0 livingroom-sensor/switch/fan/command OFF"], "no answer from livingroom-sensor after 5 s");
    }

    [Fact]
    public async Task Restart_RetainedDiscoveryOnBroker_DeviceBackWithPresenceAndCommands()
    {
        var dataDir = Directory.CreateTempSubdirectory("edgenode-interop-restart-").FullName;
        try
        {
            // First run: the plug's retained LWT and power state reach the broker, which keeps them in its database.
            await using (var first = await StartAsync("--Node:DataDir=" + dataDir))
            {
                await first.AddUserAsync("alice", "pw-alice");
                await first.AddUserAsync("bob", "pw-bob");
                var published = await Peer.PythonAsync("Devices/devices_slixmpp.py",
                    ["publish", "0", first.Domain, first.Port("Mqtt:Port").ToString(CultureInfo.InvariantCulture), "-", "-",
                     Replay("tasmota-plug.replay"), "discovery"], ClientTime);
                Assert.True(published.ExitCode == 0, published.ToString());
            }

            // Second run: nothing is published before the owner looks; the device comes from the retained messages alone.
            await using var second = await StartAsync("--Node:DataDir=" + dataDir);
            var result = await RunAsync(second, Replay("tasmota-plug.replay"), new JsonObject
            {
                ["contact"] = "plug1@localhost",
                ["discovery"] = new JsonArray(),
                ["telemetry_contains"] = "58 W",
                ["subscribe"] = "cmnd/plug1/#",
                ["command"] = "off",
            }, createUsers: false);

            Assert.Equal("on", Presence(result, "plug1@localhost").GetProperty("status").GetString());
            AssertCommon(result, ["0 cmnd/plug1/POWER OFF"], "done: off");
        }
        finally
        {
            try { Directory.Delete(dataDir, recursive: true); } catch (IOException) { }
        }
    }

    [Fact]
    public async Task Subdomain_DevicesUnderDevicesDomain_RosterPresenceAndCommands()
    {
        await using var node = await StartAsync("--Devices:Subdomain=devices");
        var result = await RunAsync(node, Replay("tasmota-plug.replay"), new JsonObject
        {
            ["contact"] = "plug1@devices.localhost",
            ["telemetry_contains"] = "58 W",
            ["subscribe"] = "cmnd/plug1/#",
            ["command"] = "off",
        });

        AssertRoster(result, "plug1@devices.localhost", "Switches");
        Assert.Equal("on", Presence(result, "plug1@devices.localhost").GetProperty("status").GetString());
        AssertCommon(result, ["0 cmnd/plug1/POWER OFF"], "done: off");
    }

    [Fact]
    public async Task NodeParticipant_AdminStatusOwnerAndAllow_StrangerRefused()
    {
        await using var node = await StartAsync();
        // plug1 is also an MQTT device account, so that 'allow' has an account to grant to.
        var (code, _, error) = await node.VerbAsync("pw-plug1-device\n", "device", "add", "plug1");
        Assert.True(code == 0, error);
        await node.AddUserAsync("alice", "pw-alice");
        await node.AddUserAsync("bob", "pw-bob");
        var run = await Peer.PythonAsync("Devices/devices_slixmpp.py",
            ["node", node.Port("Xmpp:C2sPort").ToString(CultureInfo.InvariantCulture), node.Domain,
             node.Port("Mqtt:Port").ToString(CultureInfo.InvariantCulture), "-", "-", Replay("tasmota-plug.replay"),
             "alice", "pw-alice", "bob", "pw-bob"], ClientTime);
        Assert.True(run.ExitCode == 0, $"the scenario failed (packages python3-slixmpp, mosquitto-clients): {run}");
        var result = JsonDocument.Parse(run.Out.Trim().Split('\n')[^1]).RootElement.Clone();
        var text = result.ToString();

        Assert.Equal("both", result.GetProperty("roster").GetProperty("subscription").GetString());
        Assert.Equal(["EdgeNode"], result.GetProperty("roster").GetProperty("groups").EnumerateArray().Select(g => g.GetString()!).ToArray());
        Assert.Equal("available", result.GetProperty("presence").GetProperty("type").GetString());
        Assert.False(result.GetProperty("stranger_roster_has_node").GetBoolean(), text);
        Assert.Equal("EdgeNode localhost", result.GetProperty("vcard").GetProperty("FN").GetString());

        var status = result.GetProperty("status").GetString()!;
        foreach (var line in new[] { "CPU temperature: ", "Load: ", "Memory: ", "Disk: ", "Uptime: node ", "Clients: XMPP 2, MQTT ", "Devices: 1 of 1 online" })
        {
            Assert.Contains(line, status, StringComparison.Ordinal);
        }
        Assert.Contains("plug1@localhost (Tasmota, online): owned by alice@localhost", result.GetProperty("devices").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("The node understands:", result.GetProperty("help").GetString(), StringComparison.Ordinal);

        Assert.Equal("forbidden", result.GetProperty("stranger").GetProperty("condition").GetString());
        Assert.False(result.GetProperty("stranger_roster_has_plug_before").GetBoolean(), text);
        Assert.Equal("bob@localhost now owns plug1@localhost", result.GetProperty("owner").GetString());
        Assert.Equal("available", result.GetProperty("new_owner_presence").GetProperty("type").GetString());
        Assert.Equal("device plug1 may now publish extra/plug1/# (from its next connection)", result.GetProperty("allow").GetString());
        Assert.StartsWith("'not-an-address' is not a bare address", result.GetProperty("bad_owner").GetString(), StringComparison.Ordinal);
        var (aclCode, acl, _) = await node.VerbAsync("", "device", "acl", "plug1");
        Assert.Equal(0, aclCode);
        Assert.Contains("publish   extra/plug1/#", acl, StringComparison.Ordinal);
    }

    private static Task<TestNode> StartAsync(params string[] extra) =>
        TestNode.StartAsync("localhost", "127.0.0.1", [.. Settings, .. extra]);

    private static JsonArray Message(string topic, string payload, bool retained) => new(topic, payload, retained);

    private static async Task<JsonElement> RunAsync(TestNode node, string replay, JsonObject spec, bool createUsers = true)
    {
        if (createUsers)
        {
            await node.AddUserAsync("alice", "pw-alice");
            await node.AddUserAsync("bob", "pw-bob");
        }
        _ = MqttPeers.Pub;
        _ = MqttPeers.Sub;
        Peer.Require("stdbuf", "coreutils");
        var run = await Peer.PythonAsync("Devices/devices_slixmpp.py",
            ["convention", node.Port("Xmpp:C2sPort").ToString(CultureInfo.InvariantCulture), node.Domain,
             node.Port("Mqtt:Port").ToString(CultureInfo.InvariantCulture), "-", "-", replay, "alice", "pw-alice", "bob", "pw-bob",
             spec.ToJsonString()], ClientTime);
        Assert.True(run.ExitCode == 0, $"the scenario failed (packages python3-slixmpp, mosquitto-clients): {run}");
        return JsonDocument.Parse(run.Out.Trim().Split('\n')[^1]).RootElement.Clone();
    }

    private static void AssertRoster(JsonElement result, string contact, string group)
    {
        var item = result.GetProperty("roster").GetProperty(contact);
        Assert.Equal("both", item.GetProperty("subscription").GetString());
        Assert.Equal([group], item.GetProperty("groups").EnumerateArray().Select(g => g.GetString()!).ToArray());
        Assert.Equal("available", Presence(result, contact).GetProperty("type").GetString());
    }

    private static JsonElement Presence(JsonElement result, string contact) => result.GetProperty("presence_online").GetProperty(contact);

    // What every convention must do the same: headline telemetry, forbidden for the stranger with nothing published,
    // exactly the owner's command on the wire (never retained: the first field is mosquitto_sub's retain flag), the
    // answer in chat, and unavailable after the device's will.
    private static void AssertCommon(JsonElement result, string[]? published, string answer)
    {
        var text = result.ToString();
        Assert.Equal("headline", result.GetProperty("telemetry").GetProperty("type").GetString());
        Assert.True(result.GetProperty("telemetry").GetProperty("readings").EnumerateObject().Any(), text);
        Assert.False(result.GetProperty("stranger_roster_has_device").GetBoolean(), text);
        Assert.Equal("forbidden", result.GetProperty("stranger").GetProperty("condition").GetString());
        if (published is not null)
        {
            Assert.Equal(published, result.GetProperty("published").EnumerateArray().Select(l => l.GetString()!).ToArray());
        }
        Assert.Equal(answer, result.GetProperty("answer").GetString());
        Assert.False(string.IsNullOrEmpty(result.GetProperty("vcard").GetProperty("FN").GetString()), text);
        Assert.Equal("forbidden", result.GetProperty("stranger_vcard").GetProperty("error").GetString());
        Assert.All(result.GetProperty("presence_offline").EnumerateObject(), p => Assert.Equal("unavailable", p.Value.GetProperty("type").GetString()));
        Assert.False(result.GetProperty("stranger_saw_presence").GetBoolean(), text);
    }

    private static string Replay(string name) => RepoFile("tests", "EdgeNode.Devices.Tests", "Replays", name);

    private static string FirmwareConfig(params string[] parts) => RepoFile(["firmware-config", .. parts]);

    private static string RepoFile(params string[] parts)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine([dir.FullName, .. parts]);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("not found above " + AppContext.BaseDirectory, Path.Combine(parts));
    }
}
