using System.Net.Http;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using EdgeNode.Core.Tests.Acme;
using EdgeNode.Interop.Tests.Support;
using EdgeNode.Interop.Tests.Xmpp;

namespace EdgeNode.Interop.Tests.Tls;

/// <summary>
/// A whole node with Tls:Acme on, against the test ACME server: it starts on its self-signed certificate, obtains
/// one by HTTP-01 on its challenge listener, and from then on every TLS listener presents it, without a restart.
/// </summary>
public sealed class AcmeNodeTests
{
    private const string Domain = "pi.example";

    [Fact]
    public async Task Run_AcmeEnabled_EveryTlsListenerPresentsTheNewCertificateWithoutRestart()
    {
        await using var acme = new TestAcmeServer(TimeProvider.System);
        await acme.StartAsync();
        int challengePort = TestNode.FreePorts("127.0.0.1", 1)[0];
        acme.ChallengePort = challengePort;
        await using var node = await TestNode.StartAsync(Domain, "127.0.0.1",
            "--Tls:Acme:Enabled=true", "--Tls:Acme:AcceptTermsOfService=true", $"--Tls:Acme:Directory={acme.DirectoryUrl}",
            $"--Tls:Acme:HttpPort={challengePort}", "--Tls:Acme:Domains=conference.pi.example");

        // The node asks for the certificate as it starts; wait until the Matrix HTTPS listener presents it.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!IsFromTestCa(acme, await DirectTlsCertificateAsync(node.Port("Http:FederationPort"), "h2")))
        {
            Assert.True(DateTime.UtcNow < deadline, "no ACME certificate on the HTTPS listener within 30 s");
            await Task.Delay(50);
        }
        Assert.Equal(2, acme.Validations);

        var presented = new Dictionary<string, X509Certificate?>
        {
            ["Http:FederationPort"] = await DirectTlsCertificateAsync(node.Port("Http:FederationPort"), "http/1.1"),
            ["Mqtt:TlsPort"] = await DirectTlsCertificateAsync(node.Port("Mqtt:TlsPort"), "mqtt"),
            ["Xmpp:C2sDirectTlsPort"] = await DirectTlsCertificateAsync(node.Port("Xmpp:C2sDirectTlsPort"), "xmpp-client"),
            ["Xmpp:S2sDirectTlsPort"] = await DirectTlsCertificateAsync(node.Port("Xmpp:S2sDirectTlsPort"), "xmpp-server"),
            ["Xmpp:C2sPort"] = await StartTlsCertificateAsync(node.Port("Xmpp:C2sPort")),
        };
        var expected = File.ReadAllText(Path.Combine(node.DataDir, "tls", "acme", Domain + ".pem"));
        using var stored = X509Certificate2.CreateFromPem(expected);
        foreach (var (listener, certificate) in presented)
        {
            Assert.True(certificate is not null, $"{listener}: no certificate");
            Assert.True(stored.Thumbprint == new X509Certificate2(certificate).Thumbprint, $"{listener}: presents {certificate.Subject} from {certificate.Issuer}, not the ACME certificate");
        }

        // The challenge listener answers challenges only.
        using var http = new HttpClient();
        var other = await http.GetAsync($"http://127.0.0.1:{challengePort}/_matrix/client/versions");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, other.StatusCode);
        var matrix = await http.GetAsync($"http://127.0.0.1:{node.Port("Http:Port")}/_matrix/client/versions");
        Assert.True(matrix.IsSuccessStatusCode);

        var (code, output, _) = await node.VerbAsync("", "tls", "show");
        Assert.Equal(0, code);
        Assert.Contains("issuer:      CN=EdgeNode Test ACME CA", output, StringComparison.Ordinal);
        Assert.Contains($"ACME:        from {acme.DirectoryUrl}", output, StringComparison.Ordinal);
        Assert.Contains("names:       pi.example, conference.pi.example", output, StringComparison.Ordinal);
    }

    private static bool IsFromTestCa(TestAcmeServer acme, X509Certificate? certificate) => certificate?.Issuer == acme.Ca.Subject;

    private static async Task<X509Certificate?> DirectTlsCertificateAsync(int port, string applicationProtocol)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        await using var tls = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = Domain,
            ApplicationProtocols = [new SslApplicationProtocol(applicationProtocol)],
        });
        return tls.RemoteCertificate is { } c ? new X509Certificate2(c) : null;
    }

    private static async Task<X509Certificate?> StartTlsCertificateAsync(int port)
    {
        await using var client = await RawXmppClient.ConnectAsync("127.0.0.1", port);
        await client.StartTlsAsync(Domain);
        return client.RemoteCertificate is { } c ? new X509Certificate2(c) : null;
    }
}
