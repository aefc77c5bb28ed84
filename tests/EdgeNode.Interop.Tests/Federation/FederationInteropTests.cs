using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using EdgeNode.Interop.Tests.Support;
using static EdgeNode.Interop.Tests.Federation.FederationAddresses;

namespace EdgeNode.Interop.Tests.Federation;

/// <summary>The federation tests share the standard s2s port on fixed loopback addresses, so they run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FederationCollection
{
    public const string Name = "XMPP federation";
}

/// <summary>
/// XMPP federation of EdgeNode (n.test on 127.0.0.4:5269) with Prosody 0.12 (p.test on 127.0.0.2:5269) and ejabberd 23.01
/// (e.test on 127.0.0.3:5269), each on its own loopback address and the standard s2s port, with slixmpp clients on every
/// side. Every server is started by the test and stopped by its pid.
/// </summary>
[Collection(FederationCollection.Name)]
public sealed class FederationInteropTests
{
    private const string AlicePassword = "alice-secret-1";
    private const string BobPassword = "bob-secret-1";
    private const string EvePassword = "eve-secret-1";

    private sealed class Setup : IAsyncDisposable
    {
        public required string Dir { get; init; }
        public required TestNode Node { get; init; }
        public required TestCa Ca { get; init; }
        public ProsodyPeer? Prosody { get; set; }
        public EjabberdPeer? Ejabberd { get; set; }
        public SrvResponder? Dns { get; set; }

        public string Context => Describe(Node, Prosody) + (Ejabberd is null ? "" : "--- ejabberd log (tail) ---\n" + Tail(Ejabberd.Log))
            + (Dns is null ? "" : "--- DNS questions ---\n" + string.Join("\n", Dns.Asked));

        private static string Tail(string log) => log.Length > 8000 ? log[^8000..] : log;

        /// <summary>The status once it shows every pattern.</summary>
        public Task<string> StatusAsync(params string[] patterns) => FederationStatus.WaitAsync(Node, Context, patterns);

        /// <summary>The status once the node has rewritten it after <paramref name="since"/> (for what must not be in it).</summary>
        public Task<string> StatusAfterAsync(DateTime since) => FederationStatus.RewrittenAfterAsync(Node, since, Context);

        public async ValueTask DisposeAsync()
        {
            try
            {
                if (Prosody is not null) await Prosody.DisposeAsync();
                if (Ejabberd is not null) await Ejabberd.DisposeAsync();
                Dns?.Dispose();
            }
            finally
            {
                await Node.DisposeAsync();
                try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
            }
        }
    }

    private static async Task<Setup> StartAsync(bool caValid, string mode = "open", string[]? allow = null, bool startProsody = true,
        bool prosodySecureAuth = false, bool startEjabberd = false, string[]? extra = null)
    {
        string dir = Directory.CreateTempSubdirectory("edgenode-federation-").FullName;
        var ca = await TestCa.CreateAsync(dir);
        // Prosody's certificate carries serverAuth only, as current public CAs issue them: EdgeNode must accept it from a TLS client.
        var prosodyTls = caValid ? await ca.IssueAsync(ProsodyDomain, "serverAuth") : await ca.SelfSignedAsync(ProsodyDomain);
        var settings = new List<string>
        {
            "--Xmpp:S2sPort=5269",
            "--Xmpp:C2sDirectTlsPort=0",
            $"--Federation:Mode={mode}",
            $"--Federation:Routes:{ProsodyDomain}={ProsodyAddress}:5269",
            $"--Federation:Routes:{EjabberdDomain}={EjabberdAddress}:5269",
            $"--Federation:TrustedCertificatesPath={ca.CertificatePath}",
            "--Logging:LogLevel:EdgeNode.Federation=Debug",
        };
        settings.AddRange(extra ?? []);
        if (allow is not null)
        {
            settings.Add($"--Federation:Allow={string.Join(',', allow)}");
        }

        if (caValid)
        {
            var nodeTls = await ca.IssueAsync(NodeDomain, "serverAuth,clientAuth");
            settings.Add($"--Tls:CertificatePath={nodeTls.Certificate}");
            settings.Add($"--Tls:KeyPath={nodeTls.Key}");
        }

        var node = await TestNode.StartAsync(NodeDomain, NodeAddress, [.. settings]);
        var setup = new Setup { Dir = dir, Node = node, Ca = ca };
        try
        {
            await node.AddUserAsync("alice", AlicePassword);
            await node.AddUserAsync("carol", AlicePassword);
            if (startProsody)
            {
                setup.Prosody = await ProsodyPeer.StartAsync(dir, ProsodyDomain, ProsodyAddress, Hosts, prosodyTls,
                    caValid ? ca.CertificatePath : null, prosodySecureAuth);
                await setup.Prosody.AddUserAsync("bob", BobPassword);
            }

            if (startEjabberd)
            {
                // ejabberd finds n.test through DNS: SRV _xmpp-server._tcp.n.test -> 127.0.0.4:5269.
                setup.Dns = new SrvResponder(System.Net.IPAddress.Loopback, new Dictionary<string, (string, ushort)>
                {
                    [$"_xmpp-server._tcp.{NodeDomain}"] = (NodeAddress, 5269),
                    [$"_xmpp-server._tcp.{ProsodyDomain}"] = (ProsodyAddress, 5269),
                });
                setup.Ejabberd = await EjabberdPeer.StartAsync(dir, EjabberdDomain, EjabberdAddress, setup.Dns,
                    await ca.IssueAsync(EjabberdDomain, "serverAuth,clientAuth"), ca.CertificatePath,
                    new Dictionary<string, string> { ["eve"] = EvePassword });
            }
        }
        catch
        {
            await setup.DisposeAsync();
            throw;
        }

        return setup;
    }

