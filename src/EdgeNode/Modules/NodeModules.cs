using EdgeNode.Core.Accounts;
using EdgeNode.Core.Storage;
using EdgeNode.Devices.Participants;
using EdgeNode.Matrix.Users;
using EdgeNode.Xmpp;

namespace EdgeNode.Modules;

/// <summary>The schema of the whole node: the core's tables and every protocol module's.</summary>
internal static class NodeModules
{
    public static IReadOnlyList<MigrationSet> Migrations =>
        [CoreMigrations.Set, .. XmppModule.Migrations, .. MqttModule.Migrations, .. MatrixModule.Migrations, .. DevicesModule.Migrations];

    /// <summary>
    /// Every module's account data, for removing an account without a running node (the command line). The running
    /// node registers the same holders with its live services (each module's AddServices).
    /// </summary>
    public static IAccountHolder[] StoredAccountHolders() =>
        [new XmppAccountHolder(null), new MatrixAccountHolder(null), new DeviceOwnerHolder()];
}
