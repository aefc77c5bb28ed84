using System.Diagnostics;
using System.Globalization;
using EdgeNode.Interop.Tests.Matrix;
using EdgeNode.Interop.Tests.Mqtt;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace EdgeNode.Interop.Tests.Support;

/// <summary>
/// Issue 14: what an attack must leave alone. Users unrelated to the attacker (alice and bob in a Matrix room, the
/// device sensor2 with a persistent MQTT session) are served while it runs: a Matrix send answers within 2 s, and
/// QoS 1 publishes (retained, and queued for the offline session) are acknowledged. After a SIGKILL taken mid-attack
/// and a restart on the same data directory, everything acknowledged is still there.
/// </summary>
internal sealed class AttackWitness : IDisposable
{
    public const string Device = "sensor2";
    public static readonly TimeSpan SendLimit = TimeSpan.FromSeconds(2);

    private const string Password = "witness password";
    private const string V3 = "/_matrix/client/v3";
    private const string RetainedTopic = $"stat/{Device}/STATE";
    private const string QueuedTopic = $"cmnd/{Device}/POWER";

    private readonly NodeProcess _node;
    private readonly MatrixHttp _alice;
    private readonly MatrixHttp _bob;
    private readonly string _room;
    private string? _eventId;

    private AttackWitness(NodeProcess node, MatrixHttp alice, MatrixHttp bob, string room)
    {
        _node = node;
        _alice = alice;
        _bob = bob;
        _room = room;
    }

    /// <summary>What the Matrix send and the two QoS 1 publishes took during the attack (for failure messages).</summary>
    public string Timings { get; private set; } = "";

    /// <summary>Waits until the attacker has printed <paramref name="line"/> (its progress), failing if it stopped first.</summary>
    public static async Task WaitForAttackerAsync(Peer attacker, string line)
    {
        var deadline = DateTime.UtcNow + MqttPeers.Wait;
        while (!attacker.Out.Split('\n').Any(l => l.StartsWith(line, StringComparison.Ordinal)))
        {
            Assert.True(!attacker.HasExited && DateTime.UtcNow < deadline, $"the attacker never printed {line}:\n{attacker.Out}\n{attacker.Error}");
            await Task.Delay(10);
        }
    }

    /// <summary>Makes the witnesses' accounts (before the node's first start): Matrix users alice and bob, device sensor2.</summary>
    public static async Task AddAccountsAsync(NodeProcess node)
    {
        await node.VerbAsync(Password + "\n", "user", "add", $"alice@{node.Domain}");
        await node.VerbAsync(Password + "\n", "user", "add", $"bob@{node.Domain}");
        await node.VerbAsync(Password + "\n", "device", "add", Device);
    }

