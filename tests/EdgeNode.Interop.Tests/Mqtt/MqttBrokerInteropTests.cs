using EdgeNode.Interop.Tests.Support;

namespace EdgeNode.Interop.Tests.Mqtt;

/// <summary>The embedded broker against mosquitto_pub/mosquitto_sub and paho-mqtt, in both protocol versions.</summary>
public class MqttBrokerInteropTests
{
    private const string Device = "plug1";
    private const string Password = "correct horse battery";

    [Theory]
    [InlineData("mqttv311")]
    [InlineData("mqttv5")]
    public async Task MosquittoClients_Qos012_EachMessageDeliveredAtItsQos(string version)
    {
        await using var node = await MqttPeers.StartNodeWithDeviceAsync(Device, Password);
        var conn = MqttPeers.Connection(node.Port("Mqtt:Port"), Device, Password, version);
        await using var sub = await MqttPeers.SubscribeAsync(conn, "-t", $"tele/{Device}/#", "-q", "2", "-v", "-C", "3");
        foreach (var qos in new[] { "0", "1", "2" })
        {
            var pub = await MqttPeers.PublishAsync(conn, "-t", $"tele/{Device}/q{qos}", "-m", $"m{qos}", "-q", qos);
            Assert.True(pub.ExitCode == 0, pub.ToString());
        }

        var result = await sub.WaitAsync(MqttPeers.Wait);
        Assert.Equal([$"tele/{Device}/q0 m0", $"tele/{Device}/q1 m1", $"tele/{Device}/q2 m2"], MqttPeers.Messages(result.Out));
        // The debug lines name the QoS each PUBLISH arrived with.
        Assert.Contains("received PUBLISH (d0, q1", result.Out);
        Assert.Contains("received PUBLISH (d0, q2", result.Out);
    }

