using EdgeNode.Core.Configuration;
using EdgeNode.Core.Crypto;
using EdgeNode.Core.Dns;
using EdgeNode.Core.Routing;
using EdgeNode.Core.Storage;
using EdgeNode.Modules;
using EdgeNode.Xmpp;
using EdgeNode.Xmpp.S2s;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeNode.Cli;

/// <summary>
/// `edgenode federation status`: the running node's server-to-server streams and how each authenticated;
/// `edgenode federation check DOMAIN`: resolve, connect, TLS, certificate and authentication with one domain, in words.
/// </summary>
public static class FederationCommands
{
    public static CommandLine? Parse(string[] words, string? configPath, List<string> overrides, out string? problem)
    {
        problem = null;
        switch (words.FirstOrDefault())
        {
            case "status" when words.Length == 1:
                return new CommandLine(Verb.FederationStatus, [], configPath, overrides);
            case "check" when words.Length == 2:
                return new CommandLine(Verb.FederationCheck, words[1..], configPath, overrides);
            case "status":
                problem = "federation status takes no arguments";
                return null;
            case "check":
                problem = "usage: federation check DOMAIN";
                return null;
            default:
                problem = "federation needs one of: status, check DOMAIN";
                return null;
        }
    }

    public static async Task<int> RunAsync(CommandLine command, NodeOptions options, CliIo io, CancellationToken stop)
    {
        if (command.Verb == Verb.FederationStatus)
        {
            string path = Path.Combine(options.Node.DataDir, XmppModule.FederationStatusFile);
            if (!File.Exists(path))
            {
                io.Out.WriteLine($"no status: the node is not running on {Path.GetFullPath(options.Node.DataDir)} (or has not started federation)");
                return ExitCodes.Failure;
            }

            io.Out.Write(await File.ReadAllTextAsync(path, stop));
            return ExitCodes.Ok;
        }

        return await CheckAsync(command.Arguments[0], options, io);
    }

    private static async Task<int> CheckAsync(string text, NodeOptions options, CliIo io)
    {
        if (!Core.Addressing.DomainName.TryNormalize(text, out string? domain, out string? problem) || domain is null)
        {
            io.Error.WriteLine($"edgenode: '{text}' is not a domain: {problem}");
            return ExitCodes.Usage;
        }

        var policy = new FederationPolicy(options.Federation);
        if (!policy.Allows(domain, out string reason))
        {
            io.Out.WriteLine($"policy: the node would refuse {domain}: {reason}; checking the connection anyway");
        }

        using var certificate = NodeCertificate.LoadOrCreate(options, out _);
        using var store = Store.Open(options.Node.DataDir, NodeModules.Migrations);
        var router = new Router(options.Node.Domain);
        using var xmpp = new XmppServer(options.Node.Domain, options.Xmpp, store, router, certificate, NullLoggerFactory.Instance);
        using var federation = new S2sService(xmpp, options.Federation, certificate, NullLoggerFactory.Instance, DnsClient.FromSystem(),
            keys: DialbackKey.LoadOrCreate(XmppModule.DialbackSecretPath(options)));
        S2sCheckResult result = await federation.CheckAsync(domain, TimeSpan.FromSeconds(40));
        await federation.StopAsync();

        io.Out.WriteLine($"resolve: {(result.Resolution.Length > 0 ? result.Resolution : "(not resolved)")}");
        if (result.Endpoint.Length > 0)
        {
            io.Out.WriteLine($"connect: {result.Endpoint}");
        }

        io.Out.WriteLine(result.Tls ? $"TLS: {result.TlsProtocol}" : "TLS: not established");
        if (result.Certificate is { } check)
        {
            io.Out.WriteLine(check.Valid
                ? $"certificate: valid for {domain}{(check.NotAfter is { } until ? $" until {until:yyyy-MM-dd}" : "")}"
                : $"certificate: {check.Problem} (SASL EXTERNAL is not possible; dialback is the fallback)");
        }

        if (result.Method is { } method)
        {
            io.Out.WriteLine($"authentication: {method} succeeded");
            io.Out.WriteLine($"federation with {domain} works");
            return ExitCodes.Ok;
        }

        io.Out.WriteLine($"authentication: failed: {result.Failure}");
        if (result.Failure?.Contains("dialback key", StringComparison.Ordinal) == true)
        {
            io.Out.WriteLine($"hint: {domain} checks dialback by connecting back to {options.Node.Domain} on port {options.Xmpp.S2sPort}: the node must be running and reachable there (DNS SRV _xmpp-server._tcp.{options.Node.Domain} or its A/AAAA record)");
        }

        return ExitCodes.Failure;
    }
}
