using System.Security.Cryptography;
using NSec.Cryptography;

namespace EdgeNode.Core.Crypto;

/// <summary>
/// The node's one signing-key type: an Ed25519 key with its key ID ("ed25519:" + version, as in Matrix signatures
/// objects), signing through NSec's bundled libsodium. A key is known by its 32-byte seed, which is what the store
/// persists; the secret key lives only in NSec's protected memory, imported with no export allowed, so nothing can
/// read it back out of this object.
/// </summary>
public sealed class SigningKey : IDisposable
{
    public const string Algorithm = "ed25519";
    public const int SeedLength = 32;
    public const int PublicKeyLength = 32;
    public const int SignatureLength = 64;

    private static readonly SignatureAlgorithm s_ed25519 = SignatureAlgorithm.Ed25519;

    private readonly Key _key;
    private readonly byte[] _publicKey;

    private SigningKey(string keyId, Key key)
    {
        KeyId = keyId;
        _key = key;
        _publicKey = key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
    }

    /// <summary>The key identifier, for example "ed25519:1".</summary>
    public string KeyId { get; }

    public ReadOnlySpan<byte> PublicKey => _publicKey;

    /// <summary>The key for a stored seed; the caller keeps (and zeroes) its seed buffer.</summary>
    public static SigningKey FromSeed(string keyId, ReadOnlySpan<byte> seed)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        if (!keyId.StartsWith(Algorithm + ":", StringComparison.Ordinal) || keyId.Length == Algorithm.Length + 1)
            throw new ArgumentException($"A key ID is \"{Algorithm}:<version>\", not \"{keyId}\".", nameof(keyId));
        if (seed.Length != SeedLength)
            throw new ArgumentException($"An Ed25519 seed is {SeedLength} bytes, not {seed.Length}.", nameof(seed));
        var key = Key.Import(s_ed25519, seed, KeyBlobFormat.RawPrivateKey,
            new KeyCreationParameters { ExportPolicy = KeyExportPolicies.None });
        return new SigningKey(keyId, key);
    }

    /// <summary>
    /// A new key from a fresh random seed, which is handed back once for the store to persist (libsodium makes
    /// its own keys the same way); the caller zeroes it after writing it.
    /// </summary>
    public static SigningKey Generate(string keyId, out byte[] seed)
    {
        seed = RandomNumberGenerator.GetBytes(SeedLength);
        return FromSeed(keyId, seed);
    }

    public void Sign(ReadOnlySpan<byte> message, Span<byte> signature)
    {
        if (signature.Length != SignatureLength)
            throw new ArgumentException($"An Ed25519 signature is {SignatureLength} bytes.", nameof(signature));
        s_ed25519.Sign(_key, message, signature);
    }

    public byte[] Sign(ReadOnlySpan<byte> message) => s_ed25519.Sign(_key, message);

    /// <summary>True when <paramref name="signature"/> is a valid Ed25519 signature of the message by the public key; false for any malformed input.</summary>
    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (publicKey.Length != PublicKeyLength || signature.Length != SignatureLength) return false;
        return NSec.Cryptography.PublicKey.TryImport(s_ed25519, publicKey, KeyBlobFormat.RawPublicKey, out var key)
            && s_ed25519.Verify(key!, message, signature);
    }

    public void Dispose() => _key.Dispose();
}
