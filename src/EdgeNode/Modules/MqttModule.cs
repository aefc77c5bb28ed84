using EdgeNode.Core.Configuration;
using EdgeNode.Core.Storage;
using EdgeNode.Hosting;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Modules;

/// <summary>What the MQTT broker adds to the node: its tables, its services and its connection handlers.</summary>
internal static class MqttModule
{
    public static IEnumerable<MigrationSet> Migrations => [];

    public static void AddServices(IServiceCollection services, NodeOptions options)
    {
    }

    public static ConnectionHandler CreateHandler(ListenerPlan listener, NodeOptions options, IServiceProvider services) =>
        new MqttUnavailableHandler(services.GetRequiredService<ILoggerFactory>().CreateLogger<MqttUnavailableHandler>());
}
