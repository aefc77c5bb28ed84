using EdgeNode.Core.Crypto;
using EdgeNode.Matrix.Text;

namespace EdgeNode.Matrix.Tests;

/// <summary>The signing keys of the spec's test vectors (shared/matrix/VECTORS.md).</summary>
internal static class TestKeys
{
    public const string SpecSeed = "YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1";
    public const string SpecPublicKey = "XGX0JRS2Af3be3knz2fBiRbApjm2Dh61gXDJA8kcJNI";

    public static SigningKey Spec() => SigningKey.FromSeed("ed25519:1", UnpaddedBase64.Decode(SpecSeed));
}
