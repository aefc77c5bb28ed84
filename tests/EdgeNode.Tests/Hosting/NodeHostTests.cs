using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace EdgeNode.Tests.Hosting;

/// <summary>A whole node started in this process on loopback, watched through its ports and its notify socket.</summary>
public class NodeHostTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Run_FreshDataDir_NotifiesReadyServesEveryPortAndStopsCleanly()
    {
        using var dir = new TempDir();
        using var notify = new NotifySocket();
        var (args, ports) = FreePorts.NodeArgs(dir.Path);
        var env = new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notify.Name, ["WATCHDOG_USEC"] = "400000" };
        using var stop = new CancellationTokenSource();
        var node = CliRun.InvokeAsync(["run", .. args], environment: env, stop: stop.Token);

        Assert.Equal("READY=1", await notify.ReceiveAsync(Wait));
        Assert.Equal("WATCHDOG=1", await notify.ReceiveAsync(Wait));

        // First start made the database, the TLS pair and the signing key.
        Assert.True(File.Exists(dir.File("edgenode.db")));
        Assert.True(File.Exists(Path.Combine(dir.Path, "tls", "localhost.crt")));
        Assert.True(File.Exists(Path.Combine(dir.Path, "tls", "localhost.key")));

        foreach (var (key, port) in ports)
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", port);
            Assert.True(client.Connected, key);
        }

        // XMPP clients are offered STARTTLS, required; federation is closed by default, so the s2s port refuses (policy-violation).
        var c2s = await ExchangeUntilAsync(ports["Xmpp:C2sPort"], "<stream:stream to='localhost' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>"u8.ToArray(), "</stream:features>");
        Assert.Contains("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>", c2s);
        var xmpp = await ExchangeAsync(ports["Xmpp:S2sPort"], "<stream:stream to='localhost' xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>"u8.ToArray());
        Assert.Contains("<policy-violation xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>", Encoding.UTF8.GetString(xmpp));
        Assert.EndsWith("</stream:stream>", Encoding.UTF8.GetString(xmpp));

        // An anonymous CONNECT for MQTT 5.0 then 3.1.1 (anonymous access is off): each gets its version's "not authorized" CONNACK.
        // 5.0 also says why in a reason string (property 0x1F).
        byte[] v5 = await ExchangeAsync(ports["Mqtt:Port"], [0x10, 0x0d, 0, 4, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 5, 2, 0, 60, 0, 0, 0]);
        Assert.Equal((0x20, v5.Length - 2, 0x00, 0x87, v5.Length - 5, 0x1F), ((int)v5[0], (int)v5[1], (int)v5[2], (int)v5[3], (int)v5[4], (int)v5[5]));
        Assert.Equal(new byte[] { 0x20, 0x02, 0x00, 0x05 }, await ExchangeAsync(ports["Mqtt:Port"], [0x10, 0x0c, 0, 4, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 4, 2, 0, 60, 0, 0]));

        using (var http = new HttpClient())
        {
            var response = await http.GetAsync($"http://127.0.0.1:{ports["Http:Port"]}/_matrix/client/v3/nothing");
            Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
            Assert.Contains("M_UNRECOGNIZED", await response.Content.ReadAsStringAsync());
        }

        // The TLS listeners present the generated certificate.
        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync("127.0.0.1", ports["Xmpp:C2sDirectTlsPort"]);
            string? subject = null;
            using var tls = new SslStream(tcp.GetStream(), false, (_, cert, _, _) => { subject = cert?.Subject; return true; });
            await tls.AuthenticateAsClientAsync("localhost");
            Assert.Equal("CN=localhost", subject);
        }

        stop.Cancel();
        var result = await node.WaitAsync(Wait);
        Assert.Equal(0, result.ExitCode);
        string message;
        do message = await notify.ReceiveAsync(Wait); while (message == "WATCHDOG=1");
        Assert.Equal("STOPPING=1", message);
    }

    [Fact]
    public async Task Run_PortInUse_FailsNamingTheKey()
    {
        using var dir = new TempDir();
        var (args, ports) = FreePorts.NodeArgs(dir.Path);
        using var squatter = new TcpListener(System.Net.IPAddress.Loopback, ports["Mqtt:Port"]);
        squatter.Start();
        var result = await CliRun.InvokeAsync(["run", .. args]).WaitAsync(Wait);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"could not start: Mqtt:Port: cannot listen on port {ports["Mqtt:Port"]}: the port is already in use", result.Error);
    }

    [Fact]
    public async Task Run_GpioChipMissing_FailsNamingTheSetting()
    {
        using var dir = new TempDir();
        var (args, _) = FreePorts.NodeArgs(dir.Path);
        var result = await CliRun.InvokeAsync(["run", .. args, "--Devices:Gpio:Chip=/dev/gpiochip-none",
            "--Devices:Gpio:Pins:button:Line=GPIO17"]).WaitAsync(Wait);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("could not start: Devices:Gpio:Chip:", result.Error);
        Assert.Contains("/dev/gpiochip-none", result.Error);
    }

    [Fact]
    public async Task Run_CorruptDatabase_FailsAndLeavesFileUntouched()
    {
        using var dir = new TempDir();
        var junk = Encoding.UTF8.GetBytes("SQLite format 2\0 but not really");
        await File.WriteAllBytesAsync(dir.File("edgenode.db"), junk);
        var (args, _) = FreePorts.NodeArgs(dir.Path);
        var result = await CliRun.InvokeAsync(["run", .. args]).WaitAsync(Wait);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("not an SQLite database", result.Error);
        Assert.Equal(junk, await File.ReadAllBytesAsync(dir.File("edgenode.db")));
    }

    private static async Task<string> ExchangeUntilAsync(int port, byte[] request, string end)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        var stream = client.GetStream();
        await stream.WriteAsync(request);
        var received = new StringBuilder();
        var buffer = new byte[4096];
        using var cts = new CancellationTokenSource(Wait);
        int n;
        while (!received.ToString().Contains(end, StringComparison.Ordinal) && (n = await stream.ReadAsync(buffer, cts.Token)) > 0)
            received.Append(Encoding.UTF8.GetString(buffer, 0, n));
        return received.ToString();
    }

    private static async Task<byte[]> ExchangeAsync(int port, byte[] request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        var stream = client.GetStream();
        await stream.WriteAsync(request);
        var received = new MemoryStream();
        var buffer = new byte[4096];
        using var cts = new CancellationTokenSource(Wait);
        int n;
        while ((n = await stream.ReadAsync(buffer, cts.Token)) > 0) received.Write(buffer, 0, n);
        return received.ToArray();
    }
}
