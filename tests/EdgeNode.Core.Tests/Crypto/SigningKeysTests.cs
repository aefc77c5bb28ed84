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
            var key = SigningKeys.LoadOrCreate(store, out var created);
            Assert.True(created);
            Assert.Matches("^ed25519:a_[a-f0-9]{6}$", key.KeyId);
            keyId = key.KeyId;
            publicKey = key.KeyPair.PublicKey.ToArray();
        }
        using (var store = Store.Open(dir.Path))
        {
            var key = SigningKeys.LoadOrCreate(store, out var created);
            Assert.False(created);
            Assert.Equal(keyId, key.KeyId);
            Assert.Equal(publicKey, key.KeyPair.PublicKey.ToArray());
            Assert.True(Ed25519.Verify(publicKey, "x"u8, key.KeyPair.Sign("x"u8)));
        }
    }
}
