using EdgeNode.Core.Accounts;
using EdgeNode.Core.Storage;
using Microsoft.Data.Sqlite;

namespace EdgeNode.Matrix.Users;

/// <summary>
/// What Matrix keeps for an account: devices and their access tokens, keys, to-device messages, filters, account
/// data, presence and profile (deleted with the account), and room memberships (ended with a leave event once the
/// deletion is committed, so no later account of the same name finds itself in the old one's rooms). Events already
/// sent and uploaded media stay: they belong to the rooms' history. Without a homeserver (the command line) only
/// storage is touched; the node ends the memberships at start or as soon as it notices.
/// </summary>
public sealed class MatrixAccountHolder(Homeserver? server) : IAccountHolder
{
    private static readonly string[] UserTables =
    [
        "matrix_access_tokens", "matrix_devices", "matrix_txns", "matrix_account_data", "matrix_presence", "matrix_filters",
        "matrix_device_keys", "matrix_one_time_keys", "matrix_fallback_keys", "matrix_cross_signing_keys", "matrix_to_device",
        "matrix_profiles",
    ];

    public void DeleteData(SqliteTransaction tx, string account)
    {
        string userId = Homeserver.UserIdOfAccount(account);
        foreach (string table in UserTables)
        {
            using var delete = tx.Command($"DELETE FROM {table} WHERE user_id = $u");
            delete.Parameters.AddWithValue("$u", userId);
            delete.ExecuteNonQuery();
        }
    }

    public void EndLive(string account)
    {
        if (server is null)
        {
            return;
        }

        string userId = Homeserver.UserIdOfAccount(account);
        server.Write(db =>
        {
            var rooms = new List<string>();
            using (var query = db.Command("""
                SELECT room_id FROM matrix_current_state
                WHERE type = 'm.room.member' AND state_key = $u AND membership IN ('join', 'invite', 'knock')
                """, ("$u", userId)))
            using (var rows = query.ExecuteReader())
            {
                while (rows.Read()) rooms.Add(rows.GetString(0));
            }

            foreach (string room in rooms)
            {
                server.Actions.SetMembership(db, room, userId, userId, "leave");
            }

            // Clients that shared rooms with the user drop its devices' keys.
            if (rooms.Count > 0)
            {
                Sessions.DeviceListChanged(db, userId);
            }
        });
    }

    /// <summary>Local users who are still members of (or invited to, or knocking on) some room; device users, who
    /// have no account by design, are not among them.</summary>
    public IEnumerable<string> LiveAccounts()
    {
        if (server is null)
        {
            return [];
        }

        return server.Read(db =>
        {
            using var query = db.Command("""
                SELECT DISTINCT state_key FROM matrix_current_state
                WHERE type = 'm.room.member' AND membership IN ('join', 'invite', 'knock') AND state_key LIKE $pattern
                    AND state_key NOT IN (SELECT device FROM matrix_device_rooms)
                """, ("$pattern", "@%:" + server.ServerName));
            using var rows = query.ExecuteReader();
            var accounts = new List<string>();
            while (rows.Read())
            {
                if (server.LocalPart(rows.GetString(0)) is { } local && !server.IsDeviceLocalpart(local)) accounts.Add(server.AccountOf(rows.GetString(0))!);
            }

            return accounts;
        });
    }
}