    [Theory]
    [InlineData("mqttv311")]
    [InlineData("mqttv5")]
    public async Task MosquittoClientsOverTls_VerifiedCertificate_SmallAndLargeMessagesDelivered(string version)
    {
        await using var node = await MqttPeers.StartNodeWithDeviceAsync(Device, Password);
        // The node's generated certificate is the trust anchor; --insecure only skips the host name (127.0.0.1 vs localhost).
        string[] conn = [.. MqttPeers.Connection(node.Port("Mqtt:TlsPort"), Device, Password, version),
            "--cafile", Path.Combine(node.DataDir, "tls", "localhost.crt"), "--insecure"];
        await using var sub = await MqttPeers.SubscribeAsync(conn, "-t", $"tele/{Device}/#", "-q", "1", "-C", "2");
        Assert.Equal(0, (await MqttPeers.PublishAsync(conn, "-t", $"tele/{Device}/small", "-m", "58 W", "-q", "1")).ExitCode);
        // Larger than several TLS records and than the 4 KiB read buffers on both sides.
        string large = Path.Combine(node.DataDir, "large.txt");
        string payload = string.Concat(Enumerable.Range(0, 12_000).Select(i => (char)('a' + i % 26))) + "|end";
        await File.WriteAllTextAsync(large, payload);
        Assert.Equal(0, (await MqttPeers.PublishAsync(conn, "-t", $"tele/{Device}/large", "-f", large, "-q", "1")).ExitCode);

        var result = await sub.WaitAsync(MqttPeers.Wait);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["58 W", payload], MqttPeers.Messages(result.Out));
    }

    [Theory]
    [InlineData("mqttv311")]
    [InlineData("mqttv5")]
    public async Task Retained_LaterSubscriber_GetsIt_AndEmptyPayloadDeletesIt(string version)
    {
        await using var node = await MqttPeers.StartNodeWithDeviceAsync(Device, Password);
        var conn = MqttPeers.Connection(node.Port("Mqtt:Port"), Device, Password, version);
        Assert.Equal(0, (await MqttPeers.PublishAsync(conn, "-t", $"stat/{Device}/POWER", "-m", "ON", "-r", "-q", "1")).ExitCode);

        var first = await Peer.RunAsync(MqttPeers.Sub, [.. conn, "-t", $"stat/{Device}/+", "-v", "-C", "1", "-W", "10"], MqttPeers.Wait);
        Assert.Equal([$"stat/{Device}/POWER ON"], MqttPeers.Messages(first.Out));

        Assert.Equal(0, (await MqttPeers.PublishAsync(conn, "-t", $"stat/{Device}/POWER", "-n", "-r", "-q", "1")).ExitCode);
        var second = await Peer.RunAsync(MqttPeers.Sub, [.. conn, "-t", $"stat/{Device}/+", "-v", "--retained-only", "-W", "2"], MqttPeers.Wait);
        Assert.Empty(MqttPeers.Messages(second.Out));
    }

    [Theory]
    [InlineData("4")]
    [InlineData("5")]
    public async Task Paho_PublishSubscribeQosAndTopicAlias_AllDelivered(string version)
    {
        await using var node = await MqttPeers.StartNodeWithDeviceAsync(Device, Password);
        var result = await Peer.PythonAsync("Mqtt/scripts/paho_roundtrip.py", ["127.0.0.1", node.Port("Mqtt:Port").ToString(), Device, Password, version], MqttPeers.Wait);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"RECEIVED tele/{Device}/q0 0 qos0", result.Out);
        Assert.Contains($"RECEIVED tele/{Device}/q1 1 qos1", result.Out);
        Assert.Contains($"RECEIVED tele/{Device}/q2 2 qos2", result.Out);
        if (version == "5")
        {
            // Both messages sent through alias 1 arrive under the full topic; the user property passes through.
            Assert.Contains($"RECEIVED tele/{Device}/aliased 1 first room=kitchen", result.Out);
            Assert.Contains($"RECEIVED tele/{Device}/aliased 1 second", result.Out);
        }
    }

    [Theory]
    [InlineData("4")]
    [InlineData("5")]
    public async Task Will_ClientKilled_WillDelivered(string version)
    {
        await using var node = await MqttPeers.StartNodeWithDeviceAsync(Device, Password);
        var conn = MqttPeers.Connection(node.Port("Mqtt:Port"), Device, Password, "mqttv311");
        await using var sub = await MqttPeers.SubscribeAsync(conn, "-t", $"tele/{Device}/LWT", "-v", "-C", "1", "-q", "1");
        await using var device = Peer.Start(Peer.Require(Peer.Python, "python3"),
            [Path.Combine(AppContext.BaseDirectory, "Mqtt/scripts/paho_will.py"), "127.0.0.1", node.Port("Mqtt:Port").ToString(), Device, Password, version, $"tele/{Device}/LWT"]);
        var deadline = DateTime.UtcNow + MqttPeers.Wait;
        while (!device.Out.Contains("CONNECTED ok", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline && !device.HasExited, device.Out + device.Error);
            await Task.Delay(20);
        }

        Assert.Empty(MqttPeers.Messages(sub.Out));
        device.Kill();
        var result = await sub.WaitAsync(MqttPeers.Wait);
        Assert.Equal([$"tele/{Device}/LWT offline"], MqttPeers.Messages(result.Out));
    }

    [Theory]
    [InlineData("mqttv311")]
    [InlineData("mqttv5")]
    public async Task PersistentSession_Qos1SentWhileOffline_CaughtUpOnReconnect(string version)
    {
        await using var node = await MqttPeers.StartNodeWithDeviceAsync(Device, Password);
        var conn = MqttPeers.Connection(node.Port("Mqtt:Port"), Device, Password, version);
        string[] session = version == "mqttv5" ? ["-c", "-i", "sensor-session", "-x", "3600"] : ["-c", "-i", "sensor-session"];
        var subscribeOnly = await Peer.RunAsync(MqttPeers.Sub, [.. conn, .. session, "-t", $"cmnd/{Device}/#", "-q", "1", "-E"], MqttPeers.Wait);
        Assert.True(subscribeOnly.ExitCode == 0, subscribeOnly.ToString());

        for (var i = 1; i <= 3; i++)
            Assert.Equal(0, (await MqttPeers.PublishAsync(conn, "-t", $"cmnd/{Device}/POWER", "-m", $"n{i}", "-q", "1")).ExitCode);

        var catchUp = await Peer.RunAsync(MqttPeers.Sub, [.. conn, .. session, "-t", $"cmnd/{Device}/#", "-q", "1", "-v", "-C", "3", "-W", "10"], MqttPeers.Wait);
        Assert.Equal([$"cmnd/{Device}/POWER n1", $"cmnd/{Device}/POWER n2", $"cmnd/{Device}/POWER n3"], MqttPeers.Messages(catchUp.Out));
    }

    [Fact]
    public async Task DollarTopics_WildcardSubscriber_DoesNotGetSys_ExplicitSubscriberDoes()
    {
        await using var node = await MqttPeers.StartNodeWithDeviceAsync(Device, Password, "--Mqtt:SysIntervalSeconds=1");
        var port = node.Port("Mqtt:Port");
        // '#' is granted to the device so the only thing that keeps $SYS away is the '$' rule.
        Assert.Equal(0, (await node.VerbAsync("", "device", "allow", Device, "subscribe", "#")).ExitCode);
        var conn = MqttPeers.Connection(port, Device, Password, "mqttv5");
        await using var everything = await MqttPeers.SubscribeAsync(conn, "-t", "#", "-v");
        var sys = await Peer.RunAsync(MqttPeers.Sub, [.. conn, "-t", "$SYS/broker/clients/connected", "-v", "-C", "1", "-W", "10"], MqttPeers.Wait);
        Assert.Matches(@"^\$SYS/broker/clients/connected \d+$", Assert.Single(MqttPeers.Messages(sys.Out)));
        var version = await Peer.RunAsync(MqttPeers.Sub, [.. conn, "-t", "$SYS/broker/version", "-v", "-C", "1", "-W", "10"], MqttPeers.Wait);
        Assert.StartsWith("$SYS/broker/version edgenode ", Assert.Single(MqttPeers.Messages(version.Out)));
        // A $SYS round after '#' was subscribed (-R: not the retained copy), then a message the '#' subscriber does get: it
        // comes after that round on the same connection, so a $SYS message for '#' would have arrived before it.
        var round = await Peer.RunAsync(MqttPeers.Sub, [.. conn, "-t", "$SYS/broker/uptime", "-v", "-R", "-C", "1", "-W", "10"], MqttPeers.Wait);
        Assert.Single(MqttPeers.Messages(round.Out));
        Assert.Equal(0, (await MqttPeers.PublishAsync(conn, "-t", $"tele/{Device}/x", "-m", "y")).ExitCode);
        await MqttPeers.WaitForMessageAsync(everything, $"tele/{Device}/x y");
        await everything.StopAsync(MqttPeers.Wait);
        var seen = MqttPeers.Messages(everything.Out);
        Assert.Contains($"tele/{Device}/x y", seen);
        Assert.DoesNotContain(seen, l => l.StartsWith('$'));
    }

    [Theory]
    [InlineData("mqttv311")]
    [InlineData("mqttv5")]
    public async Task Acl_PublishAndSubscribeOutsideGrants_Denied(string version)
    {
        await using var node = await MqttPeers.StartNodeWithDeviceAsync(Device, Password);
        var (code, _, error) = await node.VerbAsync("another secret pw\n", "device", "add", "plug2");
        Assert.True(code == 0, error);
        var own = MqttPeers.Connection(node.Port("Mqtt:Port"), "plug2", "another secret pw", version);
        await using var watcher = await MqttPeers.SubscribeAsync(own, "-t", "tele/plug2/#", "-v");

        // plug1 may not publish into plug2's topics: dropped (v5: PUBACK "not authorized").
        var conn = MqttPeers.Connection(node.Port("Mqtt:Port"), Device, Password, version);
        var pub = await MqttPeers.PublishAsync(conn, "-t", "tele/plug2/SENSOR", "-m", "forged", "-q", "1", "-d");
        if (version == "mqttv5") Assert.Contains("Not authorized", pub.Out + pub.Error);

        // Nor subscribe to them: SUBACK failure (0x80 / 0x87).
        var sub = await Peer.RunAsync(MqttPeers.Sub, [.. conn, "-t", "tele/plug2/#", "-d", "-W", "3"], MqttPeers.Wait);
        Assert.Contains("denied", sub.Out + sub.Error, StringComparison.OrdinalIgnoreCase);

        Assert.Equal(0, (await MqttPeers.PublishAsync(own, "-t", "tele/plug2/SENSOR", "-m", "genuine", "-q", "1")).ExitCode);
        await MqttPeers.WaitForMessageAsync(watcher, "tele/plug2/SENSOR genuine"); // after the forged one, had it been passed on
        await watcher.StopAsync(MqttPeers.Wait);
        Assert.Equal(["tele/plug2/SENSOR genuine"], MqttPeers.Messages(watcher.Out));
    }

    [Theory]
    [InlineData("mqttv311")]
    [InlineData("mqttv5")]
    public async Task ClientIdOfAnotherAccountsSession_SeparateSessionGiven_AndTheSessionStaysItsOwners(string version)
    {
        await using var node = await MqttPeers.StartNodeWithDeviceAsync(Device, Password);
        var (code, _, error) = await node.VerbAsync("another secret pw\n", "device", "add", "plug2");
        Assert.True(code == 0, error);
        var owner = MqttPeers.Connection(node.Port("Mqtt:Port"), Device, Password, version);
        string[] session = version == "mqttv5" ? ["-c", "-i", "plug1-session", "-x", "3600"] : ["-c", "-i", "plug1-session"];
        var made = await Peer.RunAsync(MqttPeers.Sub, [.. owner, .. session, "-t", $"cmnd/{Device}/#", "-q", "1", "-E"], MqttPeers.Wait);
        Assert.True(made.ExitCode == 0, made.ToString());
        Assert.Equal(0, (await MqttPeers.PublishAsync(owner, "-t", $"cmnd/{Device}/POWER", "-m", "queued", "-q", "1")).ExitCode);

        // plug2 presents plug1's client id: client ids live in the account's name space, so it is connected to a
        // session of its own (not refused, so it cannot block plug1 either) and gets nothing of plug1's.
        var other = MqttPeers.Connection(node.Port("Mqtt:Port"), "plug2", "another secret pw", version);
        var hijack = await Peer.RunAsync(MqttPeers.Sub, [.. other, .. session, "-t", "cmnd/plug2/#", "-q", "1", "-v", "-C", "1", "-W", "3"], MqttPeers.Wait);
        Assert.DoesNotContain("queued", hijack.Out);
        Assert.DoesNotContain("refused", hijack.Out + hijack.Error, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Timed out", hijack.Out + hijack.Error); // connected and subscribed; nothing arrived

        // The owner still finds its session and the message queued for it.
        var resumed = await Peer.RunAsync(MqttPeers.Sub, [.. owner, .. session, "-t", $"cmnd/{Device}/#", "-q", "1", "-v", "-C", "1", "-W", "10"], MqttPeers.Wait);
        Assert.Equal([$"cmnd/{Device}/POWER queued"], MqttPeers.Messages(resumed.Out));
    }

    [Theory]
    [InlineData("mqttv311")]
    [InlineData("mqttv5")]
    public async Task Login_WrongPasswordOrAnonymous_Refused(string version)
    {
        await using var node = await MqttPeers.StartNodeWithDeviceAsync(Device, Password);
        var wrong = await MqttPeers.PublishAsync(MqttPeers.Connection(node.Port("Mqtt:Port"), Device, "not the password", version), "-t", $"tele/{Device}/x", "-m", "1");
        Assert.NotEqual(0, wrong.ExitCode);
        Assert.Contains("bad user name or password", wrong.Error, StringComparison.OrdinalIgnoreCase);
        var anonymous = await MqttPeers.PublishAsync(MqttPeers.Connection(node.Port("Mqtt:Port"), null, null, version), "-t", $"tele/{Device}/x", "-m", "1");
        Assert.NotEqual(0, anonymous.ExitCode);
        Assert.Contains("authori", anonymous.Error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task AnonymousLoopback_On_LoopbackClientServed()
    {
        await using var node = await TestNode.StartAsync("localhost", "127.0.0.1", "--Mqtt:AnonymousLoopback=true");
        var conn = MqttPeers.Connection(node.Port("Mqtt:Port"), null, null, "mqttv5");
        await using var sub = await MqttPeers.SubscribeAsync(conn, "-t", "anything/#", "-v", "-C", "1");
        Assert.Equal(0, (await MqttPeers.PublishAsync(conn, "-t", "anything/here", "-m", "hi")).ExitCode);
        Assert.Equal(["anything/here hi"], MqttPeers.Messages((await sub.WaitAsync(MqttPeers.Wait)).Out));
    }
}
