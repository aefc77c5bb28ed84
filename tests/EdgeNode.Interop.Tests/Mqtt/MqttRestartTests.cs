using EdgeNode.Cli;
using EdgeNode.Interop.Tests.Support;
using MQTTnet;

namespace EdgeNode.Interop.Tests.Mqtt;

/// <summary>Retained messages and persistent sessions outlive a restart of the node (same data directory).</summary>
public class MqttRestartTests
{
    [Fact]
    public async Task Restart_RetainedMessageAndQueuedQos1_StillDelivered()
    {
        var dir = Directory.CreateTempSubdirectory("edgenode-mqtt-restart-").FullName;
        try
        {
            var ports = TestNode.FreePorts("127.0.0.1", 2);
            string[] args = [$"--Node:DataDir={dir}", "--Node:ListenAddresses=127.0.0.1", "--Xmpp:C2sPort=0", "--Xmpp:C2sDirectTlsPort=0",
                "--Xmpp:S2sPort=0", "--Xmpp:S2sDirectTlsPort=0", "--Http:Port=0", "--Http:FederationPort=0", $"--Mqtt:Port={ports[0]}", $"--Mqtt:TlsPort={ports[1]}"];
            var io = new CliIo(new StringReader("restart secret\n"), TextWriter.Null, TextWriter.Null, false);
            Assert.Equal(0, await EdgeNodeCli.RunAsync(["device", "add", "plug1", .. args], new Dictionary<string, string>(), io, CancellationToken.None));
            var conn = MqttPeers.Connection(ports[0], "plug1", "restart secret", "mqttv311");
            string[] session = ["-c", "-i", "keeper", "-q", "1", "-t", "cmnd/plug1/#"];

            await using (var first = await RunningNode.StartAsync(args, ports[0]))
            {
                Assert.Equal(0, (await MqttPeers.PublishAsync(conn, "-t", "stat/plug1/POWER", "-m", "ON", "-r", "-q", "1")).ExitCode);
                Assert.Equal(0, (await Peer.RunAsync(MqttPeers.Sub, [.. conn, .. session, "-E"], MqttPeers.Wait)).ExitCode);
                Assert.Equal(0, (await MqttPeers.PublishAsync(conn, "-t", "cmnd/plug1/POWER", "-m", "while-offline", "-q", "1")).ExitCode);
            }

            await using (var second = await RunningNode.StartAsync(args, ports[0]))
            {
                var queued = await Peer.RunAsync(MqttPeers.Sub, [.. conn, .. session, "-v", "-C", "1", "-W", "10"], MqttPeers.Wait);
                Assert.Equal(["cmnd/plug1/POWER while-offline"], MqttPeers.Messages(queued.Out));
                var retained = await Peer.RunAsync(MqttPeers.Sub, [.. conn, "-t", "stat/plug1/+", "-v", "-C", "1", "-W", "10"], MqttPeers.Wait);
                Assert.Equal(["stat/plug1/POWER ON"], MqttPeers.Messages(retained.Out));
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Restart_SharedSubscriptionOfPersistentSession_KeptAndDelivered()
    {
        var dir = Directory.CreateTempSubdirectory("edgenode-mqtt-restart-").FullName;
        try
        {
            var ports = TestNode.FreePorts("127.0.0.1", 2);
            string[] args = [$"--Node:DataDir={dir}", "--Node:ListenAddresses=127.0.0.1", "--Xmpp:C2sPort=0", "--Xmpp:C2sDirectTlsPort=0",
                "--Xmpp:S2sPort=0", "--Xmpp:S2sDirectTlsPort=0", "--Http:Port=0", "--Http:FederationPort=0", $"--Mqtt:Port={ports[0]}", $"--Mqtt:TlsPort={ports[1]}"];
            var io = new CliIo(new StringReader("restart secret\n"), TextWriter.Null, TextWriter.Null, false);
            Assert.Equal(0, await EdgeNodeCli.RunAsync(["device", "add", "plug1", .. args], new Dictionary<string, string>(), io, CancellationToken.None));
            void Persistent(MQTTnet.MqttClientOptionsBuilder o) => o.WithCleanStart(false).WithSessionExpiryInterval(3600);

            await using (var first = await RunningNode.StartAsync(args, ports[0]))
            {
                await using var member = await MqttnetClient.ConnectAsync(ports[0], "plug1", "restart secret", MQTTnet.Formatter.MqttProtocolVersion.V500, "worker", Persistent);
                await member.SubscribeAsync(s => s.WithTopicFilter("$share/workers/cmnd/plug1/#", MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce));
                await member.DisconnectAsync();
            }

            await using (var second = await RunningNode.StartAsync(args, ports[0]))
            {
                await using var member = await MqttnetClient.ConnectAsync(ports[0], "plug1", "restart secret", MQTTnet.Formatter.MqttProtocolVersion.V500, "worker", Persistent);
                Assert.True(member.Connected.IsSessionPresent);
                await using var pub = await MqttnetClient.ConnectAsync(ports[0], "plug1", "restart secret", MQTTnet.Formatter.MqttProtocolVersion.V500, "pub");
                var message = new MQTTnet.MqttApplicationMessageBuilder().WithTopic("cmnd/plug1/POWER").WithPayload("after-restart")
                    .WithQualityOfServiceLevel(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce).Build();
                Assert.True((await pub.PublishAsync(message)).IsSuccess);
                var got = Assert.Single(await member.WaitForAsync(1));
                Assert.Equal("after-restart", got.ConvertPayloadToString());
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>`edgenode run` in this process on a data directory that the test owns, so it can be run again.</summary>
    private sealed class RunningNode : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly StringWriter _error = new();
        private Task<int>? _run;

        public static async Task<RunningNode> StartAsync(string[] args, int port)
        {
            var node = new RunningNode();
            var io = new CliIo(new StringReader(""), TextWriter.Null, node._error, false);
            node._run = Task.Run(() => EdgeNodeCli.RunAsync(["run", .. args], new Dictionary<string, string>(), io, node._stop.Token));
            await Peer.WaitForPortAsync("127.0.0.1", port, MqttPeers.Wait);
            return node;
        }

        public async ValueTask DisposeAsync()
        {
            _stop.Cancel();
            var code = await _run!.WaitAsync(MqttPeers.Wait);
            Assert.True(code == 0, _error.ToString());
            _stop.Dispose();
        }
    }
}
