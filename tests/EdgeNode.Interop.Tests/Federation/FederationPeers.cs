using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using EdgeNode.Interop.Tests.Support;
using EdgeNode.Modules;

namespace EdgeNode.Interop.Tests.Federation;

/// <summary>A throw-away certificate authority made with openssl for one test, and the certificates it issues.</summary>
public sealed class TestCa
{
    private readonly string _dir;

    private TestCa(string dir) => _dir = dir;

    public string CertificatePath => Path.Combine(_dir, "ca.crt");

    public static async Task<TestCa> CreateAsync(string dir)
    {
        var ca = new TestCa(dir);
        await ca.OpenSslAsync("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=EdgeNode federation test CA",
            "-keyout", Path.Combine(dir, "ca.key"), "-out", ca.CertificatePath,
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        return ca;
    }

    /// <summary>Issues a certificate for <paramref name="domain"/> with the given extended key usages ("serverAuth", ...).</summary>
    public async Task<(string Certificate, string Key)> IssueAsync(string domain, string extendedKeyUsage)
    {
        string key = Path.Combine(_dir, domain + ".key");
        string csr = Path.Combine(_dir, domain + ".csr");
        string ext = Path.Combine(_dir, domain + ".ext");
        string crt = Path.Combine(_dir, domain + ".crt");
        await OpenSslAsync("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=" + domain, "-keyout", key, "-out", csr);
        await File.WriteAllTextAsync(ext,
            $"subjectAltName=DNS:{domain}\nextendedKeyUsage={extendedKeyUsage}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n");
        await OpenSslAsync("x509", "-req", "-in", csr, "-CA", CertificatePath, "-CAkey", Path.Combine(_dir, "ca.key"), "-CAcreateserial",
            "-days", "2", "-extfile", ext, "-out", crt);
        return (crt, key);
    }

    /// <summary>A self-signed certificate for <paramref name="domain"/> (no CA vouches for it).</summary>
    public async Task<(string Certificate, string Key)> SelfSignedAsync(string domain)
    {
        string key = Path.Combine(_dir, domain + ".self.key");
        string crt = Path.Combine(_dir, domain + ".self.crt");
        await OpenSslAsync("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=" + domain,
            "-addext", "subjectAltName=DNS:" + domain, "-keyout", key, "-out", crt);
        return (crt, key);
    }

    private async Task OpenSslAsync(params string[] args)
    {
        var result = await Peer.RunAsync(Peer.Require("openssl", "openssl"), args, TimeSpan.FromSeconds(60));
        Assert.True(result.ExitCode == 0, $"openssl {string.Join(' ', args)} failed: {result}");
    }
}

/// <summary>
/// Prosody 0.12 from Debian as a federation peer: its own domain and loopback address, the standard s2s port, names
/// resolved from a hosts file through lua-unbound (its own resolver ignores /etc/hosts), no mod_limits throttling.
/// </summary>
public sealed class ProsodyPeer : IAsyncDisposable
{
    private readonly Peer _process;
    private readonly string _config;

    private ProsodyPeer(Peer process, string config, string domain, string address, int c2sPort, string log)
    {
        _process = process;
        _config = config;
        Domain = domain;
        Address = address;
        C2sPort = c2sPort;
        LogPath = log;
    }

    public string Domain { get; }
    public string Address { get; }
    public int C2sPort { get; }
    public string LogPath { get; }

    public string Log => File.Exists(LogPath) ? File.ReadAllText(LogPath) : "";

