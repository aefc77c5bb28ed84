using System.Text;
using EdgeNode.Interop.Tests.Mqtt;
using EdgeNode.Interop.Tests.Support;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace EdgeNode.Interop.Tests.Devices;

/// <summary>Issue 14, finding 2: a device account may write Home Assistant discovery only for its own name.</summary>
public sealed class DeviceDiscoveryAclInteropTests
{
    private const string Evil = "evil";
    private const string Password = "correct horse battery";

    private static MqttApplicationMessage Retained(string topic, string payload) =>
        new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(Encoding.UTF8.GetBytes(payload))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag(true).Build();

    [Fact]
    public async Task Publish_DiscoveryForAnotherDevicesName_NotAuthorizedAndNothingRetained()
    {
        await using var node = await MqttnetClient.StartNodeAsync(Evil, Password, "--Mqtt:AnonymousLoopback=true");
        int port = node.Port("Mqtt:Port");
        await using var evil = await MqttnetClient.ConnectAsync(port, Evil, Password, MqttProtocolVersion.V500, "evil-1");

        var foreign = await evil.PublishAsync(Retained("homeassistant/switch/plug2/config", """{"name":"plug2","command_topic":"cmnd/plug2/POWER"}"""));
        var foreignNode = await evil.PublishAsync(Retained("homeassistant/switch/plug2/relay/config", """{"name":"relay"}"""));
        var own = await evil.PublishAsync(Retained("homeassistant/switch/evil/config", """{"name":"evil","command_topic":"cmnd/evil/POWER"}"""));

        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, foreign.ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, foreignNode.ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.Success, own.ReasonCode);

        // Retained messages reach a new subscriber before live ones: the marker, published after it subscribed, ends
        // the list, so the retained discovery on the node is exactly what came before it.
        var anonymous = MqttPeers.Connection(port, null, null, "mqttv5");
        await using var all = await MqttPeers.SubscribeAsync(anonymous, "-t", "homeassistant/#", "-v", "-C", "2");
        var marker = await MqttPeers.PublishAsync(anonymous, "-t", "homeassistant/marker", "-m", "end");
        Assert.True(marker.ExitCode == 0, marker.Error);
        var seen = await all.WaitAsync(MqttPeers.Wait);
        Assert.Equal(["homeassistant/switch/evil/config {\"name\":\"evil\",\"command_topic\":\"cmnd/evil/POWER\"}", "homeassistant/marker end"],
            MqttPeers.Messages(seen.Out));
    }

    [Fact]
    public async Task Subscribe_AnotherDevicesDiscovery_NotAuthorized()
    {
        await using var node = await MqttnetClient.StartNodeAsync(Evil, Password, "--Mqtt:AnonymousLoopback=true");
        await using var evil = await MqttnetClient.ConnectAsync(node.Port("Mqtt:Port"), Evil, Password, MqttProtocolVersion.V500, "evil-2");
        var result = await evil.SubscribeAsync(s => s
            .WithTopicFilter("homeassistant/#", MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter("homeassistant/switch/evil/#", MqttQualityOfServiceLevel.AtLeastOnce));
        Assert.Equal([MqttClientSubscribeResultCode.NotAuthorized, MqttClientSubscribeResultCode.GrantedQoS1], result.Items.Select(i => i.ResultCode));
    }
}
