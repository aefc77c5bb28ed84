using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;
using EdgeNode.Interop.Tests.Support;
using static EdgeNode.Interop.Tests.Federation.FederationAddresses;

namespace EdgeNode.Interop.Tests.Federation;

/// <summary>
/// XEP-0368 direct TLS between servers: two EdgeNode nodes (n.test on 127.0.0.4, m.test on 127.0.0.5), each with
/// Xmpp:S2sDirectTlsPort 5270 and a static route `tls://ADDRESS:5270` to the other, so that every s2s stream starts
/// TLS with its first byte. slixmpp users on each side chat both ways; `federation status` on both nodes shows the
/// streams as direct TLS. A raw TLS peer shows what the direct TLS port offers, and Prosody 0.12 federates with the node
/// over direct TLS both ways (its s2s_direct_tls_ports; it finds the node through DNS SRV _xmpps-server._tcp).
/// Shares 127.0.0.2/127.0.0.4/127.0.0.5 and the standard ports with the other federation tests.
/// </summary>
[Collection(FederationCollection.Name)]
public sealed class DirectTlsFederationTests
{
    private const string OtherDomain = "m.test";
    private const string OtherAddress = "127.0.0.5";
    private const int DirectTlsPort = 5270;
    private const string AlicePassword = "alice-secret-1";
    private const string BobPassword = "bob-secret-1";

    private sealed class Pair : IAsyncDisposable
    {
        public required string Dir { get; init; }
        public required TestCa Ca { get; init; }
        public TestNode? N { get; set; }
        public TestNode? M { get; set; }

        public string Context => "--- n.test stderr ---\n" + N?.ErrorOutput + "\n--- m.test stderr ---\n" + M?.ErrorOutput;

        public async ValueTask DisposeAsync()
        {
            try
            {
                if (M is not null) await M.DisposeAsync();
            }
            finally
            {
                if (N is not null) await N.DisposeAsync();
                try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
            }
        }
    }

    private static async Task<Pair> StartAsync(bool caValid)
    {
        string dir = Directory.CreateTempSubdirectory("edgenode-directtls-").FullName;
        var pair = new Pair { Dir = dir, Ca = await TestCa.CreateAsync(dir) };
        try
        {
            pair.N = await TestNode.StartAsync(NodeDomain, NodeAddress, [.. await SettingsAsync(pair.Ca, NodeDomain, OtherDomain, OtherAddress, caValid)]);
            pair.M = await TestNode.StartAsync(OtherDomain, OtherAddress, [.. await SettingsAsync(pair.Ca, OtherDomain, NodeDomain, NodeAddress, caValid)]);
            await pair.N.AddUserAsync("alice", AlicePassword);
            await pair.M.AddUserAsync("bob", BobPassword);
        }
        catch
        {
            await pair.DisposeAsync();
            throw;
        }

        return pair;
    }

    private static async Task<List<string>> SettingsAsync(TestCa ca, string domain, string peerDomain, string peerAddress, bool caValid)
    {
        var settings = new List<string>
        {
            "--Xmpp:S2sPort=5269",
            $"--Xmpp:S2sDirectTlsPort={DirectTlsPort}",
            "--Xmpp:C2sDirectTlsPort=0",
            "--Federation:Mode=open",
            $"--Federation:Routes:{peerDomain}=tls://{peerAddress}:{DirectTlsPort}",
            $"--Federation:TrustedCertificatesPath={ca.CertificatePath}",
            "--Logging:LogLevel:EdgeNode.Federation=Debug",
        };
        if (caValid)
        {
            var tls = await ca.IssueAsync(domain, "serverAuth,clientAuth");
            settings.Add($"--Tls:CertificatePath={tls.Certificate}");
            settings.Add($"--Tls:KeyPath={tls.Key}");
        }

        return settings;
    }

    private static object[] Alice(Pair p) => [NodeAddress, p.N!.Port("Xmpp:C2sPort"), $"alice@{NodeDomain}", AlicePassword];

    private static object[] Bob(Pair p) => [OtherAddress, p.M!.Port("Xmpp:C2sPort"), $"bob@{OtherDomain}", BobPassword];

