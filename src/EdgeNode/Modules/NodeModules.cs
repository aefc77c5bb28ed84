using EdgeNode.Core.Storage;

namespace EdgeNode.Modules;

/// <summary>The schema of the whole node: the core's tables and every protocol module's.</summary>
internal static class NodeModules
{
    public static IReadOnlyList<MigrationSet> Migrations =>
        [CoreMigrations.Set, .. XmppModule.Migrations, .. MqttModule.Migrations, .. MatrixModule.Migrations, .. DevicesModule.Migrations];
}
