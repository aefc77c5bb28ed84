using EdgeNode.Core.Crypto;

namespace EdgeNode.Core.Tests.Crypto;

public class Ed25519Tests
{
    // The Matrix specification's test signing key (appendices, "Cryptographic test vectors").
    private static readonly byte[] Seed = Convert.FromBase64String("YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1=");

    [Fact]
    public void FromSeed_SpecVector_DerivesPublicKey()
    {
        using var key = Ed25519KeyPair.FromSeed(Seed);
        Assert.Equal("XGX0JRS2Af3be3knz2fBiRbApjm2Dh61gXDJA8kcJNI=", Convert.ToBase64String(key.PublicKey));
    }

    [Fact]
    public void Sign_SpecVectorEmptyObject_GivesSpecSignature()
    {
        using var key = Ed25519KeyPair.FromSeed(Seed);
        var signature = key.Sign("{}"u8);
        Assert.Equal("K8280/U9SSy9IVtjBuVeLr+HpOB4BQFWbg+UZaADMtTdGYI7Geitb76LTrr5QV/7Xg4ahLwYGYZzuHGZKM5ZAQ==", Convert.ToBase64String(signature));
        Assert.True(Ed25519.Verify(key.PublicKey, "{}"u8, signature));
    }

    [Fact]
    public void Verify_TamperedMessageOrSignature_IsFalse()
    {
        using var key = Ed25519KeyPair.Generate(out _);
        var signature = key.Sign("hello"u8);
        Assert.False(Ed25519.Verify(key.PublicKey, "hellp"u8, signature));
        signature[10] ^= 1;
        Assert.False(Ed25519.Verify(key.PublicKey, "hello"u8, signature));
        Assert.False(Ed25519.Verify(key.PublicKey[..31], "hello"u8, signature));
        Assert.False(Ed25519.Verify(key.PublicKey, "hello"u8, signature.AsSpan(0, 63)));
    }

    [Fact]
    public void FromSeed_WrongLength_Throws() =>
        Assert.Throws<ArgumentException>(() => Ed25519KeyPair.FromSeed(new byte[31]));
}
