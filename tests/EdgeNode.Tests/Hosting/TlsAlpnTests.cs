using System.Net.Security;
using System.Net.Sockets;

namespace EdgeNode.Tests.Hosting;

/// <summary>
/// The raw TCP protocols over TLS speak their own ALPN names: an XMPP client offering only "xmpp-client" (XEP-0368,
/// as Conversations and Dino do) and an MQTT client offering only "mqtt" are served, not refused.
/// </summary>
public class TlsAlpnTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Run_TlsListeners_NegotiateTheirProtocolsAlpnName()
    {
        using var dir = new TempDir();
        using var notify = new NotifySocket();
        var (args, ports) = FreePorts.NodeArgs(dir.Path);
        using var stop = new CancellationTokenSource();
        var node = CliRun.InvokeAsync(["run", .. args], environment: new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notify.Name }, stop: stop.Token);
        Assert.Equal("READY=1", await notify.ReceiveAsync(Wait));

        Assert.Equal("xmpp-client", await NegotiateAsync(ports["Xmpp:C2sDirectTlsPort"], "xmpp-client"));
        Assert.Equal("mqtt", await NegotiateAsync(ports["Mqtt:TlsPort"], "mqtt"));
        Assert.Equal("xmpp-server", await NegotiateAsync(ports["Xmpp:S2sDirectTlsPort"], "xmpp-server"));
        // A client that names no protocol is served as well.
        Assert.Equal("", await NegotiateAsync(ports["Xmpp:C2sDirectTlsPort"], null));

        await stop.CancelAsync();
        Assert.Equal(0, (await node.WaitAsync(Wait)).ExitCode);
    }

    private static async Task<string> NegotiateAsync(int port, string? alpn)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        using var tls = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
        using var cts = new CancellationTokenSource(Wait);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            ApplicationProtocols = alpn is null ? null : [new SslApplicationProtocol(alpn)],
        }, cts.Token);
        return tls.NegotiatedApplicationProtocol.ToString();
    }
}