    /// <summary>`federation status` of a node once it shows every expected line.</summary>
    private static Task<string> StatusAsync(TestNode node, string context, params string[] patterns) => FederationStatus.WaitAsync(node, context, patterns);

    private static string Line(string direction, string domain, string method) =>
        $@"{direction} +{Regex.Escape(domain)} +{Regex.Escape(method)} +direct TLS +since";

    [Fact]
    public async Task DirectTls_CaValidCertificates_SaslExternalBothWays_MessagesCross()
    {
        await using var p = await StartAsync(caValid: true);

        var chat = await FederationClients.RunAsync("chat", [.. Alice(p), .. Bob(p)]);
        FederationClients.AssertOk(chat, "n.test <-> m.test chat over direct TLS", p.Context);
        Assert.Equal($"hello from alice@{NodeDomain}", chat.GetProperty("b_got").GetString());
        Assert.Equal($"alice@{NodeDomain}", chat.GetProperty("b_got_from").GetString());
        Assert.Equal($"hello back from bob@{OtherDomain}", chat.GetProperty("a_got").GetString());
        Assert.Equal($"bob@{OtherDomain}", chat.GetProperty("a_got_from").GetString());

        string n = await StatusAsync(p.N!, p.Context, Line("outbound", OtherDomain, "SASL EXTERNAL"), Line("inbound", OtherDomain, "SASL EXTERNAL"));
        string m = await StatusAsync(p.M!, p.Context, Line("outbound", NodeDomain, "SASL EXTERNAL"), Line("inbound", NodeDomain, "SASL EXTERNAL"));
        Assert.DoesNotContain("dialback", n + m, StringComparison.Ordinal);

        // The operator's check goes the same way: the route says direct TLS.
        var (code, output, error) = await p.N!.VerbAsync("", "federation", "check", OtherDomain);
        Assert.True(code == 0, $"federation check failed ({code}): {output}{error}\n{p.Context}");
        Assert.Contains($"Federation:Routes:{OtherDomain} = tls://{OtherAddress}:{DirectTlsPort}", output, StringComparison.Ordinal);
        Assert.Contains("(direct TLS)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DirectTls_SelfSignedCertificates_DialbackBothWays_MessagesCross()
    {
        await using var p = await StartAsync(caValid: false);

        var chat = await FederationClients.RunAsync("chat", [.. Alice(p), .. Bob(p)]);
        FederationClients.AssertOk(chat, "n.test <-> m.test chat over direct TLS with dialback", p.Context);
        Assert.Equal($"hello from alice@{NodeDomain}", chat.GetProperty("b_got").GetString());
        Assert.Equal($"hello back from bob@{OtherDomain}", chat.GetProperty("a_got").GetString());

        string n = await StatusAsync(p.N!, p.Context, Line("outbound", OtherDomain, "dialback"), Line("inbound", OtherDomain, "dialback"));
        await StatusAsync(p.M!, p.Context, Line("outbound", NodeDomain, "dialback"), Line("inbound", NodeDomain, "dialback"));
        Assert.Contains("self-signed", n, StringComparison.Ordinal);
        Assert.DoesNotContain("SASL EXTERNAL", n, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DirectTlsPort_RawTlsPeer_NoStartTlsOffered_ExternalOnlyForAValidCertificate()
    {
        await using var p = await StartAsync(caValid: true);
        var valid = await p.Ca.IssueAsync("s.test", "serverAuth,clientAuth");
        var selfSigned = await p.Ca.SelfSignedAsync("s.test");

        // A CA-valid client certificate: the stream is secure from the first byte, EXTERNAL is offered and works.
        using (var certificate = X509Certificate2.CreateFromPemFile(valid.Certificate, valid.Key))
        {
            await using var tls = await ConnectAsync(certificate);
            Assert.Equal("xmpp-server", tls.NegotiatedApplicationProtocol.ToString());
            await RawStream.WriteAsync(tls, Header("s.test"));
            string features = await RawStream.ReadUntilAsync(tls, "</stream:features>", p.Context);
            Assert.DoesNotContain("starttls", features, StringComparison.Ordinal);
            Assert.Contains("<mechanism>EXTERNAL</mechanism>", features, StringComparison.Ordinal);
            Assert.Contains("urn:xmpp:features:dialback", features, StringComparison.Ordinal);
            await RawStream.WriteAsync(tls, $"<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='EXTERNAL'>{Convert.ToBase64String(Encoding.UTF8.GetBytes("s.test"))}</auth>");
            await RawStream.ReadUntilAsync(tls, "<success", p.Context);
            await StatusAsync(p.N!, p.Context, Line("inbound", "s.test", "SASL EXTERNAL"));

            // Asking for STARTTLS on a stream that is already encrypted ends it.
            await RawStream.WriteAsync(tls, Header("s.test"));
            await RawStream.ReadUntilAsync(tls, "</stream:features>", p.Context);
            await RawStream.WriteAsync(tls, "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
            string end = await RawStream.ReadUntilAsync(tls, "</stream:stream>", p.Context);
            Assert.Contains("<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>", end, StringComparison.Ordinal);
        }

        // A self-signed client certificate: the handshake still succeeds; no EXTERNAL, dialback remains.
        using (var certificate = X509Certificate2.CreateFromPemFile(selfSigned.Certificate, selfSigned.Key))
        {
            await using var tls = await ConnectAsync(certificate);
            await RawStream.WriteAsync(tls, Header("s.test"));
            string features = await RawStream.ReadUntilAsync(tls, "</stream:features>", p.Context);
            Assert.DoesNotContain("starttls", features, StringComparison.Ordinal);
            Assert.DoesNotContain("EXTERNAL", features, StringComparison.Ordinal);
            Assert.Contains("urn:xmpp:features:dialback", features, StringComparison.Ordinal);
        }

        // No client certificate at all: likewise.
        await using (var tls = await ConnectAsync(null))
        {
            await RawStream.WriteAsync(tls, Header("s.test"));
            string features = await RawStream.ReadUntilAsync(tls, "</stream:features>", p.Context);
            Assert.DoesNotContain("starttls", features, StringComparison.Ordinal);
            Assert.DoesNotContain("EXTERNAL", features, StringComparison.Ordinal);
            Assert.Contains("urn:xmpp:features:dialback", features, StringComparison.Ordinal);
        }

        // The STARTTLS port beside it still offers STARTTLS.
        using var plain = new TcpClient();
        await plain.ConnectAsync(NodeAddress, 5269);
        var raw = plain.GetStream();
        await RawStream.WriteAsync(raw, Header("s.test"));
        string plainFeatures = await RawStream.ReadUntilAsync(raw, "</stream:features>", p.Context);
        Assert.Contains("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'>", plainFeatures, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prosody_DirectTlsBothWays_SaslExternal_MessagesCross()
    {
        string dir = Directory.CreateTempSubdirectory("edgenode-directtls-prosody-").FullName;
        var ca = await TestCa.CreateAsync(dir);
        var settings = await SettingsAsync(ca, NodeDomain, ProsodyDomain, ProsodyAddress, caValid: true);
        // Prosody finds n.test's direct TLS port the way it would on the Internet: DNS SRV _xmpps-server._tcp.
        using var dns = new SrvResponder(System.Net.IPAddress.Loopback, new Dictionary<string, (string, ushort)>
        {
            [$"_xmpps-server._tcp.{NodeDomain}"] = (NodeAddress, DirectTlsPort),
        });
        var node = await TestNode.StartAsync(NodeDomain, NodeAddress, [.. settings]);
        Peer? prosody = null;
        string log = Path.Combine(dir, "prosody.log");
        string Context()
        {
            string text = File.Exists(log) ? File.ReadAllText(log) : "";
            return "--- node stderr ---\n" + node.ErrorOutput + "\n--- prosody log (tail) ---\n" + (text.Length > 8000 ? text[^8000..] : text)
                + "\n--- DNS questions ---\n" + string.Join("\n", dns.Asked);
        }

        try
        {
            await node.AddUserAsync("alice", AlicePassword);
            var (config, c2s) = await ProsodyConfigAsync(dir, ca, dns, log);
            prosody = Peer.Start(Peer.Require("prosody", "prosody"), ["--config", config, "-F"]);
            await Peer.WaitForPortAsync(ProsodyAddress, DirectTlsPort, TimeSpan.FromSeconds(20));
            await Peer.WaitForPortAsync(ProsodyAddress, c2s, TimeSpan.FromSeconds(20));
            var register = await Peer.RunAsync(Peer.Require("prosodyctl", "prosody"), ["--config", config, "register", "bob", ProsodyDomain, BobPassword],
                TimeSpan.FromSeconds(30));
            Assert.True(register.ExitCode == 0, $"prosodyctl register bob: {register}");

            var chat = await FederationClients.RunAsync("chat", [NodeAddress, node.Port("Xmpp:C2sPort"), $"alice@{NodeDomain}", AlicePassword,
                ProsodyAddress, c2s, $"bob@{ProsodyDomain}", BobPassword]);
            FederationClients.AssertOk(chat, "Prosody <-> EdgeNode chat over direct TLS", Context());
            Assert.Equal($"hello from alice@{NodeDomain}", chat.GetProperty("b_got").GetString());
            Assert.Equal($"hello back from bob@{ProsodyDomain}", chat.GetProperty("a_got").GetString());

            await StatusAsync(node, Context(), Line("outbound", ProsodyDomain, "SASL EXTERNAL"), Line("inbound", ProsodyDomain, "SASL EXTERNAL"));
            Assert.Contains($"_xmpps-server._tcp.{NodeDomain}", string.Join("\n", dns.Asked), StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            if (prosody is not null) await prosody.DisposeAsync();
            await node.DisposeAsync();
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>
    /// Prosody 0.12 (p.test on 127.0.0.2) with s2s_direct_tls_ports, its resolver (libunbound) forwarding to the test DNS
    /// responder on loopback, which unbound refuses by default, and with "test." no longer one of unbound's built-in
    /// always-NXDOMAIN zones.
    /// </summary>
    private static async Task<(string Config, int C2sPort)> ProsodyConfigAsync(string dir, TestCa ca, SrvResponder dns, string log)
    {
        var tls = await ca.IssueAsync(ProsodyDomain, "serverAuth");
        string data = Path.Combine(dir, "prosody-data");
        Directory.CreateDirectory(data);
        int c2s = TestNode.FreePorts(ProsodyAddress, 1)[0];
        string config = Path.Combine(dir, "prosody.cfg.lua");
        await File.WriteAllTextAsync(config, $$"""
            run_as_root = true
            daemonize = false
            pidfile = "{{dir}}/prosody.pid"
            data_path = "{{data}}"
            plugin_paths = {}
            interfaces = { "{{ProsodyAddress}}" }
            c2s_ports = { {{c2s}} }
            s2s_ports = { 5269 }
            s2s_direct_tls_ports = { {{DirectTlsPort}} }
            log = { debug = "{{log}}" }
            authentication = "internal_hashed"
            storage = "internal"
            s2s_secure_auth = true
            s2s_require_encryption = true
            unbound = { hoststxt = false; resolvconf = false; forward = "127.0.0.1@{{dns.EndPoint.Port}}"; options = { ["do-not-query-localhost:"] = "no"; ["local-zone:"] = "test. transparent" } }
            modules_enabled = { "roster"; "saslauth"; "tls"; "disco"; "ping"; "presence"; "dialback"; "s2s" }
            ssl = { key = "{{tls.Key}}"; certificate = "{{tls.Certificate}}"; cafile = "{{ca.CertificatePath}}" }
            VirtualHost "{{ProsodyDomain}}"
            """);
        return (config, c2s);
    }

    private static string Header(string from) =>
        "<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' " +
        $"xmlns:db='jabber:server:dialback' from='{from}' to='{NodeDomain}' version='1.0'>";

    private static async Task<SslStream> ConnectAsync(X509Certificate2? certificate)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(NodeAddress, DirectTlsPort);
        var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = NodeDomain,
            ApplicationProtocols = [new SslApplicationProtocol("xmpp-server")],
            ClientCertificateContext = certificate is null ? null : SslStreamCertificateContext.Create(certificate, null),
        });
        return tls;
    }
}
