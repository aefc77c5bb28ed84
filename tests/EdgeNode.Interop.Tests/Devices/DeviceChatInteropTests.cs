using System.Globalization;
using System.Text.Json;
using EdgeNode.Gpio.Chips;
using EdgeNode.Gpio.Pins;
using EdgeNode.Interop.Tests.Mqtt;
using EdgeNode.Interop.Tests.Support;

namespace EdgeNode.Interop.Tests.Devices;

/// <summary>
/// Issue 5 end to end: a device replayed on the embedded broker with mosquitto_pub (from the replay files the
/// adapters' unit tests use), its owner and a stranger as slixmpp clients, mosquitto_sub watching the command
/// topics. Everything asserted here was seen by the real clients.
/// </summary>
public sealed class DeviceChatInteropTests
{
    private static readonly TimeSpan ClientTime = TimeSpan.FromSeconds(150);

    [Fact]
    public async Task Tasmota_PlugInOwnersRoster_PresenceTelemetryCommandsAndWill()
    {
        // alice administers the node, so an auto-discovered device is hers; bob is a user of the node too.
        await using var node = await MqttPeers.StartNodeWithDeviceAsync("plug1", "pw-plug1-device",
            "--Node:Admins=alice@localhost", "--Devices:TelemetryIntervalSeconds=2", "--Devices:CommandTimeoutSeconds=5");
        await node.AddUserAsync("alice", "pw-alice");
        await node.AddUserAsync("bob", "pw-bob");
        _ = MqttPeers.Pub;
        _ = MqttPeers.Sub;

        var result = await RunAsync(node, "tasmota", "plug1", "pw-plug1-device", Replay("tasmota-plug.replay"), "alice", "pw-alice", "bob", "pw-bob");
        var text = result.ToString();

        var roster = result.GetProperty("roster");
        Assert.Equal("both", roster.GetProperty("subscription").GetString());
        Assert.Equal(["Switches"], roster.GetProperty("groups").EnumerateArray().Select(g => g.GetString()!).ToArray());
        Assert.False(result.GetProperty("stranger_roster_has_device").GetBoolean(), text);

        var online = result.GetProperty("presence_online");
        Assert.Equal("available", online.GetProperty("type").GetString());
        Assert.Equal("on", online.GetProperty("status").GetString());

        var telemetry = result.GetProperty("telemetry");
        Assert.Equal("headline", telemetry.GetProperty("type").GetString());
        Assert.Contains("58 W", telemetry.GetProperty("body").GetString(), StringComparison.Ordinal);
        Assert.Contains(telemetry.GetProperty("readings").EnumerateObject(),
            r => r.Value[0].GetString() == "58" && r.Value[1].GetString() == "W");

        // Three reports within the 2 s interval: the first goes out at once or is merged; the owner never gets more
        // than two messages for them, and the last one carries the newest value.
        var burst = result.GetProperty("burst");
        Assert.Contains("103 W", burst.GetProperty("last").GetString(), StringComparison.Ordinal);
        Assert.True(burst.GetProperty("other_burst_messages").GetArrayLength() <= 1, text);

        var stranger = result.GetProperty("stranger");
        Assert.Equal("forbidden", stranger.GetProperty("condition").GetString());

        Assert.StartsWith("plug1 understands:\non, off, toggle: switch", result.GetProperty("help").GetString(), StringComparison.Ordinal);
        Assert.Contains("'dance' is not a command plug1 understands", result.GetProperty("unknown").GetString(), StringComparison.Ordinal);

        // Exactly one command on the wire, not retained, and none from the stranger.
        Assert.Equal(["0 cmnd/plug1/POWER OFF"], result.GetProperty("published").EnumerateArray().Select(l => l.GetString()!).ToArray());
        Assert.Equal("done: off", result.GetProperty("answer").GetString());

        var offline = result.GetProperty("presence_offline");
        Assert.Equal("unavailable", offline.GetProperty("type").GetString());
        Assert.False(result.GetProperty("stranger_saw_presence").GetBoolean(), text);
    }

