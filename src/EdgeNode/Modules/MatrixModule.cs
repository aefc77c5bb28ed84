using EdgeNode.Core.Accounts;
using EdgeNode.Core.Configuration;
using EdgeNode.Core.Crypto;
using EdgeNode.Core.Routing;
using EdgeNode.Core.Devices;
using EdgeNode.Core.Storage;
using EdgeNode.Matrix;
using EdgeNode.Matrix.Bridge;
using EdgeNode.Matrix.ClientApi;
using EdgeNode.Matrix.Storage;
using EdgeNode.Matrix.Users;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Modules;

/// <summary>What the Matrix homeserver adds to the node: its tables, its services and its HTTP endpoints.</summary>
internal static class MatrixModule
{
    public static IEnumerable<MigrationSet> Migrations => [MatrixMigrations.Set];

    public static void AddServices(IServiceCollection services, NodeOptions options)
    {
        services.TryAddSingleton(_ => new Router(options.Node.Domain));
        services.AddSingleton(provider =>
        {
            var store = provider.GetRequiredService<Store>();
            // The node made its key at start-up (SigningKeys.LoadOrCreate) and owns it.
            var key = provider.GetRequiredService<SigningKey>();
            var logger = provider.GetRequiredService<ILoggerFactory>().CreateLogger("EdgeNode.Matrix");
            var server = new Homeserver(store, options, key, logger, throttle: provider.GetRequiredService<LoginThrottle>(),
                devices: provider.GetService<DeviceRegistry>());
            server.UseAccountRemoval(jid => provider.GetRequiredService<AccountRemoval>().Remove(jid));
            // Matrix is one front-end of the node's router: local accounts are reached through direct rooms.
            var router = provider.GetRequiredService<Router>();
            router.AddFrontEnd(new MatrixFrontEnd(server, router));
            return server;
        });
        services.AddSingleton<IAccountHolder>(provider => new MatrixAccountHolder(provider.GetRequiredService<Homeserver>()));
    }

    public static void MapEndpoints(WebApplication app)
    {
        var options = app.Services.GetRequiredService<NodeOptions>();
        var server = app.Services.GetRequiredService<Homeserver>();
        app.MapMatrixClientApi(server, options.Http.Port);
    }
}
