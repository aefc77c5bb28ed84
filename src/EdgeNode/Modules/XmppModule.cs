using System.Security.Cryptography.X509Certificates;
using EdgeNode.Core.Configuration;
using EdgeNode.Core.Routing;
using EdgeNode.Core.Storage;
using EdgeNode.Hosting;
using EdgeNode.Xmpp;
using EdgeNode.Xmpp.Storage;
using EdgeNode.Xmpp.Streams;
using Microsoft.AspNetCore.Connections;
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
                sp.GetService<X509Certificate2>(), sp.GetRequiredService<ILoggerFactory>());
            // A clean </stream:stream> with system-shutdown for every client as soon as the node begins to stop.
            sp.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(server.Shutdown);
            return server;
        });
    }

    public static ConnectionHandler CreateHandler(ListenerPlan listener, NodeOptions options, IServiceProvider services)
    {
        if (listener.Protocol == ListenerProtocol.XmppClient)
        {
            return new C2sConnectionHandler(services.GetRequiredService<XmppServer>(), directTls: listener.Tls);
        }

        // Federation (s2s) is a later issue: the port answers every stream with service-unavailable.
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger<XmppUnavailableHandler>();
        return new XmppUnavailableHandler(options.Node.Domain, "jabber:server", logger);
    }
}