    public static async Task<ProsodyPeer> StartAsync(string dir, string domain, string address, IReadOnlyDictionary<string, string> hosts,
        (string Certificate, string Key) tls, string? caFile, bool secureAuth)
    {
        string prosody = Peer.Require("prosody", "prosody");
        var unbound = await Peer.RunAsync(Peer.Require("dpkg-query", "dpkg"), ["-W", "-f=${Status}", "lua-unbound"], TimeSpan.FromSeconds(30));
        Assert.True(unbound.Out.Contains("install ok installed", StringComparison.Ordinal),
            "Prosody needs lua-unbound to resolve the test domains from a hosts file: install the package 'lua-unbound'");
        string data = Path.Combine(dir, "prosody-data");
        Directory.CreateDirectory(data);
        string hostsFile = Path.Combine(dir, "hosts");
        await File.WriteAllTextAsync(hostsFile, string.Concat(hosts.Select(h => $"{h.Value} {h.Key}\n")));
        string resolv = Path.Combine(dir, "resolv.conf");
        // Nothing answers DNS there: every name comes from the hosts file.
        await File.WriteAllTextAsync(resolv, "nameserver 127.0.0.1\n");
        int c2s = TestNode.FreePorts(address, 1)[0];
        string log = Path.Combine(dir, "prosody.log");
        string config = Path.Combine(dir, "prosody.cfg.lua");
        await File.WriteAllTextAsync(config, $$"""
            run_as_root = true
            daemonize = false
            pidfile = "{{dir}}/prosody.pid"
            data_path = "{{data}}"
            plugin_paths = {}
            interfaces = { "{{address}}" }
            c2s_ports = { {{c2s}} }
            s2s_ports = { 5269 }
            log = { debug = "{{log}}" }
            authentication = "internal_hashed"
            storage = "internal"
            s2s_secure_auth = {{(secureAuth ? "true" : "false")}}
            s2s_require_encryption = true
            unbound = { hoststxt = "{{hostsFile}}"; resolvconf = "{{resolv}}" }
            modules_enabled = { "roster"; "saslauth"; "tls"; "disco"; "ping"; "presence"; "dialback"; "s2s" }
            ssl = { key = "{{tls.Key}}"; certificate = "{{tls.Certificate}}"{{(caFile is null ? "" : $"; cafile = \"{caFile}\"")}} }
            VirtualHost "{{domain}}"
            """);
        var process = Peer.Start(prosody, ["--config", config, "-F"]);
        var peer = new ProsodyPeer(process, config, domain, address, c2s, log);
        try
        {
            await Peer.WaitForPortAsync(address, 5269, TimeSpan.FromSeconds(20));
            await Peer.WaitForPortAsync(address, c2s, TimeSpan.FromSeconds(20));
        }
        catch
        {
            await peer.DisposeAsync();
            throw;
        }

        return peer;
    }

    public async Task AddUserAsync(string localpart, string password)
    {
        var result = await Peer.RunAsync(Peer.Require("prosodyctl", "prosody"), ["--config", _config, "register", localpart, Domain, password],
            TimeSpan.FromSeconds(30));
        Assert.True(result.ExitCode == 0, $"prosodyctl register {localpart}: {result}");
    }

    /// <summary>SIGKILL: the peer vanishes without closing its streams (a server losing power).</summary>
    public void Kill() => _process.Kill();

    public async ValueTask DisposeAsync() => await _process.DisposeAsync();
}

/// <summary>Runs federation_slixmpp.py scenarios and reads their JSON line.</summary>
public static class FederationClients
{
    /// <summary>The body of the message that ends a listener; sent last, so it arrives after anything else on its way.</summary>
    private const string EndOfTest = "end of test";

    public static async Task<JsonElement> RunAsync(string scenario, params object[] args)
    {
        var result = await Peer.PythonAsync("Federation/federation_slixmpp.py", [scenario, .. args.Select(a => a.ToString()!)], TimeSpan.FromSeconds(120));
        return ResultOf(scenario, result);
    }

    /// <summary>A client of <paramref name="account"/> that collects the messages it is sent; returned once it is online.</summary>
    public static async Task<Peer> ListenAsync(object[] account)
    {
        var listener = Peer.Start(Peer.Require(Peer.Python, "python3"),
            [Path.Combine(AppContext.BaseDirectory, "Federation/federation_slixmpp.py"), "listen", .. account.Select(a => a.ToString()!), EndOfTest]);
        await WaitForLineAsync(listener, "ready");
        return listener;
    }

    /// <summary>Waits until <paramref name="listener"/> has printed <paramref name="line"/> (a message it got is "got: BODY").</summary>
    public static async Task WaitForLineAsync(Peer listener, string line)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!listener.Out.Split('\n').Any(l => l.TrimEnd() == line))
        {
            Assert.False(listener.HasExited, $"the listener ended before it printed '{line}':\n{listener.Out}{listener.Error}");
            Assert.True(DateTime.UtcNow < deadline, $"the listener never printed '{line}':\n{listener.Out}{listener.Error}");
            await Task.Delay(50);
        }
    }

    /// <summary>
    /// Ends a listener: <paramref name="sender"/> sends it the last message, and the listener reports every message that
    /// arrived before that one (an assertion that something never arrives needs this barrier, never a wait).
    /// </summary>
    public static async Task<string[]> StopListeningAsync(Peer listener, object[] listenerAccount, object[] sender, string context)
    {
        AssertOk(await RunAsync("send", [.. sender, listenerAccount[2], EndOfTest]), "the last message to the listener", context);
        var result = ResultOf("listen", await listener.WaitAsync(TimeSpan.FromSeconds(60)));
        AssertOk(result, "the listener", context);
        return [.. result.GetProperty("messages").EnumerateArray().Select(m => m.GetString()!)];
    }

    private static JsonElement ResultOf(string scenario, PeerResult result)
    {
        string? line = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault(l => l.TrimStart().StartsWith('{'));
        Assert.True(line is not null, $"slixmpp {scenario} printed no result: {result}");
        return JsonDocument.Parse(line!).RootElement;
    }

    public static void AssertOk(JsonElement result, string what, string context)
    {
        Assert.True(result.GetProperty("ok").GetBoolean(),
            $"{what}: {(result.TryGetProperty("error", out var e) ? e.GetString() : "?")}\n{context}");
    }
}

