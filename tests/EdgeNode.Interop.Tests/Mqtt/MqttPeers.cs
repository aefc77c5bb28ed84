using EdgeNode.Interop.Tests.Support;

namespace EdgeNode.Interop.Tests.Mqtt;

/// <summary>mosquitto_pub / mosquitto_sub against a node, with a device's credentials.</summary>
internal static class MqttPeers
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    public static string Pub => Peer.Require("mosquitto_pub", "mosquitto-clients");

    public static string Sub => Peer.Require("mosquitto_sub", "mosquitto-clients");

    public static string[] Connection(int port, string? user, string? password, string version, string host = "127.0.0.1")
    {
        var args = new List<string> { "-h", host, "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-V", version };
        if (user is not null) args.AddRange(["-u", user]);
        if (password is not null) args.AddRange(["-P", password]);
        return [.. args];
    }

    public static Task<PeerResult> PublishAsync(string[] connection, params string[] args) =>
        Peer.RunAsync(Pub, [.. connection, .. args], Wait);

    /// <summary>Starts mosquitto_sub (debug output on) and returns once its subscription is acknowledged.</summary>
    public static async Task<Peer> SubscribeAsync(string[] connection, params string[] args)
    {
        // stdbuf: mosquitto_sub block-buffers a pipe, and the SUBACK line must be seen as it happens.
        var peer = Peer.Start(Peer.Require("stdbuf", "coreutils"), ["-oL", Sub, .. connection, "-d", .. args]);
        var deadline = DateTime.UtcNow + Wait;
        while (!peer.Out.Contains("received SUBACK", StringComparison.Ordinal))
        {
            if (peer.HasExited || DateTime.UtcNow > deadline)
                Assert.Fail($"mosquitto_sub did not subscribe:\n{peer.Out}\n{peer.Error}");
            await Task.Delay(20);
        }
        return peer;
    }

    /// <summary>Waits until a running mosquitto_sub has printed the message line <paramref name="line"/>.</summary>
    public static async Task WaitForMessageAsync(Peer subscriber, string line)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!Messages(subscriber.Out).Contains(line))
        {
            if (subscriber.HasExited || DateTime.UtcNow > deadline)
                Assert.Fail($"mosquitto_sub never got '{line}':\n{subscriber.Out}\n{subscriber.Error}");
            await Task.Delay(20);
        }
    }

    /// <summary>The message lines of mosquitto_sub's output, without its debug lines.</summary>
    public static string[] Messages(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => !l.StartsWith("Client ", StringComparison.Ordinal) && !l.StartsWith("Subscribed (", StringComparison.Ordinal)
                && !l.StartsWith("Warning", StringComparison.Ordinal))
            .ToArray();

    public static async Task<TestNode> StartNodeWithDeviceAsync(string device, string password, params string[] settings)
    {
        var node = await TestNode.StartAsync("localhost", "127.0.0.1", settings);
        var (code, _, error) = await node.VerbAsync(password + "\n", "device", "add", device);
        Assert.True(code == 0, error);
        return node;
    }
}
