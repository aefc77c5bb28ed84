using EdgeNode.Core.Accounts;
using EdgeNode.Core.Addressing;
using EdgeNode.Core.Configuration;
using EdgeNode.Core.Devices;
using EdgeNode.Core.Participants;
using EdgeNode.Core.Routing;
using EdgeNode.Core.Storage;
using EdgeNode.Devices;
using EdgeNode.Devices.Participants;
using EdgeNode.Devices.Wiring;
using EdgeNode.Gpio.Pins;
using EdgeNode.Matrix;
using EdgeNode.Mqtt.Auth;
using EdgeNode.Mqtt.Broker;
using EdgeNode.Mqtt.Messaging;
using EdgeNode.Xmpp;
using EdgeNode.Xmpp.Participants;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Modules;

/// <summary>
/// What devices as chat participants add to the node: the owners table, the registry, the adapters, the wiring
/// service and the node's own participant.
/// </summary>
internal static class DevicesModule
{
    public static IEnumerable<MigrationSet> Migrations => [DeviceMigrations.Set];

    public static void AddServices(IServiceCollection services, NodeOptions options)
    {
        services.TryAddSingleton(_ => new Router(options.Node.Domain));
        services.AddSingleton(s => new DeviceOwnerStore(s.GetRequiredService<Store>()));
        // Devices and the node reach XMPP people's rosters and vCard queries through the XMPP library's directory.
        services.AddSingleton<IParticipantDirectory>(s => new XmppParticipantDirectory(s.GetRequiredService<XmppServer>().RosterService,
            s.GetRequiredService<Router>()));
        services.AddSingleton<IAccountHolder>(_ => new DeviceOwnerHolder());
        services.AddSingleton(s =>
        {
            var accounts = new AccountStore(s.GetRequiredService<Store>());
            var domain = options.Node.Domain;
            var nodeName = options.Devices.NodeParticipant;
            // A name that is a user's account (or the node's own) stays theirs (the registry renames the device); under
            // Devices:Subdomain devices have a domain of their own and clash with nobody.
            Func<string, bool> taken = options.Devices.Subdomain is not null
                ? _ => false
                : localpart => localpart == nodeName || (Jid.TryParse(localpart + "@" + domain, out var jid) && accounts.Exists(jid));
            // Owners assigned before a device is first seen apply from its first moment (its first reading, a
            // subscription request), not only once the device service catches up.
            var owners = s.GetRequiredService<DeviceOwnerStore>();
            return new DeviceRegistry(taken, defaultAccess: () => DeviceChatService.AdminAccess(options),
                assignedAccess: localpart => owners.OwnersOf(localpart) is { Length: > 0 } assigned
                    ? DeviceAccess.Assigned(assigned, owners.CommandersOf(localpart))
                    : null);
        });
        services.AddSingleton(s => CreateGateway(options, s.GetRequiredService<DeviceRegistry>(), s.GetRequiredService<ILoggerFactory>(),
            new BrokerTopicAccess(new MqttDeviceStore(s.GetRequiredService<Store>()), options.Mqtt)));
        if (options.Devices.Gpio.Pins.Count > 0)
        {
            services.AddSingleton(s => new GpioPinService(options.Devices.Gpio, s.GetRequiredService<DeviceRegistry>(),
                s.GetRequiredService<ILoggerFactory>().CreateLogger("EdgeNode.Devices.Gpio")));
            services.AddHostedService(s => s.GetRequiredService<GpioPinService>());
        }
        services.AddHostedService(s =>
        {
            var logger = s.GetRequiredService<ILoggerFactory>().CreateLogger("EdgeNode.Devices.Wiring");
            var broker = s.GetRequiredService<MqttBroker>();
            var service = new DeviceChatService(options, s.GetRequiredService<Router>(), s.GetRequiredService<IParticipantDirectory>(),
                new BrokerTopicBus(s.GetRequiredService<MqttMessageHub>(), broker.RetainedMessages), s.GetRequiredService<DeviceRegistry>(),
                s.GetRequiredService<DeviceGateway>(), s.GetRequiredService<DeviceOwnerStore>(), logger, gpio: s.GetService<GpioPinService>());
            // Devices are Matrix users too (Matrix is on when Http:Port is): the Matrix front-end on the router posts
            // what they say in their rooms, and routes what is written there to the addresses devices have here.
            if (options.Http.Port != 0 && s.GetService<Homeserver>()?.FrontEnd is { } matrix) matrix.Devices.DevicesDomain = service.DevicesDomain;
            return service;
        });
        if (options.Devices.NodeParticipant is not null) services.AddHostedService(s => CreateNodeParticipant(options, s));
    }

