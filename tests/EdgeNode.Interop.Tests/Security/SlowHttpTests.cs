using System.Net.Sockets;
using System.Text;
using EdgeNode.Interop.Tests.Support;

namespace EdgeNode.Interop.Tests.Security;

/// <summary>
/// Slow HTTP against a real node: a request body that trickles in is answered 408 (not 500), the burst is one log
/// line without a stack trace, a silent connection is closed after Http:KeepAliveTimeoutSeconds, and Matrix users
/// (matrix-nio) are served meanwhile.
/// </summary>
public class SlowHttpTests
{
    private const string Password = "correct horse battery";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task SlowBody_IsAnswered408WithOneLogLine_WhileMatrixUsersAreServed()
    {
        using var console = new ConsoleCapture();
        await using var node = await TestNode.StartAsync();
        await node.AddUserAsync("alice", Password);
        await node.AddUserAsync("bob", Password);
        int port = node.Port("Http:Port");

        var slow = new List<TcpClient>();
        try
        {
            for (int i = 0; i < 3; i++)
            {
                var client = await ConnectionFloodTests.ConnectAsync("127.0.0.1", port);
                // Headers whole, then 10 of the 1000 bytes announced, then nothing: under Kestrel's 240 bytes/s minimum.
                await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes(
                    "POST /_matrix/client/v3/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"type\": \""));
                slow.Add(client);
            }

            var nio = Peer.PythonAsync("Matrix/scripts/nio_client.py", [$"http://127.0.0.1:{port}", Password, "basic"], TimeSpan.FromSeconds(120));
            foreach (var client in slow)
            {
                string answer = await ReadToEndAsync(client);
                Assert.StartsWith("HTTP/1.1 408", answer);
            }

            var result = await nio;
            Assert.True(result.ExitCode == 0, result.ToString());
        }
        finally
        {
            foreach (var client in slow) client.Dispose();
        }

        // The burst's line is written as the burst is counted, which may come just after the 408 reached the client.
        var logged = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!console.Lines("Matrix client API: answered").Any() && DateTime.UtcNow < logged) await Task.Delay(20);
        Assert.Single(console.Lines("Matrix client API: answered"));
        Assert.Empty(console.Lines("/_matrix/client/v3/login failed"));
        Assert.DoesNotContain("BadHttpRequestException", console.Text);
    }

    [Fact]
    public async Task SilentConnection_IsClosedAfterTheKeepAliveTimeout()
    {
        await using var node = await TestNode.StartAsync();
        int port = node.Port("Http:Port");
        using var silent = await ConnectionFloodTests.ConnectAsync("127.0.0.1", port);
        var started = DateTime.UtcNow;
        // The default Http:KeepAliveTimeoutSeconds is 15: closed long before Kestrel's own 130 s.
        Assert.True(await ConnectionFloodTests.ClosedByNodeAsync(silent, TimeSpan.FromSeconds(40)), "a silent HTTP connection was still open after 40 s");
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(40));

        // Another client is served.
        using var http = new HttpClient();
        var versions = await http.GetAsync($"http://127.0.0.1:{port}/_matrix/client/versions");
        Assert.Equal(System.Net.HttpStatusCode.OK, versions.StatusCode);
    }

    private static async Task<string> ReadToEndAsync(TcpClient client)
    {
        var text = new StringBuilder();
        var buffer = new byte[4096];
        using var cts = new CancellationTokenSource(Wait);
        try
        {
            int n;
            while ((n = await client.GetStream().ReadAsync(buffer, cts.Token)) > 0)
            {
                text.Append(Encoding.ASCII.GetString(buffer, 0, n));
                if (text.ToString().Contains("\r\n\r\n", StringComparison.Ordinal)) break;
            }
        }
        catch (IOException)
        {
        }

        return text.ToString();
    }
}