    /// <summary>Before the attack: alice and bob log in and share a room; sensor2's persistent session subscribes and leaves.</summary>
    public static async Task<AttackWitness> PrepareAsync(NodeProcess node)
    {
        var url = $"http://{node.Address}:{node.Port("Http:Port")}";
        var alice = new MatrixHttp(url);
        var bob = new MatrixHttp(url);
        await alice.LoginAsync("alice", Password);
        await bob.LoginAsync("bob", Password);
        var created = await alice.OkAsync("POST", V3 + "/createRoom", $$"""{"preset":"private_chat","invite":["@bob:{{node.Domain}}"]}""");
        var room = (string)created["room_id"]!;
        await bob.OkAsync("POST", $"{V3}/rooms/{Uri.EscapeDataString(room)}/join", "{}");

        await using var session = await KeeperAsync(node);
        var granted = await session.SubscribeAsync(s => s.WithTopicFilter($"cmnd/{Device}/#", MqttQualityOfServiceLevel.AtLeastOnce));
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, Assert.Single(granted.Items).ResultCode);
        await session.DisconnectAsync();
        return new AttackWitness(node, alice, bob, room);
    }

    /// <summary>While the attack runs: alice's message is sent within 2 s, and sensor2's QoS 1 publishes are acknowledged.</summary>
    public async Task ServedDuringAttackAsync()
    {
        var stopwatch = Stopwatch.StartNew();
        var path = $"{V3}/rooms/{Uri.EscapeDataString(_room)}/send/m.room.message/witness-{Guid.NewGuid():N}";
        var (status, body) = await _alice.SendAsync("PUT", path, """{"msgtype":"m.text","body":"still here"}""");
        var sent = stopwatch.Elapsed;
        Assert.True(status == 200, $"the send answered {status} {body.ToJsonString()} after {sent.TotalMilliseconds:0} ms");
        _eventId = (string?)body["event_id"];
        Assert.False(string.IsNullOrEmpty(_eventId), body.ToJsonString());
        Assert.True(sent < SendLimit, $"alice's send took {sent.TotalMilliseconds:0} ms during the attack (limit {SendLimit.TotalMilliseconds:0} ms)");

        await using var publisher = await MqttnetClient.ConnectAsync(_node.Port("Mqtt:Port"), Device, Password, MqttProtocolVersion.V500, "witness");
        stopwatch.Restart();
        var retained = await publisher.PublishAsync(Qos1(RetainedTopic, "kept", retain: true));
        var retainedTook = stopwatch.Elapsed;
        stopwatch.Restart();
        var queued = await publisher.PublishAsync(Qos1(QueuedTopic, "queued"));
        var queuedTook = stopwatch.Elapsed;
        Timings = string.Create(CultureInfo.InvariantCulture,
            $"Matrix send {sent.TotalMilliseconds:0} ms, retained PUBACK {retainedTook.TotalMilliseconds:0} ms, queued PUBACK {queuedTook.TotalMilliseconds:0} ms");
        Assert.True(retained.ReasonCode == MqttClientPublishReasonCode.Success, $"retained publish: {retained.ReasonCode} ({Timings})");
        Assert.True(queued.ReasonCode == MqttClientPublishReasonCode.Success, $"queued publish: {queued.ReasonCode} ({Timings})");
    }

    /// <summary>After the kill and restart: the retained message, the queued one and alice's event are all still there.</summary>
    public async Task KeptAfterRestartAsync()
    {
        int port = _node.Port("Mqtt:Port");
        await using var session = await KeeperAsync(_node);
        Assert.True(session.Connected.IsSessionPresent, "sensor2's persistent session was lost");
        var queued = Assert.Single(await session.WaitForAsync(1));
        Assert.Equal((QueuedTopic, "queued"), (queued.Topic, queued.ConvertPayloadToString()));

        await using var reader = await MqttnetClient.ConnectAsync(port, Device, Password, MqttProtocolVersion.V500, "reader");
        await reader.SubscribeAsync(s => s.WithTopicFilter(RetainedTopic, MqttQualityOfServiceLevel.AtLeastOnce));
        var retained = Assert.Single(await reader.WaitForAsync(1));
        Assert.Equal(("kept", true), (retained.ConvertPayloadToString(), retained.Retain));

        var messages = await _bob.OkAsync("GET", $"{V3}/rooms/{Uri.EscapeDataString(_room)}/messages?dir=b&limit=50");
        var ids = messages["chunk"]!.AsArray().Select(e => (string?)e!["event_id"]).ToArray();
        Assert.Contains(_eventId, ids);
    }

    private static Task<MqttnetClient> KeeperAsync(NodeProcess node) =>
        MqttnetClient.ConnectAsync(node.Port("Mqtt:Port"), Device, Password, MqttProtocolVersion.V500, "keeper",
            o => o.WithCleanStart(false).WithSessionExpiryInterval(3600));

    private static MqttApplicationMessage Qos1(string topic, string payload, bool retain = false) =>
        new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag(retain).Build();

    public void Dispose()
    {
        _alice.Dispose();
        _bob.Dispose();
    }
}
