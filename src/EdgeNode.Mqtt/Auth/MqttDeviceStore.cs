using EdgeNode.Core.Accounts;
using EdgeNode.Core.Storage;

namespace EdgeNode.Mqtt.Auth;

public sealed class DeviceExistsException(string name) : Exception($"the device {name} already exists");

public sealed class DeviceNotFoundException(string name) : Exception($"there is no device {name}");

/// <summary>
/// MQTT device accounts: one per MQTT user name, with a salted SCRAM-SHA-256 verifier (the same math as user
/// passwords, never the password itself) and extra ACL grants beyond the configured per-device default.
/// </summary>
public sealed class MqttDeviceStore(Store store)
{
    public const int MaxNameLength = 64;

    /// <summary>
    /// Lower-case letters, digits, '-', '_' and '.', starting with a letter or digit: the name is put into topic
    /// filters (so no '/', '+', '#') and will become the device's chat address (so it is a valid local part).
    /// </summary>
    public static bool IsValidName(string name, out string? problem)
    {
        problem = null;
        if (name.Length is 0 or > MaxNameLength)
        {
            problem = $"a device name has 1 to {MaxNameLength} characters";
            return false;
        }

        if (!char.IsAsciiLetterLower(name[0]) && !char.IsAsciiDigit(name[0]))
        {
            problem = "a device name starts with a lower-case letter or a digit";
            return false;
        }

        foreach (char c in name)
        {
            if (!char.IsAsciiLetterLower(c) && !char.IsAsciiDigit(c) && c is not ('-' or '_' or '.'))
            {
                problem = "a device name has only lower-case letters, digits, '-', '_' and '.'";
                return false;
            }
        }

        return true;
    }