    private static object[] Alice(Setup s) => [NodeAddress, s.Node.Port("Xmpp:C2sPort"), $"alice@{NodeDomain}", AlicePassword];

    private static object[] Carol(Setup s) => [NodeAddress, s.Node.Port("Xmpp:C2sPort"), $"carol@{NodeDomain}", AlicePassword];

    private static object[] Bob(Setup s) => [ProsodyAddress, s.Prosody!.C2sPort, $"bob@{ProsodyDomain}", BobPassword];

    private static object[] Eve(Setup s) => [EjabberdAddress, s.Ejabberd!.C2sPort, $"eve@{EjabberdDomain}", EvePassword];

    [Fact]
    public async Task Prosody_SelfSignedCertificates_DialbackBothWays_MessagesAndPresenceCross()
    {
        // Allowlist mode with Prosody listed: the listed peer works.
        await using var s = await StartAsync(caValid: false, mode: "allowlist", allow: [ProsodyDomain]);

        var chat = await FederationClients.RunAsync("chat", [.. Alice(s), .. Bob(s)]);
        FederationClients.AssertOk(chat, "Prosody <-> EdgeNode chat", s.Context);
        Assert.Equal($"hello from alice@{NodeDomain}", chat.GetProperty("b_got").GetString());
        Assert.Equal($"hello back from bob@{ProsodyDomain}", chat.GetProperty("a_got").GetString());

        var presence = await FederationClients.RunAsync("subscribe", [.. Alice(s), .. Bob(s)]);
        FederationClients.AssertOk(presence, "presence subscription both ways", s.Context);
        Assert.Equal("both", presence.GetProperty("a_sub").GetString());
        Assert.Equal("both", presence.GetProperty("b_sub").GetString());
        Assert.Equal("b-is-busy", presence.GetProperty("a_saw").GetString());
        Assert.Equal("a-is-away", presence.GetProperty("b_saw").GetString());

        // Logging in later: the node probes Prosody for the contacts alice sees, and Prosody answers.
        var probe = await FederationClients.RunAsync("probe", [.. Alice(s), .. Bob(s)]);
        FederationClients.AssertOk(probe, "presence of a remote contact at login (probe)", s.Context);
        Assert.Equal("b-was-here-first", probe.GetProperty("a_saw").GetString());

        // An iq across federation and its answer back: Prosody answers a ping arriving over s2s with service-unavailable
        // (it reaches Prosody, which says so in its log), and that answer reaches alice's client.
        var ping = await FederationClients.RunAsync("iq", [.. Alice(s), ProsodyDomain]);
        FederationClients.AssertOk(ping, "ping of p.test from a client of n.test", s.Context);
        Assert.Equal(ProsodyDomain, ping.GetProperty("from").GetString());
        Assert.Contains("urn:xmpp:ping", s.Prosody!.Log, StringComparison.Ordinal);

        string status = await s.StatusAsync($@"outbound +{ProsodyDomain.Replace(".", @"\.")} +dialback +TLS", $@"inbound +{ProsodyDomain.Replace(".", @"\.")} +dialback +TLS");
        Assert.Contains("self-signed", status, StringComparison.Ordinal);

        // The operator's check: a fresh stream from the CLI, whose dialback key the running node confirms to Prosody.
        var (code, output, error) = await s.Node.VerbAsync("", "federation", "check", ProsodyDomain);
        Assert.True(code == 0, $"federation check failed ({code}): {output}{error}\n{s.Context}");
        Assert.Contains($"resolve: static route Federation:Routes:{ProsodyDomain}", output, StringComparison.Ordinal);
        Assert.Contains($"certificate: the certificate for {ProsodyDomain} is self-signed", output, StringComparison.Ordinal);
        Assert.Contains("authentication: dialback succeeded", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prosody_CaValidCertificates_SaslExternalBothWays_ServerAuthOnlyPeerAccepted()
    {
        await using var s = await StartAsync(caValid: true, prosodySecureAuth: true);

        var chat = await FederationClients.RunAsync("chat", [.. Alice(s), .. Bob(s)]);
        FederationClients.AssertOk(chat, "Prosody <-> EdgeNode chat with CA-valid certificates", s.Context);
        Assert.Equal($"hello back from bob@{ProsodyDomain}", chat.GetProperty("a_got").GetString());

        string status = await s.StatusAsync($@"outbound +{ProsodyDomain.Replace(".", @"\.")} +SASL EXTERNAL +TLS", $@"inbound +{ProsodyDomain.Replace(".", @"\.")} +SASL EXTERNAL +TLS");
        Assert.DoesNotContain("dialback", status, StringComparison.Ordinal);

        var (code, output, error) = await s.Node.VerbAsync("", "federation", "check", ProsodyDomain);
        Assert.True(code == 0, $"federation check failed ({code}): {output}{error}\n{s.Context}");
        Assert.Contains($"certificate: valid for {ProsodyDomain}", output, StringComparison.Ordinal);
        Assert.Contains("authentication: SASL EXTERNAL succeeded", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prosody_AllowlistWithoutIt_RefusedBothWays_NothingReachesLocalUsers()
    {
        await using var s = await StartAsync(caValid: false, mode: "allowlist", allow: [EjabberdDomain]);

        // Outbound: a local user's message to the unlisted domain bounces at once, saying why.
        var outbound = await FederationClients.RunAsync("bounce", [.. Alice(s), $"bob@{ProsodyDomain}"]);
        FederationClients.AssertOk(outbound, "bounce to an unlisted domain", s.Context);
        Assert.Equal("not-allowed", outbound.GetProperty("condition").GetString());
        Assert.Contains("allowlist", outbound.GetProperty("text").GetString(), StringComparison.Ordinal);

        // Inbound: Prosody's stream is refused, its user gets an error, and alice receives nothing.
        await using var listener = await FederationClients.ListenAsync(Alice(s));
        var asked = DateTime.UtcNow;
        var inbound = await FederationClients.RunAsync("bounce", [.. Bob(s), $"alice@{NodeDomain}"]);
        FederationClients.AssertOk(inbound, "Prosody's message to a node that refuses it", s.Context);
        Assert.Empty(await FederationClients.StopListeningAsync(listener, Alice(s), Carol(s), s.Context));
        Assert.Contains("policy-violation", s.Prosody!.Log, StringComparison.Ordinal);
        string status = await s.StatusAfterAsync(asked);
        Assert.DoesNotMatch(@"(dialback|SASL EXTERNAL)", status);
    }

    [Fact]
    public async Task Prosody_FederationClosed_StanzaBouncesAtOnce_PeerRefused()
    {
        await using var s = await StartAsync(caValid: false, mode: "closed");

        var outbound = await FederationClients.RunAsync("bounce", [.. Alice(s), $"bob@{ProsodyDomain}"]);
        FederationClients.AssertOk(outbound, "bounce with federation closed", s.Context);
        Assert.Equal("remote-server-not-found", outbound.GetProperty("condition").GetString());
        Assert.Contains("does not federate", outbound.GetProperty("text").GetString(), StringComparison.Ordinal);

        var inbound = await FederationClients.RunAsync("bounce", [.. Bob(s), $"alice@{NodeDomain}"]);
        FederationClients.AssertOk(inbound, "Prosody's message to a closed node", s.Context);
        Assert.Contains("policy-violation", s.Prosody!.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prosody_PeerGone_MessagesBounceWithRemoteServerNotFound_LocalUsersStillServed()
    {
        await using var s = await StartAsync(caValid: false);
        var chat = await FederationClients.RunAsync("chat", [.. Alice(s), .. Bob(s)]);
        FederationClients.AssertOk(chat, "chat before the peer goes away", s.Context);

        s.Prosody!.Kill();
        var bounce = await FederationClients.RunAsync("bounce", [.. Alice(s), $"bob@{ProsodyDomain}"]);
        FederationClients.AssertOk(bounce, "bounce after the peer went away", s.Context);
        Assert.Equal("remote-server-not-found", bounce.GetProperty("condition").GetString());
        Assert.Contains(ProsodyDomain, bounce.GetProperty("text").GetString(), StringComparison.Ordinal);

        var local = await FederationClients.RunAsync("chat", [.. Alice(s), .. Carol(s)]);
        FederationClients.AssertOk(local, "local chat after the peer went away", s.Context);
        Assert.Equal($"hello from alice@{NodeDomain}", local.GetProperty("b_got").GetString());
    }

    [Fact]
    public async Task Prosody_SelfSignedButCaValidRequired_RefusedWithTheReason()
    {
        await using var s = await StartAsync(caValid: false, extra: [$"--Federation:RequireValidCertificates={ProsodyDomain}"]);

        var outbound = await FederationClients.RunAsync("bounce", [.. Alice(s), $"bob@{ProsodyDomain}"]);
        FederationClients.AssertOk(outbound, "bounce when the peer must have a CA-valid certificate", s.Context);
        Assert.Equal("remote-server-not-found", outbound.GetProperty("condition").GetString());
        Assert.Contains("must present a CA-valid certificate", outbound.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Contains("self-signed", outbound.GetProperty("text").GetString(), StringComparison.Ordinal);

        // Prosody's own attempt at dialback is answered with not-authorized: nothing of bob's reaches alice.
        await using var listener = await FederationClients.ListenAsync(Alice(s));
        var asked = DateTime.UtcNow;
        var inbound = await FederationClients.RunAsync("bounce", [.. Bob(s), $"alice@{NodeDomain}"]);
        FederationClients.AssertOk(inbound, "Prosody's message to a node that wants a CA-valid certificate", s.Context);
        Assert.Empty(await FederationClients.StopListeningAsync(listener, Alice(s), Carol(s), s.Context));
        string status = await s.StatusAfterAsync(asked);
        Assert.DoesNotMatch($@"{ProsodyDomain.Replace(".", @"\.")} +(dialback|SASL EXTERNAL)", status);
    }

    [Fact]
    public async Task SilentPeer_SetUpNeverCompletes_MessageBouncesWithRemoteServerTimeout()
    {
        // A server that accepts the connection and then says nothing (t.test on 127.0.0.5:5269).
        var silent = new TcpListener(System.Net.IPAddress.Parse("127.0.0.5"), 5269);
        silent.Start();
        var held = new List<TcpClient>();
        var accepting = Task.Run(async () =>
        {
            try
            {
                while (true) held.Add(await silent.AcceptTcpClientAsync());
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }
        });
        try
        {
            await using var s = await StartAsync(caValid: false, startProsody: false,
                extra: ["--Federation:Routes:t.test=127.0.0.5:5269", "--Federation:SetupSeconds=3"]);
            var bounce = await FederationClients.RunAsync("bounce", [.. Alice(s), "bob@t.test"]);
            FederationClients.AssertOk(bounce, "bounce from a peer that never answers", s.Context);
            Assert.Equal("remote-server-timeout", bounce.GetProperty("condition").GetString());
            Assert.Contains("within 3 s", bounce.GetProperty("text").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            silent.Stop();
            await accepting;
            foreach (var client in held) client.Dispose();
        }
    }

    [Fact]
    public async Task RawServer_SpoofedFromOnAuthenticatedStream_CutOffWithInvalidFrom()
    {
        await using var s = await StartAsync(caValid: false, startProsody: false);
        var spoofer = await s.Ca.IssueAsync("s.test", "serverAuth,clientAuth");
        using var certificate = X509Certificate2.CreateFromPemFile(spoofer.Certificate, spoofer.Key);

        // A server that authenticates as s.test with SASL EXTERNAL, sends one stanza of its own, then one from p.test.
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(NodeAddress, 5269);
        var raw = tcp.GetStream();
        string header = "<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' " +
                        $"xmlns:db='jabber:server:dialback' from='s.test' to='{NodeDomain}' version='1.0'>";
        await RawStream.WriteAsync(raw, header);
        await RawStream.ReadUntilAsync(raw, "</stream:features>", s.Context);
        await RawStream.WriteAsync(raw, "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
        await RawStream.ReadUntilAsync(raw, "<proceed", s.Context);
        using var tls = new SslStream(raw, leaveInnerStreamOpen: false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = NodeDomain,
            ClientCertificateContext = SslStreamCertificateContext.Create(certificate, null),
        });
        await RawStream.WriteAsync(tls, header);
        string features = await RawStream.ReadUntilAsync(tls, "</stream:features>", s.Context);
        Assert.Contains("<mechanism>EXTERNAL</mechanism>", features, StringComparison.Ordinal);
        await RawStream.WriteAsync(tls, $"<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='EXTERNAL'>{Convert.ToBase64String(Encoding.UTF8.GetBytes("s.test"))}</auth>");
        await RawStream.ReadUntilAsync(tls, "<success", s.Context);
        await RawStream.WriteAsync(tls, header);
        await RawStream.ReadUntilAsync(tls, "</stream:features>", s.Context);

        await using var listener = await FederationClients.ListenAsync(Alice(s));
        await RawStream.WriteAsync(tls, $"<message from='mallory@s.test/x' to='alice@{NodeDomain}' type='chat'><body>from s.test itself</body></message>");
        await FederationClients.WaitForLineAsync(listener, "got: from s.test itself");
        await RawStream.WriteAsync(tls, $"<message from='bob@{ProsodyDomain}/x' to='alice@{NodeDomain}' type='chat'><body>spoofed</body></message>");
        string end = await RawStream.ReadUntilAsync(tls, "</stream:stream>", s.Context);
        Assert.Contains("<invalid-from", end, StringComparison.Ordinal);
        Assert.Equal(["from s.test itself"], await FederationClients.StopListeningAsync(listener, Alice(s), Carol(s), s.Context));
    }

    [Fact]
    public async Task Ejabberd_SelfSignedNode_MessagesAndPresenceBothWays()
    {
        await using var s = await StartAsync(caValid: false, startProsody: false, startEjabberd: true);

        var chat = await FederationClients.RunAsync("chat", [.. Alice(s), .. Eve(s)]);
        FederationClients.AssertOk(chat, "ejabberd <-> EdgeNode chat", s.Context);
        Assert.Equal($"hello from alice@{NodeDomain}", chat.GetProperty("b_got").GetString());
        Assert.Equal($"hello back from eve@{EjabberdDomain}", chat.GetProperty("a_got").GetString());

        var presence = await FederationClients.RunAsync("subscribe", [.. Alice(s), .. Eve(s)]);
        FederationClients.AssertOk(presence, "presence subscription both ways with ejabberd", s.Context);
        Assert.Equal("both", presence.GetProperty("a_sub").GetString());
        Assert.Equal("both", presence.GetProperty("b_sub").GetString());
        Assert.Equal("a-is-away", presence.GetProperty("b_saw").GetString());

        // ejabberd cannot trust the node's self-signed certificate: the node authenticates to it by dialback.
        await s.StatusAsync($@"outbound +{EjabberdDomain.Replace(".", @"\.")} +dialback +TLS", $@"inbound +{EjabberdDomain.Replace(".", @"\.")} +(dialback|SASL EXTERNAL) +TLS");
    }

    [Fact]
    public async Task Allowlist_ProsodyListed_Works_EjabberdRefused_NothingOfItReachesLocalUsers()
    {
        await using var s = await StartAsync(caValid: false, mode: "allowlist", allow: [ProsodyDomain], startEjabberd: true);

        var listed = await FederationClients.RunAsync("chat", [.. Alice(s), .. Bob(s)]);
        FederationClients.AssertOk(listed, "chat with the listed peer (Prosody)", s.Context);

        var outbound = await FederationClients.RunAsync("bounce", [.. Alice(s), $"eve@{EjabberdDomain}"]);
        FederationClients.AssertOk(outbound, "bounce to the unlisted peer (ejabberd)", s.Context);
        Assert.Equal("not-allowed", outbound.GetProperty("condition").GetString());
        Assert.Contains("allowlist", outbound.GetProperty("text").GetString(), StringComparison.Ordinal);

        await using var listener = await FederationClients.ListenAsync(Alice(s));
        var asked = DateTime.UtcNow;
        var inbound = await FederationClients.RunAsync("bounce", [.. Eve(s), $"alice@{NodeDomain}"]);
        FederationClients.AssertOk(inbound, "ejabberd's message to a node that refuses it", s.Context);
        Assert.Empty(await FederationClients.StopListeningAsync(listener, Alice(s), Carol(s), s.Context));

        string status = await s.StatusAfterAsync(asked);
        Assert.Contains(ProsodyDomain, status, StringComparison.Ordinal);
        Assert.DoesNotMatch($@"{EjabberdDomain.Replace(".", @"\.")} +(dialback|SASL EXTERNAL)", status);
    }

    [Fact]
    public async Task Devices_RemoteReaderSeesTheDevice_StrangerIsRefused_OnlyAGrantedRemoteOwnerCommands()
    {
        // bob@p.test is named in plug1's access list (an owner on another server may read, not command); eve@e.test is not.
        await using var s = await StartAsync(caValid: false, startEjabberd: true, extra: ["--Devices:TelemetryIntervalSeconds=0"]);
        var (added, _, addError) = await s.Node.VerbAsync("pw-plug1-device\n", "device", "add", "plug1");
        Assert.True(added == 0, addError);
        var (owned, _, ownError) = await s.Node.VerbAsync("", "device", "owner", "plug1", $"bob@{ProsodyDomain}");
        Assert.True(owned == 0, ownError);

        var mqtt = Mqtt.MqttPeers.Connection(s.Node.Port("Mqtt:Port"), "plug1", "pw-plug1-device", "mqttv5", NodeAddress);
        await using var wire = await Mqtt.MqttPeers.SubscribeAsync(mqtt, "-t", "cmnd/plug1/#", "-F", "%r %t %p");
        Assert.Equal(0, (await Mqtt.MqttPeers.PublishAsync(mqtt, "-t", "tele/plug1/LWT", "-m", "Online", "-r")).ExitCode);
        Assert.Equal(0, (await Mqtt.MqttPeers.PublishAsync(mqtt, "-t", "stat/plug1/POWER", "-m", "ON", "-r")).ExitCode);

        // The reader's client subscribes whenever it is ready; the plug reports every second meanwhile.
        var watch = FederationClients.RunAsync("device_watch", [.. Bob(s), $"plug1@{NodeDomain}", "58 W"]);
        using (var reporting = new CancellationTokenSource(TimeSpan.FromSeconds(100)))
        {
            while (!watch.IsCompleted && !reporting.IsCancellationRequested)
            {
                await Mqtt.MqttPeers.PublishAsync(mqtt, "-t", "tele/plug1/SENSOR", "-m",
                    """{"Time":"2026-11-21T12:00:00","ENERGY":{"Power":58,"Voltage":231}}""");
                await Task.WhenAny(watch, Task.Delay(2000));
            }
        }

        var seen = await watch;
        FederationClients.AssertOk(seen, "a reader on Prosody watching plug1", s.Context);
        Assert.Equal("headline", seen.GetProperty("reading_type").GetString());
        Assert.Contains("58 W", seen.GetProperty("reading").GetString(), StringComparison.Ordinal);
        Assert.Equal("forbidden", seen.GetProperty("off").GetString());

        var stranger = await FederationClients.RunAsync("device_stranger", [.. Eve(s), $"plug1@{NodeDomain}"]);
        FederationClients.AssertOk(stranger, "a stranger on ejabberd", s.Context);
        Assert.Equal("forbidden", stranger.GetProperty("off").GetString());


        // Granted command rights, the remote owner's "off" works as a local owner's: one command, answered after the echo.
        var (granted, _, grantError) = await s.Node.VerbAsync("", "device", "commander", "plug1", $"bob@{ProsodyDomain}");
        Assert.True(granted == 0, grantError);
        var command = FederationClients.RunAsync("device_command", [.. Bob(s), $"plug1@{NodeDomain}"]);
        using (var echo = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            while (!command.IsCompleted && Mqtt.MqttPeers.Messages(wire.Out).Length == 0 && !echo.IsCancellationRequested) await Task.Delay(50);
        }

        await Mqtt.MqttPeers.PublishAsync(mqtt, "-t", "stat/plug1/RESULT", "-m", """{"POWER":"OFF"}""");
        var commanded = await command;
        FederationClients.AssertOk(commanded, "a remote owner with command rights", s.Context);
        Assert.Equal("done: off", commanded.GetProperty("answer").GetString());
        // The one command on the device's wire is the commander's: neither the reader's nor the stranger's "off", sent
        // earlier on the same path, reached it.
        Assert.Equal(["0 cmnd/plug1/POWER OFF"], Mqtt.MqttPeers.Messages(wire.Out));
    }
}
