using System.Security.Cryptography;
using EdgeNode.Core.Storage;

namespace EdgeNode.Core.Crypto;

/// <summary>The node's Ed25519 key for signing Matrix events and federation requests. Its seed lives only in the database.</summary>
public sealed record SigningKey(string KeyId, Ed25519KeyPair KeyPair);

public static class SigningKeys
{
    private const string Purpose = "matrix-signing";

    /// <summary>Loads the current signing key, creating one on first start.</summary>
    public static SigningKey LoadOrCreate(Store store, out bool createdNow)
    {
        var existing = store.Read(c =>
        {
            using var query = c.Command("SELECT key_id, secret FROM node_keys WHERE purpose = $p ORDER BY created_at DESC LIMIT 1");
            query.Parameters.AddWithValue("$p", Purpose);
            using var row = query.ExecuteReader();
            return row.Read() ? (row.GetString(0), (byte[])row[1]) : default;
        });
        if (existing.Item1 is { } id)
        {
            createdNow = false;
            var pair = Ed25519KeyPair.FromSeed(existing.Item2);
            CryptographicOperations.ZeroMemory(existing.Item2);
            return new SigningKey(id, pair);
        }

        var keyPair = Ed25519KeyPair.Generate(out var seed);
        // Matrix key ids are "ed25519:" plus a version of [a-zA-Z0-9_]; a short random one keeps rotated keys apart.
        var keyId = "ed25519:a_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(3)).ToLowerInvariant();
        store.Write(tx =>
        {
            using var insert = tx.Command("INSERT INTO node_keys (purpose, key_id, secret, public, created_at) VALUES ($p, $id, $s, $pub, $t)");
            insert.Parameters.AddWithValue("$p", Purpose);
            insert.Parameters.AddWithValue("$id", keyId);
            insert.Parameters.AddWithValue("$s", seed);
            insert.Parameters.AddWithValue("$pub", keyPair.PublicKey.ToArray());
            insert.Parameters.AddWithValue("$t", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            insert.ExecuteNonQuery();
        });
        CryptographicOperations.ZeroMemory(seed);
        createdNow = true;
        return new SigningKey(keyId, keyPair);
    }

    /// <summary>
    /// The current key's ID and seed, for a protocol library that keeps its own signing-key type (the Matrix
    /// library). Call after <see cref="LoadOrCreate"/>; the caller zeroes the seed once it has derived its key.
    /// </summary>
    public static (string KeyId, byte[] Seed) LoadSeed(Store store) => store.Read(c =>
    {
        using var query = c.Command("SELECT key_id, secret FROM node_keys WHERE purpose = $p ORDER BY created_at DESC LIMIT 1");
        query.Parameters.AddWithValue("$p", Purpose);
        using var row = query.ExecuteReader();
        return row.Read() ? (row.GetString(0), (byte[])row[1]) : throw new InvalidOperationException("the node has no signing key yet");
    });

}
