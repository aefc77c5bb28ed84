using EdgeNode.Core.Accounts;
using EdgeNode.Core.Storage;
using Microsoft.Data.Sqlite;

namespace EdgeNode.Devices.Participants;

/// <summary>
/// Device ownership of a removed account ends with it; a device left without owners belongs to Node:Admins again.
/// The running node's device service rereads the owners every second, so nothing live needs ending here.
/// </summary>
public sealed class DeviceOwnerHolder : IAccountHolder
{
    public void DeleteData(SqliteTransaction tx, string account)
    {
        using var delete = tx.Command("DELETE FROM device_owners WHERE owner = $o");
        delete.Parameters.AddWithValue("$o", account);
        delete.ExecuteNonQuery();
    }

    public void EndLive(string account)
    {
    }

    public IEnumerable<string> LiveAccounts() => [];
}
