using EdgeNode.Core.Storage;

namespace EdgeNode.Devices.Participants;

/// <summary>The "devices" tables: owners assigned to devices by chat address local part, and the devices seen so far.</summary>
public static class DeviceMigrations
{
    public static readonly MigrationSet Set = new("devices",
    [
        new(1, "device owners and the devices seen", """
            CREATE TABLE device_owners (
                localpart TEXT NOT NULL,
                owner     TEXT NOT NULL,
                PRIMARY KEY (localpart, owner)
            );
            CREATE TABLE devices_seen (
                localpart  TEXT PRIMARY KEY NOT NULL,
                convention TEXT NOT NULL,
                native_id  TEXT NOT NULL,
                name       TEXT NOT NULL,
                last_seen  INTEGER NOT NULL
            );
            """),
        new(2, "owners who may command (needed for owners on other servers)", """
            ALTER TABLE device_owners ADD COLUMN may_command INTEGER NOT NULL DEFAULT 0;
            """),
    ]);
}

/// <summary>
/// Who owns which device, kept by the device's address local part because that is the name people use (in chat
/// and in `edgenode device owner`). A device with no row here belongs to Node:Admins.
/// </summary>
/// <summary>A device as recorded in the list of devices the node has met.</summary>
public sealed record SeenDevice(string Localpart, string Convention, string NativeId, string Name);

public sealed class DeviceOwnerStore(Store store)
{
    public bool AddOwner(string localpart, string owner) => store.Write(tx =>
    {
        using var insert = tx.Command("INSERT OR IGNORE INTO device_owners (localpart, owner) VALUES ($l, $o)");
        insert.Parameters.AddWithValue("$l", localpart);
        insert.Parameters.AddWithValue("$o", owner);
        return insert.ExecuteNonQuery() == 1;
    });

    /// <summary>
    /// Lets an owner command the device. Local owners may anyway; an owner on another server may only read the
    /// device unless named so (a mistyped remote owner must not open the switch to a foreign server).
    /// </summary>
    public bool AllowCommands(string localpart, string owner) => store.Write(tx =>
    {
        using var upsert = tx.Command("INSERT INTO device_owners (localpart, owner, may_command) VALUES ($l, $o, 1) "
            + "ON CONFLICT (localpart, owner) DO UPDATE SET may_command = 1 WHERE may_command = 0");
        upsert.Parameters.AddWithValue("$l", localpart);
        upsert.Parameters.AddWithValue("$o", owner);
        return upsert.ExecuteNonQuery() == 1;
    });

    /// <summary>The owners allowed to command one device.</summary>
    public string[] CommandersOf(string localpart) => Owners(localpart, commandersOnly: true);

    private string[] Owners(string localpart, bool commandersOnly) => store.Read(c =>
    {
        using var query = c.Command("SELECT owner FROM device_owners WHERE localpart = $l AND (may_command = 1 OR NOT $c) ORDER BY owner");
        query.Parameters.AddWithValue("$l", localpart);
        query.Parameters.AddWithValue("$c", commandersOnly);
        using var rows = query.ExecuteReader();
        var owners = new List<string>();
        while (rows.Read()) owners.Add(rows.GetString(0));
        return owners.ToArray();
    });

    public bool RemoveOwner(string localpart, string owner) => store.Write(tx =>
    {
        using var delete = tx.Command("DELETE FROM device_owners WHERE localpart = $l AND owner = $o");
        delete.Parameters.AddWithValue("$l", localpart);
        delete.Parameters.AddWithValue("$o", owner);
        return delete.ExecuteNonQuery() == 1;
    });

    /// <summary>The owners assigned to one device's local part (empty when none: then Node:Admins own it).</summary>
    public string[] OwnersOf(string localpart) => Owners(localpart, commandersOnly: false);

    /// <summary>Every assignment, by local part (owners in order).</summary>
    /// <summary>The store's change marks (<see cref="Store.Version"/>): equal marks, nothing written since.</summary>
    public (long External, long Local) StoreVersion() => store.Version();

    public IReadOnlyDictionary<string, string[]> All() => Assignments("SELECT localpart, owner FROM device_owners ORDER BY localpart, owner");

    /// <summary>The owners allowed to command, by local part.</summary>
    public IReadOnlyDictionary<string, string[]> Commanders() =>
        Assignments("SELECT localpart, owner FROM device_owners WHERE may_command = 1 ORDER BY localpart, owner");

    private IReadOnlyDictionary<string, string[]> Assignments(string sql) => store.Read(c =>
    {
        using var query = c.Command(sql);
        using var rows = query.ExecuteReader();
        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        while (rows.Read())
        {
            var localpart = rows.GetString(0);
            if (!result.TryGetValue(localpart, out var owners)) result[localpart] = owners = [];
            owners.Add(rows.GetString(1));
        }
        return (IReadOnlyDictionary<string, string[]>)result.ToDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal);
    });

    public void Seen(string localpart, string convention, string nativeId, string name) => Seen([new SeenDevice(localpart, convention, nativeId, name)]);

    /// <summary>Records devices as seen now, all in one transaction.</summary>
    public void Seen(IReadOnlyList<SeenDevice> devices)
    {
        if (devices.Count == 0) return;
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        store.Write(tx =>
        {
            using var upsert = tx.Command("""
                INSERT INTO devices_seen (localpart, convention, native_id, name, last_seen) VALUES ($l, $c, $n, $d, $t)
                ON CONFLICT (localpart) DO UPDATE SET convention = $c, native_id = $n, name = $d, last_seen = $t
                """);
            var localpart = upsert.Parameters.Add("$l", Microsoft.Data.Sqlite.SqliteType.Text);
            var convention = upsert.Parameters.Add("$c", Microsoft.Data.Sqlite.SqliteType.Text);
            var nativeId = upsert.Parameters.Add("$n", Microsoft.Data.Sqlite.SqliteType.Text);
            var name = upsert.Parameters.Add("$d", Microsoft.Data.Sqlite.SqliteType.Text);
            upsert.Parameters.AddWithValue("$t", now);
            foreach (SeenDevice device in devices)
            {
                localpart.Value = device.Localpart;
                convention.Value = device.Convention;
                nativeId.Value = device.NativeId;
                name.Value = device.Name;
                upsert.ExecuteNonQuery();
            }
        });
    }

    /// <summary>When the node last recorded the device as seen, and as what ("Tasmota plug1"); null when never.</summary>
    public (string What, DateTimeOffset At)? LastSeen(string localpart) => store.Read(c =>
    {
        using var query = c.Command("SELECT convention, native_id, last_seen FROM devices_seen WHERE localpart = $l");
        query.Parameters.AddWithValue("$l", localpart);
        using var row = query.ExecuteReader();
        return row.Read() ? ($"{row.GetString(0)} {row.GetString(1)}", DateTimeOffset.FromUnixTimeSeconds(row.GetInt64(2))) : ((string, DateTimeOffset)?)null;
    });

    public bool WasSeen(string localpart) => store.Read(c =>
    {
        using var query = c.Command("SELECT 1 FROM devices_seen WHERE localpart = $l");
        query.Parameters.AddWithValue("$l", localpart);
        return query.ExecuteScalar() is not null;
    });
}
