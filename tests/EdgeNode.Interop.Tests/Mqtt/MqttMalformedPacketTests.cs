using System.Net.Sockets;
using EdgeNode.Interop.Tests.Support;

namespace EdgeNode.Interop.Tests.Mqtt;

/// <summary>Hostile bytes close only the connection that sent them, with the reason MQTT 5.0 gives for each.</summary>
public class MqttMalformedPacketTests
{
    // MQTT 5.0 CONNECT: clean start, keep-alive 60, no properties, empty client id (the broker assigns one).
    private static readonly byte[] ConnectV5 = [0x10, 0x0d, 0, 4, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 5, 0x02, 0, 60, 0, 0, 0];
    private static readonly byte[] ConnectV311 = [0x10, 0x0c, 0, 4, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 4, 0x02, 0, 60, 0, 0];

    public static TheoryData<string, byte[], byte> Cases => new()
    {
        // A remaining length of five bytes (the limit is four).
        { "bad remaining length", [0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], 0x81 },
        // 2,000 bytes declared against Mqtt:MaxPacketSize=1024: refused from the header, before any body arrives.
        { "oversize", [0x30, 0xD0, 0x0F], 0x95 },
        // Topic "a<FF>b": not UTF-8.
        { "bad UTF-8", [0x30, 0x07, 0x00, 0x03, (byte)'a', 0xFF, (byte)'b', 0x00, (byte)'x'], 0x81 },
        // Topic "a/+": a wildcard in a topic name.
        { "wildcard in PUBLISH topic", [0x30, 0x07, 0x00, 0x03, (byte)'a', (byte)'/', (byte)'+', 0x00, (byte)'x'], 0x90 },
        // PUBREL must carry flags 0010; 0000 is malformed.
        { "reserved flags", [0x60, 0x02, 0x00, 0x01], 0x81 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task MalformedPacket_V5_DisconnectWithReasonAndOthersServed(string name, byte[] packet, byte reason)
    {
        await using var node = await TestNode.StartAsync("localhost", "127.0.0.1", "--Mqtt:AnonymousLoopback=true", "--Mqtt:MaxPacketSize=1024");
        int port = node.Port("Mqtt:Port");
        var conn = MqttPeers.Connection(port, null, null, "mqttv5");
        await using var bystander = await MqttPeers.SubscribeAsync(conn, "-t", "still/here", "-v", "-C", "1");

        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        var stream = client.GetStream();
        await stream.WriteAsync(ConnectV5);
        var connAck = await ReadPacketAsync(stream);
        Assert.Equal(0x20, connAck[0]);
        Assert.Equal(0x00, connAck[3]); // success

        await stream.WriteAsync(packet);
        var disconnect = await ReadPacketAsync(stream);
        Assert.True(disconnect[0] == 0xE0, $"{name}: expected DISCONNECT, got {Convert.ToHexString(disconnect)}");
        Assert.Equal(reason, disconnect[2]);
        Assert.Equal(0, await ReadToEndAsync(stream)); // then the connection closes

        Assert.Equal(0, (await MqttPeers.PublishAsync(conn, "-t", "still/here", "-m", "yes")).ExitCode);
        Assert.Equal(["still/here yes"], MqttPeers.Messages((await bystander.WaitAsync(MqttPeers.Wait)).Out));
    }

    [Fact]
    public async Task MalformedPacket_V311_ConnectionClosedAndOthersServed()
    {
        await using var node = await TestNode.StartAsync("localhost", "127.0.0.1", "--Mqtt:AnonymousLoopback=true");
        int port = node.Port("Mqtt:Port");
        var conn = MqttPeers.Connection(port, null, null, "mqttv311");
        await using var bystander = await MqttPeers.SubscribeAsync(conn, "-t", "still/here", "-v", "-C", "1");
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        var stream = client.GetStream();
        await stream.WriteAsync(ConnectV311);
        Assert.Equal(new byte[] { 0x20, 0x02, 0x00, 0x00 }, await ReadPacketAsync(stream));
        await stream.WriteAsync(new byte[] { 0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 });
        Assert.Equal(0, await ReadToEndAsync(stream)); // 3.1.1 has no DISCONNECT from the server: just closed

        Assert.Equal(0, (await MqttPeers.PublishAsync(conn, "-t", "still/here", "-m", "yes")).ExitCode);
        Assert.Equal(["still/here yes"], MqttPeers.Messages((await bystander.WaitAsync(MqttPeers.Wait)).Out));
    }

    [Fact]
    public async Task FirstPacketNotConnect_Closed()
    {
        await using var node = await TestNode.StartAsync("localhost", "127.0.0.1", "--Mqtt:AnonymousLoopback=true");
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", node.Port("Mqtt:Port"));
        var stream = client.GetStream();
        await stream.WriteAsync(new byte[] { 0xC0, 0x00 }); // PINGREQ before CONNECT
        Assert.Equal(0, await ReadToEndAsync(stream));
    }

    private static async Task<byte[]> ReadPacketAsync(NetworkStream stream)
    {
        using var cts = new CancellationTokenSource(MqttPeers.Wait);
        var head = new byte[2];
        await stream.ReadExactlyAsync(head, cts.Token);
        Assert.True(head[1] < 0x80, "short packets only here");
        var body = new byte[head[1]];
        await stream.ReadExactlyAsync(body, cts.Token);
        return [.. head, .. body];
    }

    private static async Task<int> ReadToEndAsync(NetworkStream stream)
    {
        using var cts = new CancellationTokenSource(MqttPeers.Wait);
        var total = 0;
        var buffer = new byte[256];
        int n;
        try
        {
            while ((n = await stream.ReadAsync(buffer, cts.Token)) > 0) total += n;
        }
        catch (IOException)
        {
            // A reset is a close too.
        }
        return total;
    }
}