    private static NodeChatService CreateNodeParticipant(NodeOptions options, IServiceProvider s)
    {
        var store = s.GetRequiredService<Store>();
        var xmpp = s.GetRequiredService<XmppServer>();
        var broker = s.GetRequiredService<MqttBroker>();
        var registry = s.GetRequiredService<DeviceRegistry>();
        var router = s.GetRequiredService<Router>();
        var status = new NodeStatus("/", options.Node.DataDir, TimeProvider.System);
        var commands = new NodeCommands(s.GetRequiredService<DeviceOwnerStore>(), new BrokerDeviceGrants(new MqttDeviceStore(store)), registry,
            DeviceChatService.DomainOf(options, router.Domain), () =>
            {
                var devices = registry.All;
                return status.Report(new NodeCounts(xmpp.ConnectionCount, broker.Stats.Connected, MatrixSessions(store),
                    devices.Count, devices.Count(d => d.Availability == DeviceAvailability.Online)));
            });
        return new NodeChatService(options, router, s.GetRequiredService<IParticipantDirectory>(), commands.Execute,
            bare => Jid.TryParse(bare, out var jid) && xmpp.Accounts.Exists(jid), Cli.EdgeNodeCli.Version,
            s.GetRequiredService<ILoggerFactory>().CreateLogger("EdgeNode.Devices.Node"));
    }

    // Matrix clients poll over HTTP, so "connected" is their signed-in sessions (access tokens).
    private static int? MatrixSessions(Store store)
    {
        try
        {
            return store.Read(c =>
            {
                using var count = c.CreateCommand();
                count.CommandText = "SELECT count(*) FROM matrix_access_tokens";
                return Convert.ToInt32(count.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
            });
        }
        catch (SqliteException)
        {
            return null;
        }
    }

    private static DeviceGateway CreateGateway(NodeOptions options, DeviceRegistry registry, ILoggerFactory logs, IDeviceTopicAccess access)
    {
        var devices = options.Devices;
        var logger = logs.CreateLogger("EdgeNode.Devices");
        var admission = new DeviceAdmission(registry, new DeviceLimits
        {
            MaxPerAccount = devices.MaxPerAccount, MaxPerBridge = devices.MaxPerBridge, MaxPerNode = devices.MaxPerNode, NewPerMinute = devices.NewPerMinute,
        }, logger);
        List<ConventionAdapter> adapters =
        [
            new TasmotaAdapter(registry, logger) { TopicAccess = access, Admission = admission },
            new EspHomeAdapter(registry, logger, devices.HomeAssistantPrefix) { TopicAccess = access, Admission = admission },
            new HaDiscoveryAdapter(registry, logger, devices.HomeAssistantPrefix) { TopicAccess = access, Admission = admission },
            new Zigbee2MqttAdapter(registry, logger, devices.Zigbee2MqttBaseTopic) { TopicAccess = access, Admission = admission },
            new HomieAdapter(registry, logger, devices.HomieRoot) { TopicAccess = access, Admission = admission },
            new ShellyGen2Adapter(registry, logger, devices.ShellySimpleCommands) { TopicAccess = access, Admission = admission },
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
            adapters.Add(new ProfileAdapter(registry, logger, profiles) { TopicAccess = access, Admission = admission });
        }
        return new DeviceGateway(adapters, logger, access);
    }
}