    [Fact]
    public async Task Gpio_SimulatedPins_RosterEdgeMessageOutputCommandAndStranger()
    {
        const int ButtonLine = 17;
        const int RelayLine = 27;
        SimulatedGpioChip? chip = null;
        SimulatedGpioHook.Opened = opened => chip = opened;
        TestNode node;
        try
        {
            node = await TestNode.StartAsync("localhost", "127.0.0.1",
                // A long telemetry interval: a pin's edges must not wait for it (a press would be swallowed).
                "--Node:Admins=alice@localhost", "--Devices:TelemetryIntervalSeconds=600", "--Devices:Gpio:Chip=simulated",
                "--Devices:Gpio:Pins:button:Line=GPIO17", "--Devices:Gpio:Pins:button:Bias=pull-down",
                "--Devices:Gpio:Pins:relay:Line=pin13", "--Devices:Gpio:Pins:relay:Direction=output",
                "--Devices:Gpio:Pins:relay:Owners=alice@localhost");
        }
        finally
        {
            SimulatedGpioHook.Opened = null;
        }
        await using var _ = node;
        Assert.NotNull(chip);
        await node.AddUserAsync("alice", "pw-alice");
        await node.AddUserAsync("bob", "pw-bob");
        Peer.Require("stdbuf", "coreutils");

        var script = Peer.PythonAsync("Devices/devices_slixmpp.py",
            ["gpio", node.Port("Xmpp:C2sPort").ToString(CultureInfo.InvariantCulture), node.Domain,
             node.Port("Mqtt:Port").ToString(CultureInfo.InvariantCulture), "-", "-", "-", "alice", "pw-alice", "bob", "pw-bob"], ClientTime);
        // The owner's "on" drives the relay's line high; then the button is pressed, which the owner must hear about.
        while (!chip.GetLevel(RelayLine) && !script.IsCompleted) await Task.Delay(20);
        var relayOn = chip.GetLevel(RelayLine);
        if (relayOn)
        {
            // Press, release, press again: three debounced edges (20 ms), each level held until the chip has reported it.
            foreach (var level in new[] { true, false, true })
            {
                uint before = chip.EdgesReported(ButtonLine);
                chip.SetLevel(ButtonLine, level);
                while (chip.EdgesReported(ButtonLine) == before && !script.IsCompleted) await Task.Delay(5);
            }
        }
        var run = await script;
        Assert.True(run.ExitCode == 0, $"the scenario failed (package python3-slixmpp): {run}");
        var result = JsonDocument.Parse(run.Out.Trim().Split('\n')[^1]).RootElement.Clone();
        var text = result.ToString();
        Assert.True(relayOn, text);

        var roster = result.GetProperty("roster");
        Assert.Equal("both", roster.GetProperty("button@localhost").GetProperty("subscription").GetString());
        Assert.Equal(["Sensors"], roster.GetProperty("button@localhost").GetProperty("groups").EnumerateArray().Select(g => g.GetString()!).ToArray());
        Assert.Equal(["Switches"], roster.GetProperty("relay@localhost").GetProperty("groups").EnumerateArray().Select(g => g.GetString()!).ToArray());
        Assert.Equal("available", result.GetProperty("presence").GetProperty("relay@localhost").GetProperty("type").GetString());
        Assert.False(result.GetProperty("stranger_roster_has_pins").GetBoolean(), text);

        Assert.Equal("done: on", result.GetProperty("answer").GetString());
        var edge = result.GetProperty("edge");
        Assert.Equal("headline", edge.GetProperty("type").GetString());
        Assert.Equal("button on", edge.GetProperty("body").GetString());
        Assert.Equal(["button off", "button on"], result.GetProperty("later_edges").EnumerateArray().Select(e => e.GetString()!).ToArray());
        Assert.Contains("\npulse [duration]: on, then off again", result.GetProperty("help").GetString(), StringComparison.Ordinal);

        Assert.Equal("forbidden", result.GetProperty("stranger").GetProperty("condition").GetString());
        Assert.Equal("done: pulse 50 ms", result.GetProperty("pulse").GetString());
        // A pulse ends with the line off again.
        Assert.False(chip.GetLevel(RelayLine));
    }

    internal static string Replay(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "EdgeNode.Devices.Tests", "Replays", name);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("replay file not found above " + AppContext.BaseDirectory, name);
    }

    private static async Task<JsonElement> RunAsync(TestNode node, string scenario, string device, string devicePassword, string replay, params string[] accounts)
    {
        Peer.Require("stdbuf", "coreutils");
        var run = await Peer.PythonAsync("Devices/devices_slixmpp.py",
            [scenario, node.Port("Xmpp:C2sPort").ToString(CultureInfo.InvariantCulture), node.Domain,
             node.Port("Mqtt:Port").ToString(CultureInfo.InvariantCulture), device, devicePassword, replay, .. accounts], ClientTime);
        Assert.True(run.ExitCode == 0, $"the scenario failed (packages python3-slixmpp, mosquitto-clients): {run}");
        return JsonDocument.Parse(run.Out.Trim().Split('\n')[^1]).RootElement.Clone();
    }
}
