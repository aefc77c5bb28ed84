using EdgeNode.Core.Addressing;
using EdgeNode.Core.Storage;
using Microsoft.Data.Sqlite;

namespace EdgeNode.Core.Accounts;

public sealed class AccountExistsException(string jid) : Exception($"the account {jid} already exists");
public sealed class AccountNotFoundException(string jid) : Exception($"there is no account {jid}");

/// <summary>Local accounts and their password verifiers. Every protocol that logs someone in asks this.</summary>
public sealed class AccountStore(Store store)
{
    private static readonly ScramHash[] Hashes = [ScramHash.Sha1, ScramHash.Sha256];

    public void Add(Jid jid, string password, int iterations = ScramCredential.DefaultIterations)
    {
        var key = KeyOf(jid);
        // Derive before taking the write lock: PBKDF2 is the slow part and needs no database.
        var credentials = Hashes.Select(h => ScramCredential.Create(h, password, iterations)).ToArray();
        store.Write(tx =>
        {
            using var insert = tx.Command("INSERT INTO accounts (jid, created_at) VALUES ($jid, $t) ON CONFLICT DO NOTHING");
            insert.Parameters.AddWithValue("$jid", key);
            insert.Parameters.AddWithValue("$t", DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            if (insert.ExecuteNonQuery() == 0) throw new AccountExistsException(key);
            SaveCredentials(tx, key, credentials);
        });
    }

    public void SetPassword(Jid jid, string password, int iterations = ScramCredential.DefaultIterations)
    {
        var key = KeyOf(jid);
        var credentials = Hashes.Select(h => ScramCredential.Create(h, password, iterations)).ToArray();
        store.Write(tx =>
        {
            if (!Exists(tx, key)) throw new AccountNotFoundException(key);
            SaveCredentials(tx, key, credentials);
        });
    }

    public bool Exists(Jid jid) => store.Read(c =>
    {
        using var query = c.Command("SELECT 1 FROM accounts WHERE jid = $jid");
        query.Parameters.AddWithValue("$jid", KeyOf(jid));
        return query.ExecuteScalar() is not null;
    });

    public IReadOnlyList<string> List() => store.Read(c =>
    {
        using var query = c.Command("SELECT jid FROM accounts ORDER BY jid");
        using var rows = query.ExecuteReader();
        var result = new List<string>();
        while (rows.Read()) result.Add(rows.GetString(0));
        return result;
    });

    public ScramCredential? GetCredential(Jid jid, ScramHash hash) => store.Read(c =>
    {
        using var query = c.Command("SELECT salt, iterations, stored_key, server_key FROM credentials WHERE jid = $jid AND mechanism = $m");
        query.Parameters.AddWithValue("$jid", KeyOf(jid));
        query.Parameters.AddWithValue("$m", ScramCredential.MechanismName(hash));
        using var row = query.ExecuteReader();
        if (!row.Read()) return null;
        return new ScramCredential(hash, (byte[])row[0], row.GetInt32(1), (byte[])row[2], (byte[])row[3]);
    });

    // Checked against when the account does not exist, so that a wrong name costs as long as a wrong password and
    // login timing does not tell which accounts exist.
    private static readonly ScramCredential Decoy = ScramCredential.Create(ScramHash.Sha256, "decoy-" + Guid.NewGuid());

    /// <summary>Checks a password against the stored SCRAM-SHA-256 verifier (for PLAIN and Matrix password login).</summary>
    public bool VerifyPassword(Jid jid, string password)
    {
        if (!PasswordRules.IsAcceptable(password, out _)) return false;
        var credential = GetCredential(jid, ScramHash.Sha256);
        var matches = (credential ?? Decoy).Matches(password);
        return credential is not null && matches;
    }

    internal static string KeyOf(Jid jid)
    {
        if (jid.Local is null) throw new ArgumentException($"'{jid}' names a server, not an account", nameof(jid));
        return jid.Bare.ToString();
    }

    private static bool Exists(SqliteTransaction tx, string key)
    {
        using var query = tx.Command("SELECT 1 FROM accounts WHERE jid = $jid");
        query.Parameters.AddWithValue("$jid", key);
        return query.ExecuteScalar() is not null;
    }

    private static void SaveCredentials(SqliteTransaction tx, string key, ScramCredential[] credentials)
    {
        foreach (var credential in credentials)
        {
            using var upsert = tx.Command("""
                INSERT INTO credentials (jid, mechanism, salt, iterations, stored_key, server_key)
                VALUES ($jid, $m, $salt, $i, $stored, $server)
                ON CONFLICT (jid, mechanism) DO UPDATE SET salt = $salt, iterations = $i, stored_key = $stored, server_key = $server
                """);
            upsert.Parameters.AddWithValue("$jid", key);
            upsert.Parameters.AddWithValue("$m", credential.Mechanism);
            upsert.Parameters.AddWithValue("$salt", credential.Salt);
            upsert.Parameters.AddWithValue("$i", credential.Iterations);
            upsert.Parameters.AddWithValue("$stored", credential.StoredKey);
            upsert.Parameters.AddWithValue("$server", credential.ServerKey);
            upsert.ExecuteNonQuery();
        }
    }
}
