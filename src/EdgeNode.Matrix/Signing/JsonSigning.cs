using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Nodes;
using EdgeNode.Core.Crypto;
using EdgeNode.Matrix.Json;
using EdgeNode.Matrix.Text;

namespace EdgeNode.Matrix.Signing;

/// <summary>
/// Signing JSON (spec appendix "Signing JSON"): the signature covers the canonical JSON of the object
/// without "signatures" and "unsigned", so relays may add either without breaking it.
/// Every method leaves its input untouched and works on a copy.
/// </summary>
public static class JsonSigning
{
    public const string SignaturesKey = "signatures";
    public const string UnsignedKey = "unsigned";

    /// <summary>The bytes a signature covers: the canonical JSON of the object minus signatures and unsigned.</summary>
    public static byte[] SignedBytes(JsonObject value)
    {
        ArgumentNullException.ThrowIfNull(value);
        CanonicalJson.ThrowIfDuplicateKeys(value);
        var stripped = new JsonObject();
        foreach (var (key, node) in value)
        {
            if (key is SignaturesKey or UnsignedKey) continue;
            stripped[key] = node?.DeepClone();
        }
        return CanonicalJson.Serialize(stripped);
    }

    /// <summary>Returns the unpadded base64 signature of <paramref name="value"/> by <paramref name="key"/>.</summary>
    public static string ComputeSignature(JsonObject value, SigningKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return UnpaddedBase64.Encode(key.Sign(SignedBytes(value)));
    }

    /// <summary>Returns a copy of <paramref name="value"/> with the signature added under signatures[entity][key id].</summary>
    public static JsonObject Sign(JsonObject value, string entity, SigningKey key)
    {
        ArgumentException.ThrowIfNullOrEmpty(entity);
        string signature = ComputeSignature(value, key);
        var signed = (JsonObject)value.DeepClone();
        AddSignature(signed, entity, key.KeyId, signature);
        return signed;
    }

    /// <summary>Puts a signature into the object's signatures map, creating the maps it needs.</summary>
    public static void AddSignature(JsonObject target, string entity, string keyId, string signature)
    {
        if (target[SignaturesKey] is not JsonObject signatures)
        {
            signatures = new JsonObject();
            target[SignaturesKey] = signatures;
        }
        if (signatures[entity] is not JsonObject byEntity)
        {
            byEntity = new JsonObject();
            signatures[entity] = byEntity;
        }
        byEntity[keyId] = signature;
    }

    /// <summary>
    /// Checks that <paramref name="entity"/> signed the object with the given key (spec "Checking for a signature").
    /// False when the signature is missing, not base64, or does not verify.
    /// </summary>
    public static bool Verify(JsonObject value, string entity, string keyId, ReadOnlySpan<byte> publicKey)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!TryGetSignature(value, entity, keyId, out byte[]? signature)) return false;
        return TrySignedBytes(value, out byte[]? message) && SigningKey.Verify(publicKey, message, signature);
    }

    /// <summary>
    /// The ed25519 signature signatures[entity][keyId] decoded, when it is one: anything that is not exactly
    /// 64 bytes is refused here, before the object is canonicalised, so junk entries cost nothing.
    /// </summary>
    internal static bool TryGetSignature(JsonObject value, string entity, string keyId, [NotNullWhen(true)] out byte[]? signature)
    {
        signature = null;
        if (!keyId.StartsWith(SigningKey.Algorithm + ":", StringComparison.Ordinal)) return false;
        try
        {
            CanonicalJson.ThrowIfDuplicateKeys(value);
            if (value[SignaturesKey] is not JsonObject signatures) return false;
            CanonicalJson.ThrowIfDuplicateKeys(signatures);
            if (signatures[entity] is not JsonObject byEntity) return false;
            CanonicalJson.ThrowIfDuplicateKeys(byEntity);
            if (byEntity[keyId] is not JsonValue encoded || !encoded.TryGetValue(out string? text)) return false;
            if (text.Length != Ed25519SignatureBase64Length || !UnpaddedBase64.TryDecode(text, out byte[] decoded)
                || decoded.Length != Ed25519SignatureBytes) return false;
            signature = decoded;
            return true;
        }
        catch (CanonicalJsonException)
        {
            return false;
        }
    }

    /// <summary><see cref="SignedBytes"/>, or false when the object has no canonical form.</summary>
    internal static bool TrySignedBytes(JsonObject value, [NotNullWhen(true)] out byte[]? message)
    {
        try
        {
            message = SignedBytes(value);
            return true;
        }
        catch (CanonicalJsonException)
        {
            message = null;
            return false;
        }
    }

    private const int Ed25519SignatureBytes = 64;

    // 64 bytes in unpadded base64: 86 characters. Checked first so a long junk string is never decoded.
    private const int Ed25519SignatureBase64Length = 86;
}
