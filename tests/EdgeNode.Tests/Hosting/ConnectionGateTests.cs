using System.Net.Sockets;
using System.Text;
using EdgeNode.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeNode.Tests.Hosting;

public class ConnectionGateTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public void TryEnter_PastTheAddressShare_RefusesThatAddressOnly()
    {
        var gate = new ConnectionGate(maxConnections: 10, maxPerAddress: 2, NullLogger.Instance, TimeProvider.System);
        Assert.Null(gate.TryEnter("10.0.0.1"));
        Assert.Null(gate.TryEnter("10.0.0.1"));
        Assert.Contains("address", gate.TryEnter("10.0.0.1"));
        Assert.Null(gate.TryEnter("10.0.0.2"));

        gate.Leave("10.0.0.1");
        Assert.Null(gate.TryEnter("10.0.0.1"));
        Assert.Equal(3, gate.Open);
    }

    [Fact]
    public void TryEnter_PastTheTotal_RefusesEveryone()
    {
        var gate = new ConnectionGate(maxConnections: 2, maxPerAddress: 5, NullLogger.Instance, TimeProvider.System);
        Assert.Null(gate.TryEnter(null));
        Assert.Null(gate.TryEnter("10.0.0.1"));
        Assert.Contains("node", gate.TryEnter("10.0.0.2"));
        Assert.Contains("node", gate.TryEnter(null));
        gate.Leave(null);
        Assert.Null(gate.TryEnter("10.0.0.2"));
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
