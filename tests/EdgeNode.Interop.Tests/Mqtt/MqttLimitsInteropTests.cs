using EdgeNode.Interop.Tests.Support;

namespace EdgeNode.Interop.Tests.Mqtt;

/// <summary>The broker's limits as real clients see them: Server Keep Alive for paho-mqtt, retained quotas for mosquitto_pub.</summary>
public class MqttLimitsInteropTests
{
    private const string Device = "plug1";
    private const string Password = "correct horse battery";

    [Theory]
    [InlineData(0, "120")]
    [InlineData(3600, "120")]
    [InlineData(30, "none")]
    public async Task Paho5_KeepAliveZeroOrAboveMaximum_ToldServerKeepAlive(int asked, string told)
    {
        await using var node = await MqttPeers.StartNodeWithDeviceAsync(Device, Password, "--Mqtt:MaxKeepAliveSeconds=120");
        var result = await Peer.PythonAsync("Mqtt/scripts/paho_keepalive.py",
            ["127.0.0.1", node.Port("Mqtt:Port").ToString(System.Globalization.CultureInfo.InvariantCulture), Device, Password, asked.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            MqttPeers.Wait);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("CONNACK Success", result.Out);
        Assert.Contains($"SERVER_KEEPALIVE {told}", result.Out);
    }

    [Fact]
    public async Task MosquittoPub_RetainedBeyondAccountLimit_V5RefusedV311DroppedStoredKept()
    {
        await using var node = await MqttPeers.StartNodeWithDeviceAsync(Device, Password, "--Mqtt:MaxRetainedPerAccount=2");
        int port = node.Port("Mqtt:Port");
        var v5 = MqttPeers.Connection(port, Device, Password, "mqttv5");
        var v311 = MqttPeers.Connection(port, Device, Password, "mqttv311");
        Assert.Equal(0, (await MqttPeers.PublishAsync(v5, "-t", $"stat/{Device}/a", "-m", "1", "-r", "-q", "1")).ExitCode);
        Assert.Equal(0, (await MqttPeers.PublishAsync(v5, "-t", $"stat/{Device}/b", "-m", "2", "-r", "-q", "1")).ExitCode);

        var refused = await MqttPeers.PublishAsync(v5, "-d", "-t", $"stat/{Device}/c", "-m", "3", "-r", "-q", "1");
        Assert.Contains("RC:151", refused.Out + refused.Error); // 0x97 Quota exceeded in the PUBACK
        var dropped = await MqttPeers.PublishAsync(v311, "-t", $"stat/{Device}/d", "-m", "4", "-r", "-q", "1");
        Assert.Equal(0, dropped.ExitCode); // 3.1.1 cannot be told; the message is dropped

        var stored = await Peer.RunAsync(MqttPeers.Sub, [.. v5, "-t", $"stat/{Device}/+", "-v", "--retained-only", "-W", "2"], MqttPeers.Wait);
        Assert.Equal([$"stat/{Device}/a 1", $"stat/{Device}/b 2"], MqttPeers.Messages(stored.Out).Order());
    }
}
