using EdgeNode.Cli;
using EdgeNode.Core.Accounts;
using EdgeNode.Core.Configuration;
using EdgeNode.Core.Storage;
using EdgeNode.Hosting;
using EdgeNode.Mqtt.Auth;
using EdgeNode.Mqtt.Bridge;
using EdgeNode.Mqtt.Broker;
using EdgeNode.Mqtt.Messaging;
using EdgeNode.Mqtt.Storage;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Modules;

/// <summary>What the MQTT broker adds to the node: its tables, its services and its connection handlers.</summary>
internal static class MqttModule
{
    public static IEnumerable<MigrationSet> Migrations => [MqttMigrations.Set];

    public static void AddServices(IServiceCollection services, NodeOptions options)
    {
        services.AddSingleton(_ => new MqttMessageHub());
        services.AddSingleton(s => new MqttBrokerStorage(s.GetRequiredService<Store>()));
        services.AddSingleton(s =>
        {
            var broker = new MqttBroker(options.Mqtt, s.GetRequiredService<MqttMessageHub>(),
                s.GetRequiredService<ILoggerFactory>().CreateLogger<MqttBroker>(),
                s.GetRequiredService<MqttBrokerStorage>(), new MqttDeviceStore(s.GetRequiredService<Store>()), s.GetRequiredService<LoginThrottle>());
            // Retained messages and persistent sessions are back before the first client can connect.
            broker.Load();
            return broker;
        });
        services.AddHostedService(s => new MqttBrokerService(s.GetRequiredService<MqttBroker>(), s.GetRequiredService<MqttBrokerStorage>(),
            s.GetRequiredService<IHostApplicationLifetime>(), "edgenode " + EdgeNodeCli.Version, s.GetRequiredService<ILogger<MqttBrokerService>>()));
        if (options.Mqtt.Upstream is { } upstream)
        {
            // What arrives from upstream goes to the hub and is published on the embedded broker as well.
            services.AddHostedService(s => new MqttBridgeService(upstream, s.GetRequiredService<MqttMessageHub>(), s.GetRequiredService<MqttBroker>(),
                s.GetRequiredService<ILogger<MqttBridgeService>>()));
        }
    }

    public static ConnectionHandler CreateHandler(ListenerPlan listener, NodeOptions options, IServiceProvider services) =>
        new MqttConnectionHandler(services.GetRequiredService<MqttBroker>());
}
