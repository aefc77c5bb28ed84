using System.Text;
using EdgeNode.Core.Accounts;

namespace EdgeNode.Core.Tests.Accounts;

/// <summary>The stored keys must reproduce the example exchanges of RFC 5802 (SHA-1) and RFC 7677 (SHA-256).</summary>
public class ScramCredentialTests
{
    [Theory]
    // RFC 5802 section 5
    [InlineData(ScramHash.Sha1, "QSXCR+Q6sek8bf92", 4096,
        "n=user,r=fyko+d2lbbFgONRv9qkxdawL,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096,c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j",
        "v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=", "rmF9pqV8S7suAoZWja4dJRkFsKQ=")]
    // RFC 7677 section 3
    [InlineData(ScramHash.Sha256, "W22ZaJ0SNY7soEsUEjb6gQ==", 4096,
        "n=user,r=rOprNGfwEbeRWgbNEkqO,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0",
        "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=", "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")]
    public void Derive_RfcExample_ChecksClientProofAndGivesServerSignature(ScramHash hash, string salt, int iterations, string authMessage, string clientProof, string serverSignature)
    {
        var credential = ScramCredential.Derive(hash, "pencil", Convert.FromBase64String(salt), iterations);
        var message = Encoding.UTF8.GetBytes(authMessage);

        // The server holds only StoredKey: recover ClientKey from the proof and check it hashes to StoredKey.
        var clientSignature = ScramCredential.Hmac(hash, credential.StoredKey, message);
        var proof = Convert.FromBase64String(clientProof);
        var clientKey = proof.Zip(clientSignature, (a, b) => (byte)(a ^ b)).ToArray();
        Assert.Equal(credential.StoredKey, ScramCredential.Digest(hash, clientKey));

        Assert.Equal(serverSignature, Convert.ToBase64String(ScramCredential.Hmac(hash, credential.ServerKey, message)));
    }

    [Fact]
    public void Create_SamePasswordTwice_UsesDifferentSalts()
    {
        var a = ScramCredential.Create(ScramHash.Sha256, "pw", 4096);
        var b = ScramCredential.Create(ScramHash.Sha256, "pw", 4096);
        Assert.NotEqual(a.Salt, b.Salt);
        Assert.NotEqual(a.StoredKey, b.StoredKey);
        Assert.True(a.Matches("pw") && b.Matches("pw"));
    }
}
