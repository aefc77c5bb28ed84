using EdgeNode.Core.Configuration;
using EdgeNode.Core.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeNode.Modules;

/// <summary>What the Matrix homeserver adds to the node: its tables, its services and its HTTP endpoints.</summary>
internal static class MatrixModule
{
    public static IEnumerable<MigrationSet> Migrations => [];

    public static void AddServices(IServiceCollection services, NodeOptions options)
    {
    }

    public static void MapEndpoints(WebApplication app) => app.Run(MatrixPlaceholder.HandleAsync);
}
