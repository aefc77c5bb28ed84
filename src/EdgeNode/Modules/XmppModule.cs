using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using EdgeNode.Core.Accounts;
using EdgeNode.Core.Configuration;
using EdgeNode.Core.Crypto;
using EdgeNode.Core.Routing;
using EdgeNode.Core.Storage;
using EdgeNode.Core.Tls;
using EdgeNode.Hosting;
using EdgeNode.Core.Dns;
using EdgeNode.Xmpp;
using EdgeNode.Xmpp.Presence;
using EdgeNode.Xmpp.S2s;
using EdgeNode.Xmpp.Storage;
using EdgeNode.Xmpp.Streams;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Modules;

/// <summary>What the XMPP service adds to the node: its tables, its services and its connection handlers.</summary>
internal static class XmppModule
{
    public static IEnumerable<MigrationSet> Migrations => [XmppMigrations.Set];

    public static void AddServices(IServiceCollection services, NodeOptions options)
    {
        // The router belongs to the core; later modules (MQTT devices, Matrix users) take the same instance.
        services.TryAddSingleton(_ => new Router(options.Node.Domain));
        services.AddSingleton(sp =>
        {
            var server = new XmppServer(options.Node.Domain, options.Xmpp, sp.GetRequiredService<Store>(), sp.GetRequiredService<Router>(),
                sp.GetService<X509Certificate2>(), sp.GetRequiredService<ILoggerFactory>(),
                throttle: sp.GetRequiredService<LoginThrottle>(), presented: sp.GetService<ServerCertificate>());
            server.UseAccountRemoval(jid => sp.GetRequiredService<AccountRemoval>().Remove(jid));
            // The XMPP side of account presence: views from other protocols shown as <bare>/matrix to subscribers.
            sp.GetRequiredService<Router>().AddFrontEnd(new XmppPresenceFrontEnd(server));
            // A clean </stream:stream> with system-shutdown for every client as soon as the node begins to stop.
            sp.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(server.Shutdown);
            return server;
        });
        services.AddSingleton<IAccountHolder>(sp => new XmppAccountHolder(sp.GetRequiredService<XmppServer>()));

        // Federation (issue 6): the router's carrier for other domains, created at start so that it is in place
        // before the first stanza for a remote domain, even when the s2s port is switched off.
        services.AddSingleton(sp =>
        {
            var federation = new S2sService(sp.GetRequiredService<XmppServer>(), options.Federation, sp.GetService<X509Certificate2>(),
                sp.GetRequiredService<ILoggerFactory>(), DnsClient.FromSystem(), Path.Combine(options.Node.DataDir, FederationStatusFile),
                keys: DialbackKey.LoadOrCreate(DialbackSecretPath(options)), presented: sp.GetService<ServerCertificate>());
            sp.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(federation.Shutdown);
            return federation;
        });
        services.AddSingleton<IHostedService>(sp => new FederationStarter(sp.GetRequiredService<S2sService>()));
    }

    /// <summary>The file in the data directory where the running node keeps its s2s stream list (`federation status`).</summary>
    public const string FederationStatusFile = "federation-status.txt";

    /// <summary>The node's dialback secret (XEP-0185), shared by the running node and `federation check`.</summary>
    public static string DialbackSecretPath(NodeOptions options) => Path.Combine(options.Node.DataDir, "tls", "dialback.secret");

    private sealed class FederationStarter(S2sService federation) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => federation.StopAsync();
    }

    public static ConnectionHandler CreateHandler(ListenerPlan listener, NodeOptions options, IServiceProvider services)
    {
        if (listener.Protocol == ListenerProtocol.XmppClient)
        {
            return new C2sConnectionHandler(services.GetRequiredService<XmppServer>(), directTls: listener.Tls);
        }

        return new S2sConnectionHandler(services.GetRequiredService<S2sService>(), directTls: listener.Tls);
    }

    /// <summary>
    /// The TLS handshake of the XEP-0368 server-to-server listener: a client certificate is asked for, never
    /// required, and never fails the handshake; the s2s code judges it afterwards (SASL EXTERNAL or dialback).
    /// </summary>
    public static TlsHandshakeCallbackOptions DirectTlsHandshake(ServerCertificate certificate)
    {
        return new TlsHandshakeCallbackOptions
        {
            OnConnection = handshake => ValueTask.FromResult(S2sDirectTls.ServerOptions(certificate.SslContext, handshake.Connection)),
        };
    }
}
