using System.Security.Cryptography;
using EdgeNode.Core.Storage;

namespace EdgeNode.Core.Crypto;

/// <summary>The node's Matrix signing key in the store: its seed lives only in the database.</summary>
public static class SigningKeys
{
    private const string Purpose = "matrix-signing";

    /// <summary>Loads the current signing key, creating one on first start. The caller owns (and disposes) the key.</summary>
    public static SigningKey LoadOrCreate(Store store, out bool createdNow)
    {
        var (existingId, existingSeed) = store.Read(c =>
        {
            using var query = c.Command("SELECT key_id, secret FROM node_keys WHERE purpose = $p ORDER BY created_at DESC LIMIT 1");
            query.Parameters.AddWithValue("$p", Purpose);
            using var row = query.ExecuteReader();
            return row.Read() ? (row.GetString(0), (byte[])row[1]) : default;
        });
        if (existingId is not null)
        {
            createdNow = false;
            try { return SigningKey.FromSeed(existingId, existingSeed); }
            finally { CryptographicOperations.ZeroMemory(existingSeed); }
        }

        // Matrix key ids are "ed25519:" plus a version of [a-zA-Z0-9_]; a short random one keeps rotated keys apart.
        var keyId = SigningKey.Algorithm + ":a_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(3)).ToLowerInvariant();
        var key = SigningKey.Generate(keyId, out var seed);
        try
        {
            store.Write(tx =>
            {
                using var insert = tx.Command("INSERT INTO node_keys (purpose, key_id, secret, public, created_at) VALUES ($p, $id, $s, $pub, $t)");
                insert.Parameters.AddWithValue("$p", Purpose);
                insert.Parameters.AddWithValue("$id", keyId);
                insert.Parameters.AddWithValue("$s", seed);
                insert.Parameters.AddWithValue("$pub", key.PublicKey.ToArray());
                insert.Parameters.AddWithValue("$t", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                insert.ExecuteNonQuery();
            });
        }
        catch
        {
            key.Dispose();
            throw;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
        createdNow = true;
        return key;
    }
}
