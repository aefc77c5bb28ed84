using EdgeNode.Core.Accounts;
using EdgeNode.Core.Addressing;
using EdgeNode.Core.Configuration;
using EdgeNode.Core.Devices;
using EdgeNode.Core.Routing;
using EdgeNode.Core.Storage;
using EdgeNode.Devices;
using EdgeNode.Devices.Wiring;
using EdgeNode.Mqtt.Messaging;
using EdgeNode.Xmpp;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Modules;

/// <summary>What devices as chat participants add to the node: the owners table, the registry, the adapters and the wiring service.</summary>
internal static class DevicesModule
{
    public static IEnumerable<MigrationSet> Migrations => [DeviceMigrations.Set];

    public static void AddServices(IServiceCollection services, NodeOptions options)
    {
        services.TryAddSingleton(_ => new Router(options.Node.Domain));
        services.AddSingleton(s => new DeviceOwnerStore(s.GetRequiredService<Store>()));
        services.AddSingleton(s =>
        {
            var accounts = new AccountStore(s.GetRequiredService<Store>());
            var domain = options.Node.Domain;
            // A name that is a user's account stays the user's (the registry renames the device).
            return new DeviceRegistry(localpart => Jid.TryParse(localpart + "@" + domain, out var jid) && accounts.Exists(jid),
                defaultAccess: () => DeviceChatService.AdminAccess(options));
        });
        services.AddSingleton(s => CreateGateway(options, s.GetRequiredService<DeviceRegistry>(), s.GetRequiredService<ILoggerFactory>()));
        if (options.Devices.Gpio.Pins.Count > 0)
        {
            services.AddSingleton(s => new GpioPinService(options.Devices.Gpio, s.GetRequiredService<DeviceRegistry>(),
                s.GetRequiredService<ILoggerFactory>().CreateLogger("EdgeNode.Devices.Gpio")));
            services.AddHostedService(s => s.GetRequiredService<GpioPinService>());
        }
        services.AddHostedService(s =>
        {
            var logger = s.GetRequiredService<ILoggerFactory>().CreateLogger("EdgeNode.Devices.Wiring");
            if (options.Devices.Subdomain is { } subdomain) DevicesLog.SubdomainNotWired(logger, subdomain, options.Node.Domain);
            return new DeviceChatService(options, s.GetRequiredService<Router>(), s.GetRequiredService<XmppServer>().RosterService,
                s.GetRequiredService<MqttMessageHub>(), s.GetRequiredService<DeviceRegistry>(), s.GetRequiredService<DeviceGateway>(),
                s.GetRequiredService<DeviceOwnerStore>(), logger, gpio: s.GetService<GpioPinService>());
        });
    }

    private static DeviceGateway CreateGateway(NodeOptions options, DeviceRegistry registry, ILoggerFactory logs)
    {
        var devices = options.Devices;
        var logger = logs.CreateLogger("EdgeNode.Devices");
        List<ConventionAdapter> adapters =
        [
            new TasmotaAdapter(registry, logger),
            new EspHomeAdapter(registry, logger, devices.HomeAssistantPrefix),
            new HaDiscoveryAdapter(registry, logger, devices.HomeAssistantPrefix),
            new Zigbee2MqttAdapter(registry, logger, devices.Zigbee2MqttBaseTopic),
            new HomieAdapter(registry, logger, devices.HomieRoot),
            new ShellyGen2Adapter(registry, logger, devices.ShellySimpleCommands),
        ];
        if (devices.ProfileFiles.Count > 0)
        {
            var profiles = new List<DeviceProfile>();
            var wiringLog = logs.CreateLogger("EdgeNode.Devices.Wiring");
            foreach (var file in devices.ProfileFiles)
            {
                var problems = new List<string>();
                profiles.AddRange(DeviceProfileReader.Read(File.ReadAllBytes(file), problems));
                foreach (var problem in problems) DevicesLog.ProfileProblem(wiringLog, file, problem);
            }
            adapters.Add(new ProfileAdapter(registry, logger, profiles));
        }
        return new DeviceGateway(adapters, logger);
    }
}
