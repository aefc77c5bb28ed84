using EdgeNode.Core.Crypto;
using EdgeNode.Core.Storage;

namespace EdgeNode.Core.Tests.Crypto;

public class SigningKeysTests
{
    [Fact]
    public void LoadOrCreate_CreatesOnceThenReloadsTheSameKey()
    {
        using var dir = new TempDir();
        string keyId;
        byte[] publicKey;
        using (var store = Store.Open(dir.Path))
        {
            using var key = SigningKeys.LoadOrCreate(store, out var created);
            Assert.True(created);
            Assert.Matches("^ed25519:a_[a-f0-9]{6}$", key.KeyId);
            keyId = key.KeyId;
            publicKey = key.PublicKey.ToArray();
        }
        using (var store = Store.Open(dir.Path))
        {
            using var key = SigningKeys.LoadOrCreate(store, out var created);
            Assert.False(created);
            Assert.Equal(keyId, key.KeyId);
            Assert.Equal(publicKey, key.PublicKey.ToArray());
            Assert.True(SigningKey.Verify(publicKey, "x"u8, key.Sign("x"u8)));
        }
    }

    [Fact]
    public void LoadOrCreate_SeedStoredBeforeThisChange_LoadsUnchanged()
    {
        // A row as earlier builds wrote it: the raw 32-byte seed in `secret`, the public key beside it.
        using var dir = new TempDir();
        var seed = Convert.FromBase64String("YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1=");
        var storedPublic = Convert.FromBase64String("XGX0JRS2Af3be3knz2fBiRbApjm2Dh61gXDJA8kcJNI=");
        using var store = Store.Open(dir.Path);
        store.Write(tx =>
        {
            using var insert = tx.Command("INSERT INTO node_keys (purpose, key_id, secret, public, created_at) VALUES ('matrix-signing', 'ed25519:a_0abc12', $s, $pub, 1)");
            insert.Parameters.AddWithValue("$s", seed);
            insert.Parameters.AddWithValue("$pub", storedPublic);
            insert.ExecuteNonQuery();
        });
        using var key = SigningKeys.LoadOrCreate(store, out var created);
        Assert.False(created);
        Assert.Equal("ed25519:a_0abc12", key.KeyId);
        Assert.Equal(storedPublic, key.PublicKey.ToArray());
    }
}
