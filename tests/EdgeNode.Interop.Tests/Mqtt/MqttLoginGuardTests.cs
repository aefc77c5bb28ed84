using MQTTnet;
using MQTTnet.Formatter;

namespace EdgeNode.Interop.Tests.Mqtt;

/// <summary>The login guard as an MQTTnet 5.0 client meets it: a device's stale password counts once; a wait is told in words.</summary>
public class MqttLoginGuardTests
{
    private const string Device = "plug1";
    private const string Password = "correct horse battery";

    private static async Task<MqttClientConnectResult> RefusedAsync(int port, string password, int attempt)
    {
        using var client = MqttnetClient.Builders.CreateMqttClient();
        var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId($"guard-{attempt}").WithCredentials(Device, password).WithTimeout(MqttPeers.Wait).Build();
        using var timeout = new CancellationTokenSource(MqttPeers.Wait);
        // MQTTnet 5 answers a refusal with the CONNACK's result rather than an exception.
        return await client.ConnectAsync(options, timeout.Token);
    }

    [Fact]
    public async Task Connect_StalePasswordRepeated_CountsOnce_DistinctOnesEarnAWaitToldInTheReasonString()
    {
        await using var node = await MqttnetClient.StartNodeAsync(Device, Password, "--Login:FailuresPerAccount=1");
        int port = node.Port("Mqtt:Port");
        for (int i = 0; i < 4; i++)
        {
            var stale = await RefusedAsync(port, "last year's password", i);
            Assert.Equal((MqttClientConnectResultCode.BadUserNameOrPassword, "Wrong user name or password."), (stale.ResultCode, stale.ReasonString));
        }

        // Different passwords each count, and the waits double from one second: a refusal without a check soon comes.
        MqttClientConnectResult? limited = null;
        for (int i = 0; i < 12 && limited is null; i++)
        {
            var result = await RefusedAsync(port, "guess " + i, 10 + i);
            if (result.ResultCode == MqttClientConnectResultCode.QuotaExceeded) limited = result;
            else Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, result.ResultCode);
        }

        Assert.NotNull(limited);
        Assert.Matches(@"^Too many failed logins; try again in \d+ (second|seconds|minutes)\.$", limited.ReasonString);
    }
}
