using System.Net;
using System.Net.Sockets;
using System.Text;
using EdgeNode.Core.Configuration;
using EdgeNode.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeNode.Tests.Hosting;

public class ConnectionGateTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private static NodeSection Limits(int total = 100, int perListener = 100, int unauthenticated = 100, int perAddress = 100, int perPrefix = 400,
        params string[] exempt) => new()
    {
        Domain = "localhost", DataDir = ".", ListenAddresses = [], Admins = [],
        MaxConnections = total, MaxConnectionsPerListener = perListener, MaxUnauthenticatedPerListener = unauthenticated,
        MaxConnectionsPerAddress = perAddress, MaxConnectionsPerPrefix = perPrefix,
        ConnectionLimitExempt = [.. exempt.Select(n => IPNetwork.Parse(n))],
    };

    private static ConnectionGate Gate(NodeSection limits) => new(limits, NullLogger.Instance, TimeProvider.System);

    [Fact]
    public void TryEnter_PastTheAddressShare_RefusesThatAddressOnly()
    {
        var pool = Gate(Limits(perAddress: 2)).For("Mqtt:Port", countsLogins: false);
        Assert.Null(pool.TryEnter(IPAddress.Parse("10.0.0.1")));
        Assert.Null(pool.TryEnter(IPAddress.Parse("10.0.0.1")));
        Assert.Contains("address", pool.TryEnter(IPAddress.Parse("10.0.0.1")));
        Assert.Null(pool.TryEnter(IPAddress.Parse("10.0.0.2")));

        pool.Leave(IPAddress.Parse("10.0.0.1"), unauthenticated: false);
        Assert.Null(pool.TryEnter(IPAddress.Parse("10.0.0.1")));
        Assert.Equal(3, pool.Open);
    }

    [Fact]
    public void TryEnter_PastTheTotal_RefusesEveryListener()
    {
        var gate = Gate(Limits(total: 2));
        var a = gate.For("Xmpp:C2sPort", countsLogins: false);
        var b = gate.For("Mqtt:Port", countsLogins: false);
        Assert.Null(a.TryEnter(null));
        Assert.Null(a.TryEnter(IPAddress.Parse("10.0.0.1")));
        Assert.Contains("node", b.TryEnter(IPAddress.Parse("10.0.0.2")));
        a.Leave(null, unauthenticated: false);
        Assert.Null(b.TryEnter(IPAddress.Parse("10.0.0.2")));
        Assert.Equal(2, gate.Open);
    }

    [Fact]
    public void TryEnter_OneListenerFull_LeavesTheOthersOpen()
    {
        var gate = Gate(Limits(perListener: 2));
        var mqtt = gate.For("Mqtt:Port", countsLogins: false);
        var xmpp = gate.For("Xmpp:C2sPort", countsLogins: false);
        Assert.Null(mqtt.TryEnter(IPAddress.Parse("10.0.0.1")));
        Assert.Null(mqtt.TryEnter(IPAddress.Parse("10.0.0.2")));
        Assert.Contains("listener", mqtt.TryEnter(IPAddress.Parse("10.0.0.3")));
        Assert.Null(xmpp.TryEnter(IPAddress.Parse("10.0.0.3")));
    }

    [Fact]
    public void TryEnter_UnauthenticatedShareFull_RefusesUntilOneLogsIn()
    {
        var pool = Gate(Limits(unauthenticated: 2)).For("Mqtt:Port", countsLogins: true);
        Assert.Null(pool.TryEnter(IPAddress.Parse("10.0.0.1")));
        Assert.Null(pool.TryEnter(IPAddress.Parse("10.0.0.2")));
        Assert.Contains("not logged in", pool.TryEnter(IPAddress.Parse("10.0.0.3")));

        pool.LoggedIn();
        Assert.Null(pool.TryEnter(IPAddress.Parse("10.0.0.3")));
        Assert.Equal(2, pool.Unauthenticated);
        Assert.Equal(3, pool.Open);
    }

    [Fact]
    public void TryEnter_Ipv6_CountsEachAddressAndTheirSlash64Higher()
    {
        var pool = Gate(Limits(perAddress: 2, perPrefix: 5)).For("Http:Port", countsLogins: false);
        // Two hosts of one home LAN (one /64): each has its own share.
        for (int i = 0; i < 2; i++)
        {
            Assert.Null(pool.TryEnter(IPAddress.Parse("2001:db8:1:2::a")));
            Assert.Null(pool.TryEnter(IPAddress.Parse("2001:db8:1:2::b")));
        }
        Assert.Contains("the address holds", pool.TryEnter(IPAddress.Parse("2001:db8:1:2::a")));
        // One host hopping over its /64 meets the /64's limit.
        Assert.Null(pool.TryEnter(IPAddress.Parse("2001:db8:1:2::c")));
        Assert.Contains("/64", pool.TryEnter(IPAddress.Parse("2001:db8:1:2::d")));
        Assert.Null(pool.TryEnter(IPAddress.Parse("2001:db8:1:3::d")));
    }

    [Fact]
    public void TryEnter_Loopback_CountsUnlessExempt()
    {
        var counted = Gate(Limits(perAddress: 1)).For("Mqtt:Port", countsLogins: false);
        Assert.Null(counted.TryEnter(IPAddress.Loopback));
        Assert.Contains("address", counted.TryEnter(IPAddress.Loopback));

        var exempt = Gate(Limits(perAddress: 1, exempt: "127.0.0.0/8")).For("Mqtt:Port", countsLogins: false);
        Assert.Null(exempt.TryEnter(IPAddress.Loopback));
        Assert.Null(exempt.TryEnter(IPAddress.Loopback));
        // Only what is listed: ::1 still counts.
        Assert.Null(exempt.TryEnter(IPAddress.IPv6Loopback));
        Assert.Contains("address", exempt.TryEnter(IPAddress.IPv6Loopback));
    }

    [Fact]
    public async Task Run_OverMaxConnections_ClosesTheExtraConnectionAndServesTheRest()
    {
        using var dir = new TempDir();
        var (args, ports) = FreePorts.NodeArgs(dir.Path);
        using var stop = new CancellationTokenSource();
        using var notify = new NotifySocket();
        var env = new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notify.Name };
        var node = CliRun.InvokeAsync(["run", .. args, "--Node:MaxConnections=2"], environment: env, stop: stop.Token);
        Assert.Equal("READY=1", await notify.ReceiveAsync(Wait));

        int c2s = ports["Xmpp:C2sPort"];
        using var first = await ConnectAsync(c2s);
        using var second = await ConnectAsync(ports["Mqtt:Port"]);
        Assert.Contains("<stream:features>", await StreamHeaderAsync(first.GetStream()));

        // Closed before a byte of the protocol: the connect or the read ends in a reset or 0 bytes, no stream header comes.
        Assert.DoesNotContain("<stream:features>", await StreamHeaderAsync(c2s));

        second.Dispose();
        // The freed place is taken again once the node has seen the close.
        string answer = "";
        for (int attempt = 0; attempt < 50 && !answer.Contains("<stream:features>", StringComparison.Ordinal); attempt++)
        {
            answer = await StreamHeaderAsync(c2s);
            if (!answer.Contains("<stream:features>", StringComparison.Ordinal)) await Task.Delay(100);
        }

        Assert.Contains("<stream:features>", answer);
        await stop.CancelAsync();
        Assert.Equal(0, (await node.WaitAsync(Wait)).ExitCode);
    }

    private static async Task<TcpClient> ConnectAsync(int port)
    {
        var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        return client;
    }

    /// <summary>A new connection's answer to a stream header; empty when the node refused it (reset at connect or read).</summary>
    private static async Task<string> StreamHeaderAsync(int port)
    {
        try
        {
            using var client = await ConnectAsync(port);
            return await StreamHeaderAsync(client.GetStream());
        }
        catch (SocketException)
        {
            return "";
        }
    }

    /// <summary>Sends a client stream header and reads until the features arrive or the node closes the connection.</summary>
    private static async Task<string> StreamHeaderAsync(NetworkStream stream)
    {
        var received = new StringBuilder();
        try
        {
            await stream.WriteAsync("<stream:stream to='localhost' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>"u8.ToArray());
            var buffer = new byte[4096];
            using var cts = new CancellationTokenSource(Wait);
            int n;
            while (!received.ToString().Contains("</stream:features>", StringComparison.Ordinal) && (n = await stream.ReadAsync(buffer, cts.Token)) > 0)
                received.Append(Encoding.UTF8.GetString(buffer, 0, n));
        }
        catch (IOException)
        {
            // Reset by the node: refused.
        }

        return received.ToString();
    }
}
