using System.Security.Cryptography;
using System.Text;
using EdgeNode.Matrix.Storage;

namespace EdgeNode.Matrix.Users;

/// <summary>A logged-in device: who the access token belongs to.</summary>
public sealed record Session(string UserId, string DeviceId, byte[] TokenHash);

/// <summary>
/// Access tokens and devices. A token is 32 random bytes shown to the client once; the store keeps only its
/// SHA-256 (a random token needs no salt or slow hash: it cannot be guessed from its hash).
/// </summary>
public static class Sessions
{
    public static (string Token, string DeviceId) Create(Db db, string userId, string? deviceId, string? displayName, long now)
    {
        deviceId ??= RandomDeviceId();
        var token = "mat_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var exists = db.Scalar("SELECT 1 FROM matrix_devices WHERE user_id = $u AND device_id = $d", ("$u", userId), ("$d", deviceId)) is not null;
        if (exists)
        {
            // Logging in again with a device ID replaces that device's token (spec: /login device_id).
            db.Execute("DELETE FROM matrix_access_tokens WHERE user_id = $u AND device_id = $d", ("$u", userId), ("$d", deviceId));
            if (displayName is not null)
                db.Execute("UPDATE matrix_devices SET display_name = $n WHERE user_id = $u AND device_id = $d", ("$n", displayName), ("$u", userId), ("$d", deviceId));
        }
        else
        {
            db.Execute("INSERT INTO matrix_devices (user_id, device_id, display_name, created_at, last_seen_ts) VALUES ($u, $d, $n, $t, $t)",
                ("$u", userId), ("$d", deviceId), ("$n", displayName), ("$t", now));
            DeviceListChanged(db, userId);
        }
        db.Execute("INSERT INTO matrix_access_tokens (token_hash, user_id, device_id, created_at) VALUES ($h, $u, $d, $t)",
            ("$h", Hash(token)), ("$u", userId), ("$d", deviceId), ("$t", now));
        return (token, deviceId);
    }

    public static Session? Find(Db db, string token)
    {
        var hash = Hash(token);
        using var query = db.Command("SELECT user_id, device_id FROM matrix_access_tokens WHERE token_hash = $h", ("$h", hash));
        using var row = query.ExecuteReader();
        return row.Read() ? new Session(row.GetString(0), row.GetString(1), hash) : null;
    }

    /// <summary>Removes a device with its token, keys and pending to-device messages.</summary>
    public static void RemoveDevice(Db db, string userId, string deviceId)
    {
        foreach (var table in (ReadOnlySpan<string>)["matrix_access_tokens", "matrix_devices", "matrix_device_keys", "matrix_one_time_keys", "matrix_fallback_keys", "matrix_to_device"])
            db.Execute($"DELETE FROM {table} WHERE user_id = $u AND device_id = $d", ("$u", userId), ("$d", deviceId));
        DeviceListChanged(db, userId);
    }

    public static List<string> Devices(Db db, string userId)
    {
        using var query = db.Command("SELECT device_id FROM matrix_devices WHERE user_id = $u ORDER BY device_id", ("$u", userId));
        using var rows = query.ExecuteReader();
        var list = new List<string>();
        while (rows.Read()) list.Add(rows.GetString(0));
        return list;
    }

    /// <summary>Tells syncing clients (keys/changes, device_lists) that a user's devices or keys changed.</summary>
    public static void DeviceListChanged(Db db, string userId) =>
        db.Execute("INSERT INTO matrix_device_list_changes (stream, user_id) VALUES ($s, $u)", ("$s", db.NextStream()), ("$u", userId));

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    private static string RandomDeviceId() => RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 10);
}
