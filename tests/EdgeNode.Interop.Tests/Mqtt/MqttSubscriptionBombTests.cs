using System.Diagnostics;
using System.Globalization;
using EdgeNode.Core.Storage;
using EdgeNode.Interop.Tests.Support;
using Microsoft.Data.Sqlite;
using MQTTnet;
using MQTTnet.Protocol;
using Xunit.Abstractions;

namespace EdgeNode.Interop.Tests.Mqtt;

/// <summary>
/// Issue 14's subscription bomb: a device on a persistent session sends thousands of subscriptions. The node grants the
/// first Mqtt:MaxSubscriptionsPerSession, refuses the rest per filter, stores only the granted rows, takes seconds, and
/// keeps serving everyone else meanwhile; it still stops in time while such a client is active.
/// </summary>
public class MqttSubscriptionBombTests(ITestOutputHelper output)
{
    private const string Attacker = "plug1";
    private const string Bystander = "sensor2";
    private const string Password = "correct horse battery";

    [Theory]
    [InlineData(5, 151)] // 0x97 Quota exceeded
    [InlineData(4, 128)] // 0x80 Failure
    public async Task Paho_ThreeThousandSubscriptionsOnPersistentSession_ThousandGrantedRestRefusedOthersServed(int version, int refusal)
    {
        await using var node = await MqttPeers.StartNodeWithDeviceAsync(Attacker, Password);
        Assert.Equal(0, (await node.VerbAsync(Password + "\n", "device", "add", Bystander)).ExitCode);
        int port = node.Port("Mqtt:Port");
        await using var bystander = await MqttnetClient.ConnectAsync(port, Bystander, Password, MQTTnet.Formatter.MqttProtocolVersion.V500, "bystander");
        await bystander.SubscribeAsync(s => s.WithTopicFilter($"stat/{Bystander}/alive", MqttQualityOfServiceLevel.AtLeastOnce));

        var stopwatch = Stopwatch.StartNew();
        await using var attack = Peer.Start(Peer.Require(Peer.Python, "python3"),
            [Path.Combine(AppContext.BaseDirectory, "Mqtt/scripts/paho_subscription_bomb.py"), "127.0.0.1", port.ToString(CultureInfo.InvariantCulture),
             Attacker, Password, version.ToString(CultureInfo.InvariantCulture), "3000", "100"]);

        // Meanwhile another account's QoS 1 publish is acknowledged and delivered.
        var message = new MqttApplicationMessageBuilder().WithTopic($"stat/{Bystander}/alive").WithPayload("yes")
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
        Assert.True((await bystander.PublishAsync(message)).IsSuccess);
        Assert.Equal("yes", Assert.Single(await bystander.WaitForAsync(1)).ConvertPayloadToString());

        PeerResult result = await attack.WaitAsync(TimeSpan.FromSeconds(60));
        stopwatch.Stop();
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("GRANTED 1000\n", result.Out);
        Assert.Contains($"REFUSED {refusal} 2000\n", result.Out);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(20), $"the attack took {stopwatch.Elapsed}");

        // The stored rows are the granted subscriptions, no more: a persistent session's SUBACK follows the write.
        Assert.Equal(1000, StoredSubscriptions(node, $"{Attacker}\u001Fbomb-{Attacker}"));
    }

    [Fact]
    public async Task Shutdown_SubscriptionBomberStillSending_NodeStopsWithinTenSeconds()
    {
        var node = await MqttPeers.StartNodeWithDeviceAsync(Attacker, Password);
        int port = node.Port("Mqtt:Port");
        await using var attack = Peer.Start(Peer.Require(Peer.Python, "python3"),
            [Path.Combine(AppContext.BaseDirectory, "Mqtt/scripts/paho_subscription_bomb.py"), "127.0.0.1", port.ToString(CultureInfo.InvariantCulture),
             Attacker, Password, "5", "1500", "100", "forever"]);
        var deadline = DateTime.UtcNow + MqttPeers.Wait;
        while (!attack.Out.Contains("ACTIVE", StringComparison.Ordinal))
        {
            Assert.True(!attack.HasExited && DateTime.UtcNow < deadline, $"the attacker did not get going:\n{attack.Out}\n{attack.Error}");
            await Task.Delay(20);
        }

        var stopwatch = Stopwatch.StartNew();
        await node.DisposeAsync();
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"the node took {stopwatch.Elapsed} to stop");
        PeerResult result = await attack.WaitAsync(MqttPeers.Wait);
        Assert.Contains("DONE", result.Out);
    }

    [Fact]
    public async Task SigKill_MidBomb_OthersServedWithinTwoSecondsAndAcknowledgedDataKept()
    {
        await using var node = await NodeProcess.StartAsync("localhost", async n =>
        {
            await n.VerbAsync(Password + "\n", "device", "add", Attacker);
            await AttackWitness.AddAccountsAsync(n);
        });
        using var witness = await AttackWitness.PrepareAsync(node);
        await using var attack = Peer.Start(Peer.Require(Peer.Python, "python3"),
            [Path.Combine(AppContext.BaseDirectory, "Mqtt/scripts/paho_subscription_bomb.py"), "127.0.0.1",
             node.Port("Mqtt:Port").ToString(CultureInfo.InvariantCulture), Attacker, Password, "5", "3000", "100", "forever"]);

        // Every SUBSCRIBE is on the wire: the node is working through them while the witnesses are served.
        await AttackWitness.WaitForAttackerAsync(attack, "SENT");
        await witness.ServedDuringAttackAsync();
        Assert.False(attack.HasExited, $"the attack ended before the kill ({witness.Timings}):\n{attack.Out}\n{attack.Error}");
        output.WriteLine($"{witness.Timings}; the bomber at the kill: {attack.Out.ReplaceLineEndings(" | ")}");

        await node.KillAsync();
        attack.Kill();
        await node.RestartAsync();
        await witness.KeptAfterRestartAsync();
    }

    private static long StoredSubscriptions(TestNode node, string clientId)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(node.DataDir, Store.FileName)};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM mqtt_subscriptions WHERE client_id = $c";
        command.Parameters.AddWithValue("$c", clientId);
        return (long)command.ExecuteScalar()!;
    }
}
