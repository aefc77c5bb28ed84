using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeNode.Interop.Tests.Matrix;
using EdgeNode.Interop.Tests.Mqtt;
using EdgeNode.Interop.Tests.Support;

namespace EdgeNode.Interop.Tests.Devices;

/// <summary>
/// A device as a Matrix user, end to end with matrix-nio: its owner's direct room, readings as m.notice, a typed
/// command published on MQTT and answered in the room, and a stranger kept out.
/// </summary>
public sealed class DeviceMatrixInteropTests
{
    [Fact]
    public async Task Tasmota_PlugInMatrix_DirectRoomTelemetryCommandAndStranger()
    {
        await using var node = await MqttPeers.StartNodeWithDeviceAsync("plug1", "pw-plug1-device",
            "--Node:Admins=alice@localhost", "--Devices:CommandTimeoutSeconds=10",
            // Debian's matrix-nio 0.20 sends the access token in the query string.
            "--Matrix:AllowQueryToken=true");
        await node.AddUserAsync("alice", "pw-alice");
        await node.AddUserAsync("bob", "pw-bob");
        _ = MqttPeers.Pub;
        _ = MqttPeers.Sub;
        Peer.Require("stdbuf", "coreutils");

        var run = await Peer.PythonAsync("Devices/devices_nio.py",
            [$"http://{node.Address}:{node.Port("Http:Port")}", node.Port("Mqtt:Port").ToString(CultureInfo.InvariantCulture),
             "plug1", "pw-plug1-device", DeviceChatInteropTests.Replay("tasmota-plug.replay"), "alice", "pw-alice", "bob", "pw-bob"],
            TimeSpan.FromSeconds(150));
        Assert.True(run.ExitCode == 0, $"the scenario failed (packages python3-matrix-nio, mosquitto-clients): {run}");
        var result = JsonDocument.Parse(run.Out.Trim().Split('\n')[^1]).RootElement;
        string text = result.ToString();

        Assert.True(result.GetProperty("is_direct").GetBoolean(), text);
        var telemetry = result.GetProperty("telemetry");
        Assert.Equal("@plug1:localhost", telemetry.GetProperty("sender").GetString());
        Assert.Contains("58 W", telemetry.GetProperty("body").GetString(), StringComparison.Ordinal);

        var strangerJoin = result.GetProperty("stranger_join");
        Assert.Equal("JoinError", strangerJoin.GetProperty("response").GetString());
        Assert.Equal("M_FORBIDDEN", strangerJoin.GetProperty("code").GetString());
        Assert.True(result.GetProperty("stranger_room_created").GetBoolean(), text);
        Assert.Equal("leave", result.GetProperty("stranger_room_device").GetString());

        Assert.Equal("done: off", result.GetProperty("answer").GetProperty("body").GetString());
        Assert.Equal(["0 cmnd/plug1/POWER OFF"], result.GetProperty("published").EnumerateArray().Select(l => l.GetString()!).ToArray());
    }

    [Fact]
    public async Task Owner_LogsInToMatrixAfterTheDeviceWasSeen_GetsTheDirectRoomInvite()
    {
        await using var node = await MqttPeers.StartNodeWithDeviceAsync("plug1", "pw-plug1-device", "--Node:Admins=alice@localhost");
        await node.AddUserAsync("alice", "pw-alice");
        using var http = new MatrixHttp($"http://{node.Address}:{node.Port("Http:Port")}");
        var conn = MqttPeers.Connection(node.Port("Mqtt:Port"), "plug1", "pw-plug1-device", "mqttv311");
        Assert.Equal(0, (await MqttPeers.PublishAsync(conn, "-t", "tele/plug1/LWT", "-m", "Online", "-r")).ExitCode);
        Assert.Equal(0, (await MqttPeers.PublishAsync(conn, "-t", "tele/plug1/SENSOR", "-m", """{"ENERGY":{"Power":58}}""")).ExitCode);

        // The device is seen (its Matrix user has a display name) while Alice has never used Matrix.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((await http.SendAsync("GET", "/_matrix/client/v3/profile/@plug1:localhost/displayname")).Status != 200)
        {
            Assert.True(DateTime.UtcNow < deadline, "the device never appeared as a Matrix user");
            await Task.Delay(100);
        }

        await http.LoginAsync("alice", "pw-alice");
        JsonObject? invite = null;
        string since = "";
        while (invite is null)
        {
            Assert.True(DateTime.UtcNow < deadline.AddSeconds(20), "no invite from the device after logging in");
            var sync = await http.OkAsync("GET", "/_matrix/client/v3/sync?timeout=1000" + (since.Length > 0 ? "&since=" + since : ""));
            since = (string)sync["next_batch"]!;
            foreach (var (_, room) in sync["rooms"]?["invite"]?.AsObject() ?? [])
            {
                invite = room!["invite_state"]!["events"]!.AsArray().Select(e => e!.AsObject())
                    .FirstOrDefault(e => (string?)e["type"] == "m.room.member" && (string?)e["state_key"] == "@alice:localhost");
            }
        }

        Assert.Equal("@plug1:localhost", (string?)invite["sender"]);
        Assert.True((bool?)invite["content"]!["is_direct"]);
    }
}