    public void Add(string name, string password, int iterations = ScramCredential.DefaultIterations)
    {
        ScramCredential credential = ScramCredential.Create(ScramHash.Sha256, password, iterations);
        store.Write(tx =>
        {
            using var insert = tx.Command("INSERT INTO mqtt_devices (name, salt, iterations, stored_key, server_key, created_at) VALUES ($n, $s, $i, $k, $v, $t) ON CONFLICT DO NOTHING");
            insert.Parameters.AddWithValue("$n", name);
            insert.Parameters.AddWithValue("$s", credential.Salt);
            insert.Parameters.AddWithValue("$i", credential.Iterations);
            insert.Parameters.AddWithValue("$k", credential.StoredKey);
            insert.Parameters.AddWithValue("$v", credential.ServerKey);
            insert.Parameters.AddWithValue("$t", DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            if (insert.ExecuteNonQuery() == 0)
            {
                throw new DeviceExistsException(name);
            }
        });
    }

    public void SetPassword(string name, string password, int iterations = ScramCredential.DefaultIterations)
    {
        ScramCredential credential = ScramCredential.Create(ScramHash.Sha256, password, iterations);
        store.Write(tx =>
        {
            using var update = tx.Command("UPDATE mqtt_devices SET salt = $s, iterations = $i, stored_key = $k, server_key = $v WHERE name = $n");
            update.Parameters.AddWithValue("$n", name);
            update.Parameters.AddWithValue("$s", credential.Salt);
            update.Parameters.AddWithValue("$i", credential.Iterations);
            update.Parameters.AddWithValue("$k", credential.StoredKey);
            update.Parameters.AddWithValue("$v", credential.ServerKey);
            if (update.ExecuteNonQuery() == 0)
            {
                throw new DeviceNotFoundException(name);
            }
        });
    }

    public bool Remove(string name) => store.Write(tx =>
    {
        using var delete = tx.Command("DELETE FROM mqtt_devices WHERE name = $n");
        delete.Parameters.AddWithValue("$n", name);
        return delete.ExecuteNonQuery() > 0;
    });

    public bool Exists(string name) => store.Read(c =>
    {
        using var query = c.Command("SELECT 1 FROM mqtt_devices WHERE name = $n");
        query.Parameters.AddWithValue("$n", name);
        return query.ExecuteScalar() is not null;
    });

    public IReadOnlyList<string> List() => store.Read(c =>
    {
        using var query = c.Command("SELECT name FROM mqtt_devices ORDER BY name");
        using var rows = query.ExecuteReader();
        var result = new List<string>();
        while (rows.Read())
        {
            result.Add(rows.GetString(0));
        }

        return result;
    });

    /// <summary>Checks a device's password; false for an unknown device too (after the same work, so timing tells nothing).</summary>
    public bool Verify(string name, string password)
    {
        // No account can have such a password (PasswordRules refuses it when one is set): it is simply wrong, and
        // says nothing about whether the account exists.
        if (!PasswordRules.IsAcceptable(password, out _))
        {
            return false;
        }

        ScramCredential? credential = store.Read(c =>
        {
            using var query = c.Command("SELECT salt, iterations, stored_key, server_key FROM mqtt_devices WHERE name = $n");
            query.Parameters.AddWithValue("$n", name);
            using var row = query.ExecuteReader();
            return row.Read() ? new ScramCredential(ScramHash.Sha256, (byte[])row[0], row.GetInt32(1), (byte[])row[2], (byte[])row[3]) : null;
        });
        if (credential is null)
        {
            _ = ScramCredential.Create(ScramHash.Sha256, password);
            return false;
        }

        return credential.Matches(password);
    }

    /// <summary>Adds a grant; false when the device already had it.</summary>
    public bool Allow(string name, MqttAccessKind kind, string filter) => store.Write(tx =>
    {
        if (!Exists(tx, name))
        {
            throw new DeviceNotFoundException(name);
        }

        using var insert = tx.Command("INSERT INTO mqtt_acl (device, access, filter) VALUES ($n, $a, $f) ON CONFLICT DO NOTHING");
        insert.Parameters.AddWithValue("$n", name);
        insert.Parameters.AddWithValue("$a", KindName(kind));
        insert.Parameters.AddWithValue("$f", filter);
        return insert.ExecuteNonQuery() > 0;
    });

    /// <summary>Takes a grant back; false when the device did not have it.</summary>
    public bool Disallow(string name, MqttAccessKind kind, string filter) => store.Write(tx =>
    {
        if (!Exists(tx, name))
        {
            throw new DeviceNotFoundException(name);
        }

        using var delete = tx.Command("DELETE FROM mqtt_acl WHERE device = $n AND access = $a AND filter = $f");
        delete.Parameters.AddWithValue("$n", name);
        delete.Parameters.AddWithValue("$a", KindName(kind));
        delete.Parameters.AddWithValue("$f", filter);
        return delete.ExecuteNonQuery() > 0;
    });

    /// <summary>The grants stored for a device (beyond the configured default).</summary>
    public IReadOnlyList<(MqttAccessKind Kind, string Filter)> Grants(string name) => store.Read(c =>
    {
        using var query = c.Command("SELECT access, filter FROM mqtt_acl WHERE device = $n ORDER BY access, filter");
        query.Parameters.AddWithValue("$n", name);
        using var rows = query.ExecuteReader();
        var result = new List<(MqttAccessKind, string)>();
        while (rows.Read())
        {
            result.Add((rows.GetString(0) == "publish" ? MqttAccessKind.Publish : MqttAccessKind.Subscribe, rows.GetString(1)));
        }

        return result;
    });

    /// <summary>
    /// Gives <paramref name="name"/> the publish grant <paramref name="filter"/> unless another device holds it: the
    /// first to publish under a claimable filter keeps it (until an administrator takes it back with `device disallow`).
    /// True when the device holds it now.
    /// </summary>
    public bool TryClaim(string name, string filter) => store.Write(tx =>
    {
        using var holder = tx.Command("SELECT 1 FROM mqtt_acl WHERE access = 'publish' AND filter = $f AND device <> $n LIMIT 1");
        holder.Parameters.AddWithValue("$n", name);
        holder.Parameters.AddWithValue("$f", filter);
        if (holder.ExecuteScalar() is not null || !Exists(tx, name))
        {
            return false;
        }

        using var insert = tx.Command("INSERT INTO mqtt_acl (device, access, filter) VALUES ($n, 'publish', $f) ON CONFLICT DO NOTHING");
        insert.Parameters.AddWithValue("$n", name);
        insert.Parameters.AddWithValue("$f", filter);
        insert.ExecuteNonQuery();
        return true;
    });

    public static string KindName(MqttAccessKind kind) => kind == MqttAccessKind.Publish ? "publish" : "subscribe";

    private static bool Exists(Microsoft.Data.Sqlite.SqliteTransaction tx, string name)
    {
        using var query = tx.Command("SELECT 1 FROM mqtt_devices WHERE name = $n");
        query.Parameters.AddWithValue("$n", name);
        return query.ExecuteScalar() is not null;
    }
}
