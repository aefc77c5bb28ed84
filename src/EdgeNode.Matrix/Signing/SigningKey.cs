using EdgeNode.Core.Crypto;
using EdgeNode.Matrix.Text;

namespace EdgeNode.Matrix.Signing;

/// <summary>A server's Ed25519 signing key with its key ID ("ed25519:" + version), as used in signatures objects.</summary>
public sealed class SigningKey : IDisposable
{
    public const string Algorithm = "ed25519";

    private readonly Ed25519KeyPair _keyPair;

    private SigningKey(string keyId, Ed25519KeyPair keyPair)
    {
        KeyId = keyId;
        _keyPair = keyPair;
        PublicKeyBase64 = UnpaddedBase64.Encode(keyPair.PublicKey);
    }

    /// <summary>The signing key identifier, for example "ed25519:1".</summary>
    public string KeyId { get; }

    public ReadOnlySpan<byte> PublicKey => _keyPair.PublicKey;

    public string PublicKeyBase64 { get; }

    public static SigningKey FromSeed(string keyId, ReadOnlySpan<byte> seed)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        if (!keyId.StartsWith(Algorithm + ":", StringComparison.Ordinal) || keyId.Length == Algorithm.Length + 1)
            throw new ArgumentException($"A key ID is \"{Algorithm}:<version>\", not \"{keyId}\".", nameof(keyId));
        return new SigningKey(keyId, Ed25519KeyPair.FromSeed(seed));
    }

    public byte[] Sign(ReadOnlySpan<byte> message) => _keyPair.Sign(message);

    public void Dispose() => _keyPair.Dispose();
}
