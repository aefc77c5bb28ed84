using System.Net;
using System.Net.Sockets;
using EdgeNode.Interop.Tests.Mqtt;
using EdgeNode.Interop.Tests.Support;

namespace EdgeNode.Interop.Tests.Security;

/// <summary>
/// Floods of silent connections against a real node with its default limits (loopback counts like any address):
/// the flood stops at its limit, the refused connection gets nothing, and another client (paho-mqtt from another
/// address, or on another listener) is served meanwhile; the silent connections are closed after the short
/// pre-login timeouts.
/// </summary>
public class ConnectionFloodTests
{
    private const string Device = "plug1";
    private const string Password = "correct horse battery";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task SilentFlood_FromOneAddress_StopsAtTheAddressLimitAndAnotherAddressIsServed()
    {
        await using var node = await MqttPeers.StartNodeWithDeviceAsync(Device, Password);
        int c2s = node.Port("Xmpp:C2sPort");
        int mqtt = node.Port("Mqtt:Port");
        var silent = new List<TcpClient>();
        try
        {
            for (int i = 0; i < 99; i++) silent.Add(await ConnectAsync("127.0.0.1", c2s));
            // The 100th connection of 127.0.0.1 (the default Node:MaxConnectionsPerAddress) is still admitted, on any listener.
            Assert.True(await ConnAckAsync("127.0.0.1", mqtt), "the 100th connection of the address was refused");

            silent.Add(await ConnectAsync("127.0.0.1", c2s));
            // The 101st is closed at accept, on another listener too: the limit is the address's over all listeners.
            Assert.False(await ConnAckAsync("127.0.0.1", mqtt), "the 101st connection of the address was admitted");

            // Another address is served meanwhile, by a real client.
            var served = await Peer.PythonAsync("Security/scripts/paho_served.py", ["127.0.0.1", mqtt.ToString(), Device, Password, "127.0.0.2", "plain"], Wait);
            Assert.True(served.Out.Contains("SERVED", StringComparison.Ordinal), served.ToString());

            // Silent XMPP connections are closed by the node (Xmpp:NegotiationTimeoutSeconds, 15 s), well before 30 s.
            foreach (var client in silent) Assert.True(await ClosedByNodeAsync(client, Wait), "a silent XMPP connection was still open after 30 s");
            Assert.True(await ConnAckAsync("127.0.0.1", mqtt), "the address did not get its places back");
        }
        finally
        {
            foreach (var client in silent) client.Dispose();
        }
    }

    [Fact]
    public async Task SilentFlood_OfOneListener_FillsOnlyItsShareOfConnectionsNotLoggedIn()
    {
        await using var node = await MqttPeers.StartNodeWithDeviceAsync(Device, Password, "--Node:MaxUnauthenticatedPerListener=20");
        int mqtt = node.Port("Mqtt:Port");
        var silent = new List<TcpClient>();
        try
        {
            for (int i = 0; i < 20; i++) silent.Add(await ConnectAsync("127.0.0.1", mqtt));
            // A new client of that listener, from another address, waits for a place among those not logged in.
            Assert.False(await ConnAckAsync("127.0.0.3", mqtt), "a connection past the listener's share of unauthenticated ones was admitted");

            // Another listener (MQTT over TLS) is served meanwhile.
            var tls = await Peer.PythonAsync("Security/scripts/paho_served.py", ["127.0.0.1", node.Port("Mqtt:TlsPort").ToString(), Device, Password, "127.0.0.2", "tls"], Wait);
            Assert.True(tls.Out.Contains("SERVED", StringComparison.Ordinal), tls.ToString());

            // The silent ones are closed when their CONNECT does not come within 10 s; then the listener serves again.
            foreach (var client in silent) Assert.True(await ClosedByNodeAsync(client, Wait), "a silent MQTT connection was still open after 30 s");
            var plain = await Peer.PythonAsync("Security/scripts/paho_served.py", ["127.0.0.1", mqtt.ToString(), Device, Password, "127.0.0.2", "plain"], Wait);
            Assert.True(plain.Out.Contains("SERVED", StringComparison.Ordinal), plain.ToString());
        }
        finally
        {
            foreach (var client in silent) client.Dispose();
        }
    }

    internal static async Task<TcpClient> ConnectAsync(string source, int port)
    {
        var client = new TcpClient(new IPEndPoint(IPAddress.Parse(source), 0));
        await client.ConnectAsync(IPAddress.Loopback, port);
        return client;
    }

    /// <summary>True when the node closes the connection (end of stream or reset) within <paramref name="timeout"/>.</summary>
    internal static async Task<bool> ClosedByNodeAsync(TcpClient client, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var buffer = new byte[256];
        try
        {
            while (await client.GetStream().ReadAsync(buffer, cts.Token) > 0)
            {
            }

            return true;
        }
        catch (IOException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>
    /// Sends an anonymous MQTT 3.1.1 CONNECT from <paramref name="source"/>: true when a CONNACK comes back (the
    /// connection was admitted; anonymous is then refused by the broker), false when the node closes it unanswered.
    /// </summary>
    private static async Task<bool> ConnAckAsync(string source, int port)
    {
        try
        {
            using var client = await ConnectAsync(source, port);
            // CONNECT, protocol "MQTT" level 4, clean session, keep-alive 30, client id "probe".
            byte[] connect = [0x10, 17, 0, 4, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 4, 0x02, 0, 30, 0, 5, (byte)'p', (byte)'r', (byte)'o', (byte)'b', (byte)'e'];
            await client.GetStream().WriteAsync(connect);
            var buffer = new byte[4];
            using var cts = new CancellationTokenSource(Wait);
            int n = await client.GetStream().ReadAsync(buffer, cts.Token);
            return n > 0 && buffer[0] == 0x20;
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            return false;
        }
    }
}
