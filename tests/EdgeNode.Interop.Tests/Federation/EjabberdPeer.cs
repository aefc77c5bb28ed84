using EdgeNode.Interop.Tests.Support;

namespace EdgeNode.Interop.Tests.Federation;

/// <summary>
/// ejabberd 23.01 from Debian as a federation peer, run straight on the Erlang VM (not through ejabberdctl, which would
/// switch to the ejabberd user and start epmd): its own domain, loopback address and data folder, names found through a
/// test DNS responder (ERL_INETRC, with /etc/resolv.conf switched off: Erlang would otherwise take its servers from it), a short retry delay, dialback on, and accounts registered at start.
/// </summary>
public sealed class EjabberdPeer : IAsyncDisposable
{
    private readonly Peer _process;

    private EjabberdPeer(Peer process, string domain, string address, int c2sPort, string log)
    {
        _process = process;
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

    public static async Task<EjabberdPeer> StartAsync(string dir, string domain, string address, SrvResponder dns,
        (string Certificate, string Key) tls, string caFile, IReadOnlyDictionary<string, string> users)
    {
        string erl = Peer.Require("/usr/bin/erl", "ejabberd");
        Assert.True(Directory.Exists("/usr/lib/x86_64-linux-gnu/ejabberd-23.01-1") || Directory.EnumerateDirectories("/usr/lib/x86_64-linux-gnu", "ejabberd-*").Any(),
            "the test peer ejabberd is not installed: install the package 'ejabberd' (./test.sh installs it when run as root)");
        string home = Path.Combine(dir, "ejabberd");
        string spool = Path.Combine(home, "spool");
        Directory.CreateDirectory(spool);
        string pem = Path.Combine(home, domain + ".pem");
        await File.WriteAllTextAsync(pem, await File.ReadAllTextAsync(tls.Certificate) + await File.ReadAllTextAsync(tls.Key));
        string inetrc = Path.Combine(home, "inetrc");
        var ip = dns.EndPoint.Address.GetAddressBytes();
        await File.WriteAllTextAsync(inetrc,
            $"{{resolv_conf, \"\"}}.\n{{lookup, [\"dns\"]}}.\n{{nameserver, {{{ip[0]},{ip[1]},{ip[2]},{ip[3]}}}, {dns.EndPoint.Port}}}.\n{{timeout, 500}}.\n{{retry, 1}}.\n");
        int c2s = TestNode.FreePorts(address, 1)[0];
        string log = Path.Combine(home, "ejabberd.log");
        string config = Path.Combine(home, "ejabberd.yml");
        await File.WriteAllTextAsync(config, $$"""
            loglevel: debug
            hosts:
              - {{domain}}
            certfiles:
              - "{{pem}}"
            ca_file: "{{caFile}}"
            listen:
              -
                port: {{c2s}}
                ip: "{{address}}"
                module: ejabberd_c2s
                starttls_required: true
              -
                port: 5269
                ip: "{{address}}"
                module: ejabberd_s2s_in
                max_stanza_size: 524288
            s2s_use_starttls: required
            s2s_dns_timeout: 2
            s2s_dns_retries: 1
            s2s_max_retry_delay: 5
            s2s_access: all
            auth_password_format: scram
            auth_method: internal
            access_rules:
              c2s:
                allow: all
              s2s:
                allow: all
            modules:
              mod_roster: {}
              mod_s2s_dialback: {}
              mod_disco: {}
              mod_ping: {}
            """);
        string register = string.Join(", ", users.Select(u => $"ejabberd_auth:try_register(<<\"{u.Key}\">>, <<\"{domain}\">>, <<\"{u.Value}\">>)"));
        var environment = new Dictionary<string, string>
        {
            ["EJABBERD_CONFIG_PATH"] = config,
            ["EJABBERD_LOG_PATH"] = log,
            ["ERL_INETRC"] = inetrc,
            ["ERL_LIBS"] = "/usr/lib/x86_64-linux-gnu",
            ["HOME"] = home,
        };
        var process = Peer.Start(erl,
            ["-noinput", "-noshell", "-mnesia", "dir", $"\"{spool}\"", "-s", "ejabberd", "-eval", $"io:format(\"test-accounts-registered ~p~n\", [[{register}]])"],
            environment, workingDirectory: home);
        var peer = new EjabberdPeer(process, domain, address, c2s, log);
        try
        {
            await Peer.WaitForPortAsync(address, 5269, TimeSpan.FromSeconds(60));
            await Peer.WaitForPortAsync(address, c2s, TimeSpan.FromSeconds(60));
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (!process.Out.Contains("test-accounts-registered", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }

            Assert.True(process.Out.Contains("test-accounts-registered [ok", StringComparison.Ordinal), $"ejabberd did not register the test accounts: {process.Out}{process.Error}");
        }
        catch
        {
            await peer.DisposeAsync();
            throw;
        }

        return peer;
    }

    public async ValueTask DisposeAsync() => await _process.DisposeAsync();
}
