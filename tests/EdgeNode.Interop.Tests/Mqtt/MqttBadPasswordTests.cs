using System.Net.Sockets;
using System.Text;

namespace EdgeNode.Interop.Tests.Mqtt;

/// <summary>
/// Issue 14, finding 12: a CONNECT with an empty password or one with control characters is a wrong password, answered
/// "bad user name or password" (5.0: 0x86, 3.1.1: return code 4), while other clients keep connecting.
/// </summary>
public class MqttBadPasswordTests
{
    private const string Device = "plug1";
    private const string Password = "correct horse battery";

    [Theory]
    [InlineData(5, "")]
    [InlineData(5, "pass\u0001word")]
    [InlineData(4, "")]
    [InlineData(4, "line\nbreak")]
    public async Task Connect_EmptyOrControlCharacterPassword_BadUserNameOrPasswordOthersServed(int version, string password)
    {
        await using var node = await MqttPeers.StartNodeWithDeviceAsync(Device, Password);
        int port = node.Port("Mqtt:Port");
        var good = MqttPeers.Connection(port, Device, Password, version == 5 ? "mqttv5" : "mqttv311");
        await using var bystander = await MqttPeers.SubscribeAsync(good, "-t", $"stat/{Device}/alive", "-v", "-C", "1");

        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        var stream = client.GetStream();
        await stream.WriteAsync(Connect(version, Device, Encoding.UTF8.GetBytes(password)));
        byte[] connAck = await ReadPacketAsync(stream);

        Assert.Equal(0x20, connAck[0]);
        Assert.Equal(version == 5 ? 0x86 : 0x04, connAck[3]);
        Assert.Equal(0, await ReadToEndAsync(stream)); // then closed

        Assert.Equal(0, (await MqttPeers.PublishAsync(good, "-t", $"stat/{Device}/alive", "-m", "yes")).ExitCode);
        Assert.Equal([$"stat/{Device}/alive yes"], MqttPeers.Messages((await bystander.WaitAsync(MqttPeers.Wait)).Out));
    }

    /// <summary>CONNECT with user name and password, clean start, keep-alive 60, client id "squeak".</summary>
    private static byte[] Connect(int version, string user, byte[] password)
    {
        var body = new List<byte> { 0, 4, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', (byte)version, 0xC2, 0, 60 };
        if (version == 5)
        {
            body.Add(0); // no properties
        }

        void AddString(byte[] value)
        {
            body.Add((byte)(value.Length >> 8));
            body.Add((byte)value.Length);
            body.AddRange(value);
        }

        AddString("squeak"u8.ToArray());
        AddString(Encoding.UTF8.GetBytes(user));
        AddString(password);
        return [0x10, (byte)body.Count, .. body];
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
