using System.Security.Cryptography;
using EdgeNode.Core.Configuration;
using EdgeNode.Core.Crypto;
using EdgeNode.Core.Storage;
using EdgeNode.Matrix;
using EdgeNode.Matrix.ClientApi;
using EdgeNode.Matrix.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MatrixSigningKey = EdgeNode.Matrix.Signing.SigningKey;

namespace EdgeNode.Modules;

/// <summary>What the Matrix homeserver adds to the node: its tables, its services and its HTTP endpoints.</summary>
internal static class MatrixModule
{
    public static IEnumerable<MigrationSet> Migrations => [MatrixMigrations.Set];

    public static void AddServices(IServiceCollection services, NodeOptions options)
    {
        services.AddSingleton(provider =>
        {
            var store = provider.GetRequiredService<Store>();
            // The node made its key at start-up (SigningKeys.LoadOrCreate); the Matrix library keeps its own copy of it.
            var (keyId, seed) = SigningKeys.LoadSeed(store);
            MatrixSigningKey key;
            try { key = MatrixSigningKey.FromSeed(keyId, seed); }
            finally { CryptographicOperations.ZeroMemory(seed); }
            var logger = provider.GetRequiredService<ILoggerFactory>().CreateLogger("EdgeNode.Matrix");
            return new Homeserver(store, options, key, logger);
        });
    }

    public static void MapEndpoints(WebApplication app)
    {
        var options = app.Services.GetRequiredService<NodeOptions>();
        var server = app.Services.GetRequiredService<Homeserver>();
        app.MapMatrixClientApi(server, options.Http.Port);
    }
}
