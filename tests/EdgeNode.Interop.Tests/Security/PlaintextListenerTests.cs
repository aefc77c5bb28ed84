using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using EdgeNode.Interop.Tests.Mqtt;
using EdgeNode.Interop.Tests.Support;

namespace EdgeNode.Interop.Tests.Security;

/// <summary>
/// The plaintext listeners (MQTT 1883, Matrix HTTP 8008) on a node that listens on every interface: by default they
/// are bound to loopback only while their TLS siblings answer everywhere; Mqtt:AllowPlaintext opens MQTT to the listed
/// networks only, with a start-up warning naming them.
/// </summary>
public class PlaintextListenerTests
{
    private const string Device = "plug1";
    private const string Password = "correct horse battery";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task PlaintextListeners_ByDefault_AreBoundToLoopbackOnly()
    {
        // The empty list (given last, so it wins) means every interface.
        await using var node = await MqttPeers.StartNodeWithDeviceAsync(Device, Password, "--Node:ListenAddresses=");

        // 127.0.0.2 is loopback too, but not the address the plaintext sockets are bound to: nothing listens there.
        Assert.False(await AcceptsAsync(IPAddress.Parse("127.0.0.2"), node.Port("Mqtt:Port")));
        Assert.False(await AcceptsAsync(IPAddress.Parse("127.0.0.2"), node.Port("Http:Port")));
        Assert.True(await AcceptsAsync(IPAddress.Parse("127.0.0.2"), node.Port("Mqtt:TlsPort")));
        Assert.True(await AcceptsAsync(IPAddress.Parse("127.0.0.2"), node.Port("Http:FederationPort")));
        Assert.True(await AcceptsAsync(IPAddress.Parse("127.0.0.2"), node.Port("Xmpp:C2sPort")));

        var served = await Peer.PythonAsync("Security/scripts/paho_served.py", ["127.0.0.1", node.Port("Mqtt:Port").ToString(), Device, Password, "127.0.0.1", "plain"], Wait);
        Assert.True(served.Out.Contains("SERVED", StringComparison.Ordinal), served.ToString());
    }

    [Fact]
    public async Task AllowPlaintext_PeerOutsideTheNetworks_IsClosedAndLoopbackIsServed()
    {
        IPAddress lan = NonLoopbackAddress();
        using var console = new ConsoleCapture();
        await using var node = await MqttPeers.StartNodeWithDeviceAsync(Device, Password, "--Node:ListenAddresses=", "--Mqtt:AllowPlaintext=198.51.100.0/24");
        int port = node.Port("Mqtt:Port");
        Assert.Single(console.Lines($"Mqtt:Port {port} accepts plaintext from 198.51.100.0/24"));

        // From this machine's LAN address (outside the network listed): the connection is closed unanswered.
        var outside = await Peer.PythonAsync("Security/scripts/paho_served.py", [lan.ToString(), port.ToString(), Device, Password, lan.ToString(), "plain"], Wait);
        Assert.True(outside.Out.Contains("REFUSED", StringComparison.Ordinal), outside.ToString());
        Assert.Single(console.Lines("plaintext connection(s) on Mqtt:Port from outside"));

        var inside = await Peer.PythonAsync("Security/scripts/paho_served.py", ["127.0.0.1", port.ToString(), Device, Password, "127.0.0.1", "plain"], Wait);
        Assert.True(inside.Out.Contains("SERVED", StringComparison.Ordinal), inside.ToString());
    }

    [Fact]
    public async Task AllowPlaintext_PeerInsideTheNetworks_IsServed()
    {
        IPAddress lan = NonLoopbackAddress();
        await using var node = await MqttPeers.StartNodeWithDeviceAsync(Device, Password, "--Node:ListenAddresses=", $"--Mqtt:AllowPlaintext={lan}");
        var served = await Peer.PythonAsync("Security/scripts/paho_served.py", [lan.ToString(), node.Port("Mqtt:Port").ToString(), Device, Password, lan.ToString(), "plain"], Wait);
        Assert.True(served.Out.Contains("SERVED", StringComparison.Ordinal), served.ToString());
    }

    /// <summary>This machine's first IPv4 address on an interface that is up and not loopback (the LAN side of a node).</summary>
    private static IPAddress NonLoopbackAddress()
    {
        var address = NetworkInterface.GetAllNetworkInterfaces()
            .Where(i => i.OperationalStatus == OperationalStatus.Up && i.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Select(u => u.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
        Assert.True(address is not null, "this test needs a network interface with an IPv4 address besides loopback");
        return address;
    }

    private static async Task<bool> AcceptsAsync(IPAddress address, int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(address, port);
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return false;
        }
    }
}
