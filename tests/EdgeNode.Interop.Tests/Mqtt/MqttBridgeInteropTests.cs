using System.Globalization;
using EdgeNode.Interop.Tests.Support;

namespace EdgeNode.Interop.Tests.Mqtt;

/// <summary>Our bridge client against a real Mosquitto 2.0.11 that the test starts on loopback with its own config.</summary>
public class MqttBridgeInteropTests
{
    [Theory]
    [InlineData("4")]
    [InlineData("5")]
    public async Task Bridge_MosquittoRestarts_Qos1BothWaysNotLost(string protocol)
    {
        var dir = Directory.CreateTempSubdirectory("edgenode-mosquitto-").FullName;
        try
        {
            int upstreamPort = TestNode.FreePorts("127.0.0.1", 1)[0];
            var config = Path.Combine(dir, "mosquitto.conf");
            await File.WriteAllTextAsync(config, string.Join('\n',
                $"listener {upstreamPort.ToString(CultureInfo.InvariantCulture)} 127.0.0.1",
                "allow_anonymous true",
                "persistence true",
                $"persistence_location {dir}/",
                "user root",
                "log_dest stdout",
                ""));
            var mosquitto = Peer.Require("mosquitto", "mosquitto");
            var upstream = Peer.Start(mosquitto, ["-c", config]);
            try
            {
                await Peer.WaitForPortAsync("127.0.0.1", upstreamPort, MqttPeers.Wait);
                await using var node = await TestNode.StartAsync("localhost", "127.0.0.1", "--Mqtt:AnonymousLoopback=true",
                    "--Mqtt:Upstream:Host=127.0.0.1", $"--Mqtt:Upstream:Port={upstreamPort}", "--Mqtt:Upstream:Tls=false",
                    $"--Mqtt:Upstream:ProtocolVersion={protocol}", "--Mqtt:Upstream:ClientId=edge-bridge", "--Mqtt:Upstream:Topics=up/#",
                    "--Mqtt:Upstream:Publish=down/#", "--Mqtt:Upstream:KeepAliveSeconds=10",
                    "--Mqtt:Upstream:ReconnectMinSeconds=1", "--Mqtt:Upstream:ReconnectMaxSeconds=2");
                var local = MqttPeers.Connection(node.Port("Mqtt:Port"), null, null, "mqttv5");
                var remote = MqttPeers.Connection(upstreamPort, null, null, "mqttv311");

                // Subscribe and receive: once the bridge has subscribed, what is published upstream shows up locally.
                await using (var probe = await MqttPeers.SubscribeAsync(local, "-t", "up/probe", "-C", "1"))
                {
                    var deadline = DateTime.UtcNow + MqttPeers.Wait;
                    while (!probe.HasExited && DateTime.UtcNow < deadline)
                    {
                        await MqttPeers.PublishAsync(remote, "-t", "up/probe", "-m", "p", "-q", "1");
                        await Task.Delay(300);
                    }
                    Assert.True(probe.HasExited, "the bridge never delivered up/probe");
                }

                await using (var localSub = await MqttPeers.SubscribeAsync(local, "-t", "up/#", "-v", "-C", "1", "-q", "1"))
                {
                    Assert.Equal(0, (await MqttPeers.PublishAsync(remote, "-t", "up/temperature", "-m", "21.5", "-q", "1")).ExitCode);
                    Assert.Equal(["up/temperature 21.5"], MqttPeers.Messages((await localSub.WaitAsync(MqttPeers.Wait)).Out));
                }

                // Publish: local messages under Upstream:Publish go upstream. The listener keeps a persistent session on Mosquitto.
                string[] listener = ["-c", "-i", "upstream-listener", "-q", "1", "-t", "down/#"];
                Assert.Equal(0, (await Peer.RunAsync(MqttPeers.Sub, [.. remote, .. listener, "-E"], MqttPeers.Wait)).ExitCode);
                Assert.Equal(0, (await MqttPeers.PublishAsync(local, "-t", "down/cmd", "-m", "on", "-q", "1")).ExitCode);
                var live = await Peer.RunAsync(MqttPeers.Sub, [.. remote, .. listener, "-v", "-C", "1", "-W", "10"], MqttPeers.Wait);
                Assert.Equal(["down/cmd on"], MqttPeers.Messages(live.Out));

                // Mosquitto goes away (saving its sessions), QoS 1 traffic happens on both sides, Mosquitto comes back.
                await using var afterRestart = await MqttPeers.SubscribeAsync(local, "-t", "up/after-restart", "-v", "-C", "1", "-q", "1");
                await upstream.StopAsync(MqttPeers.Wait);
                await upstream.DisposeAsync();
                Assert.Equal(0, (await MqttPeers.PublishAsync(local, "-t", "down/while-down", "-m", "queued", "-q", "1")).ExitCode);
                upstream = Peer.Start(mosquitto, ["-c", config]);
                await Peer.WaitForPortAsync("127.0.0.1", upstreamPort, MqttPeers.Wait);
                Assert.Equal(0, (await MqttPeers.PublishAsync(remote, "-t", "up/after-restart", "-m", "caught-up", "-q", "1")).ExitCode);

                Assert.Equal(["up/after-restart caught-up"], MqttPeers.Messages((await afterRestart.WaitAsync(MqttPeers.Wait)).Out));
                var queued = await Peer.RunAsync(MqttPeers.Sub, [.. remote, .. listener, "-v", "-C", "1", "-W", "15"], MqttPeers.Wait);
                Assert.Equal(["down/while-down queued"], MqttPeers.Messages(queued.Out));
            }
            finally
            {
                await upstream.DisposeAsync();
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