/// <summary>`federation status` of a running node, read when it shows what the test waits for (the node rewrites it on its once-a-second tick).</summary>
public static class FederationStatus
{
    /// <summary>The status once every pattern matches it.</summary>
    public static async Task<string> WaitAsync(TestNode node, string context, params string[] patterns)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            (int code, string output, string error) = await node.VerbAsync("", "federation", "status");
            if (code == 0 && patterns.All(p => Regex.IsMatch(output, p)))
            {
                return output;
            }

            Assert.True(DateTime.UtcNow < deadline,
                $"federation status of {node.Domain} never showed {string.Join(" and ", patterns)}; it says ({code}):\n{output}{error}\n{context}");
            await Task.Delay(100);
        }
    }

    /// <summary>
    /// The status once the node has rewritten it after <paramref name="since"/>. A peer's stream that arrives later makes
    /// the node rewrite it on the next tick, so what is read then includes that stream (or shows it gone).
    /// </summary>
    public static async Task<string> RewrittenAfterAsync(TestNode node, DateTime since, string context)
    {
        string path = Path.Combine(node.DataDir, XmppModule.FederationStatusFile);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!File.Exists(path) || File.GetLastWriteTimeUtc(path) < since)
        {
            Assert.True(DateTime.UtcNow < deadline, $"federation status of {node.Domain} was not rewritten after {since:O}\n{context}");
            await Task.Delay(100);
        }

        (int code, string output, string error) = await node.VerbAsync("", "federation", "status");
        Assert.True(code == 0, $"federation status failed ({code}): {output}{error}");
        return output;
    }
}

/// <summary>Where each test server lives: distinct loopback addresses, each on the standard s2s port.</summary>
public static class FederationAddresses
{
    public const string ProsodyDomain = "p.test";
    public const string ProsodyAddress = "127.0.0.2";
    public const string EjabberdDomain = "e.test";
    public const string EjabberdAddress = "127.0.0.3";
    public const string NodeDomain = "n.test";
    public const string NodeAddress = "127.0.0.4";

    public static IReadOnlyDictionary<string, string> Hosts { get; } = new Dictionary<string, string>
    {
        [ProsodyDomain] = ProsodyAddress,
        [EjabberdDomain] = EjabberdAddress,
        [NodeDomain] = NodeAddress,
    };

    public static string Describe(TestNode node, ProsodyPeer? prosody)
    {
        var text = new StringBuilder();
        text.AppendLine("--- node stderr ---").AppendLine(node.ErrorOutput);
        if (prosody is not null)
        {
            string log = prosody.Log;
            text.AppendLine("--- prosody log (tail) ---").AppendLine(log.Length > 6000 ? log[^6000..] : log);
        }

        return text.ToString();
    }
}

/// <summary>Raw stanzas over a socket or TLS stream, for the tests that play a server by hand.</summary>
public static class RawStream
{
    public static async Task WriteAsync(Stream stream, string text)
    {
        await stream.WriteAsync(Encoding.UTF8.GetBytes(text));
        await stream.FlushAsync();
    }

    /// <summary>Reads until <paramref name="marker"/> has arrived; fails with what came (and the context) otherwise.</summary>
    public static async Task<string> ReadUntilAsync(Stream stream, string marker, string context)
    {
        var text = new StringBuilder();
        var buffer = new byte[8192];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!text.ToString().Contains(marker, StringComparison.Ordinal))
        {
            int n;
            try
            {
                n = await stream.ReadAsync(buffer, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"no {marker} from the node; got: {text}\n{context}");
                throw;
            }

            if (n == 0)
            {
                Assert.Fail($"the node closed the connection before {marker}; got: {text}\n{context}");
            }

            text.Append(Encoding.UTF8.GetString(buffer, 0, n));
        }

        return text.ToString();
    }
}
