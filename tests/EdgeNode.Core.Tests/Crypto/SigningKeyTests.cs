using EdgeNode.Core.Crypto;

namespace EdgeNode.Core.Tests.Crypto;

public class SigningKeyTests
{
    // The Matrix specification's test signing key (appendices, "Cryptographic test vectors").
    private static readonly byte[] Seed = Convert.FromBase64String("YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1=");

    // RFC 8032 section 7.1, TEST 1 (empty message).
    private static readonly byte[] RfcSeed = Convert.FromHexString("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");

    [Fact]
    public void FromSeed_SpecVector_DerivesPublicKey()
    {
        using var key = SigningKey.FromSeed("ed25519:1", Seed);
        Assert.Equal("XGX0JRS2Af3be3knz2fBiRbApjm2Dh61gXDJA8kcJNI=", Convert.ToBase64String(key.PublicKey));
        Assert.Equal("ed25519:1", key.KeyId);
    }

    [Fact]
    public void Sign_SpecVectorEmptyObject_GivesSpecSignature()
    {
        using var key = SigningKey.FromSeed("ed25519:1", Seed);
        var signature = key.Sign("{}"u8);
        Assert.Equal("K8280/U9SSy9IVtjBuVeLr+HpOB4BQFWbg+UZaADMtTdGYI7Geitb76LTrr5QV/7Xg4ahLwYGYZzuHGZKM5ZAQ==", Convert.ToBase64String(signature));
        Assert.True(SigningKey.Verify(key.PublicKey, "{}"u8, signature));
    }

    [Fact]
    public void Sign_Rfc8032Test1IntoSpan_GivesRfcSignature()
    {
        using var key = SigningKey.FromSeed("ed25519:rfc", RfcSeed);
        Span<byte> signature = stackalloc byte[SigningKey.SignatureLength];
        key.Sign([], signature);
        Assert.Equal("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", Convert.ToHexStringLower(key.PublicKey));
        Assert.Equal("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
            Convert.ToHexStringLower(signature));
    }

    [Fact]
    public void Verify_TamperedMessageOrSignature_IsFalse()
    {
        using var key = SigningKey.Generate("ed25519:x", out var seed);
        Assert.Equal(SigningKey.SeedLength, seed.Length);
        var signature = key.Sign("hello"u8);
        Assert.True(SigningKey.Verify(key.PublicKey, "hello"u8, signature));
        Assert.False(SigningKey.Verify(key.PublicKey, "hellp"u8, signature));
        signature[10] ^= 1;
        Assert.False(SigningKey.Verify(key.PublicKey, "hello"u8, signature));
        Assert.False(SigningKey.Verify(key.PublicKey[..31], "hello"u8, signature));
        Assert.False(SigningKey.Verify(key.PublicKey, "hello"u8, signature.AsSpan(0, 63)));
    }

    [Fact]
    public void Generate_ReturnedSeed_ReloadsTheSameKey()
    {
        using var made = SigningKey.Generate("ed25519:x", out var seed);
        using var reloaded = SigningKey.FromSeed("ed25519:x", seed);
        Assert.Equal(made.PublicKey.ToArray(), reloaded.PublicKey.ToArray());
        Assert.True(SigningKey.Verify(made.PublicKey, "m"u8, reloaded.Sign("m"u8)));
    }

    [Fact]
    public void FromSeed_WrongLength_Throws() =>
        Assert.Throws<ArgumentException>(() => SigningKey.FromSeed("ed25519:1", new byte[31]));

    [Theory]
    [InlineData("ed25519:")]
    [InlineData("curve25519:1")]
    [InlineData("1")]
    public void FromSeed_MalformedKeyId_Throws(string keyId) =>
        Assert.Throws<ArgumentException>(() => SigningKey.FromSeed(keyId, Seed));

    [Fact]
    public void Sign_AfterDispose_Throws()
    {
        var key = SigningKey.FromSeed("ed25519:1", Seed);
        key.Dispose();
        Assert.Throws<ObjectDisposedException>(() => key.Sign("x"u8));
    }
}
