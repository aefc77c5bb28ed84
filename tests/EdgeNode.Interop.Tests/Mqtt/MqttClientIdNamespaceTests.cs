using EdgeNode.Interop.Tests.Support;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace EdgeNode.Interop.Tests.Mqtt;

/// <summary>
/// Issue 14, finding 8 (client-id squatting): client ids live in the account's own name space, so a device account
/// holding another device's client id in a persistent session neither blocks nor takes over the real device.
/// </summary>
public class MqttClientIdNamespaceTests
{
    private const string Device = "plug1";
    private const string Squatter = "plug2";
    private const string Password = "correct horse battery";

    private static void Persistent(MqttClientOptionsBuilder o) => o.WithCleanStart(false).WithSessionExpiryInterval(3600);

    [Fact]
    public async Task Connect_OtherAccountHoldsSameClientIdPersistently_RealDeviceServedNeitherTakenOver()
    {
        await using var node = await MqttPeers.StartNodeWithDeviceAsync(Device, Password);
        Assert.Equal(0, (await node.VerbAsync(Password + "\n", "device", "add", Squatter)).ExitCode);
        int port = node.Port("Mqtt:Port");

        // The squatter takes the device's client id first, on a persistent session, and stays connected.
        await using var squatter = await MqttnetClient.ConnectAsync(port, Squatter, Password, MqttProtocolVersion.V500, Device, Persistent);
        Assert.Equal(MqttClientConnectResultCode.Success, squatter.Connected.ResultCode);
        await squatter.SubscribeAsync(s => s.WithTopicFilter($"cmnd/{Squatter}/#", MqttQualityOfServiceLevel.AtLeastOnce));

        await using (var device = await MqttnetClient.ConnectAsync(port, Device, Password, MqttProtocolVersion.V500, Device, Persistent))
        {
            Assert.Equal(MqttClientConnectResultCode.Success, device.Connected.ResultCode);
            Assert.False(device.Connected.IsSessionPresent); // its own, new session: nothing of the squatter's
            await device.SubscribeAsync(s => s.WithTopicFilter($"cmnd/{Device}/#", MqttQualityOfServiceLevel.AtLeastOnce));
            await device.DisconnectAsync();
        }

        Assert.True(squatter.Client.IsConnected); // not taken over
        await using var device2 = await MqttnetClient.ConnectAsync(port, Device, Password, MqttProtocolVersion.V500, Device, Persistent);
        Assert.True(device2.Connected.IsSessionPresent); // the device's own session came back
        var command = new MqttApplicationMessageBuilder().WithTopic($"cmnd/{Device}/POWER").WithPayload("ON")
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
        Assert.True((await squatter.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"cmnd/{Squatter}/x").WithPayload("own")
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build())).IsSuccess);
        Assert.True((await device2.PublishAsync(command)).IsSuccess);

        Assert.Equal("ON", Assert.Single(await device2.WaitForAsync(1)).ConvertPayloadToString());
        Assert.Equal("own", Assert.Single(await squatter.WaitForAsync(1)).ConvertPayloadToString());
        Assert.True(squatter.Client.IsConnected);
    }
}
