using EdgeNode.Core.Configuration;
using EdgeNode.Core.Storage;
using EdgeNode.Hosting;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Modules;

/// <summary>What the XMPP service adds to the node: its tables, its services and its connection handlers.</summary>
internal static class XmppModule
{
    public static IEnumerable<MigrationSet> Migrations => [];

    public static void AddServices(IServiceCollection services, NodeOptions options)
    {
    }

    public static ConnectionHandler CreateHandler(ListenerPlan listener, NodeOptions options, IServiceProvider services)
    {
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger<XmppUnavailableHandler>();
        var streamNamespace = listener.Protocol == ListenerProtocol.XmppServer ? "jabber:server" : "jabber:client";
        return new XmppUnavailableHandler(options.Node.Domain, streamNamespace, logger);
    }
}
