using System.Text.Json.Nodes;
using EdgeNode.Core.Crypto;
using EdgeNode.Matrix.Json;
using EdgeNode.Matrix.Signing;
using EdgeNode.Matrix.Text;

namespace EdgeNode.Matrix.Auth;

/// <summary>
/// The signature test of a third-party invite (auth rule "If any signature in signed matches any public key
/// in the m.room.third_party_invite event, allow"): the (server, key ID) signatures of the signed block are
/// tried against the public keys the invite event published.
/// </summary>
/// <remarks>
/// Both lists come from events any room member may send, and this runs on every auth check of the invite,
/// state resolution included. So the signed bytes are made once, only well-formed keys and signatures are
/// tried, and only the first few of each: an identity server publishes one or two keys and signs once.
/// </remarks>
internal static class ThirdPartyInvites
{
    public const int MaxPublicKeys = 16;
    public const int MaxSignatures = 16;

    private const int Ed25519PublicKeyBytes = 32;

    public static bool AnySignatureMatches(JsonObject signed, JsonObject inviteContent)
    {
        List<byte[]> keys;
        try
        {
            CanonicalJson.ThrowIfDuplicateKeys(signed);
            keys = PublicKeys(inviteContent);
            if (keys.Count == 0 || signed[JsonSigning.SignaturesKey] is not JsonObject signatures) return false;
            CanonicalJson.ThrowIfDuplicateKeys(signatures);
            return AnyMatches(signed, signatures, keys);
        }
        catch (CanonicalJsonException)
        {
            return false;
        }
    }

    private static bool AnyMatches(JsonObject signed, JsonObject signatures, List<byte[]> keys)
    {
        byte[]? message = null;
        int tried = 0;
        foreach (var (server, byServer) in signatures)
        {
            if (byServer is not JsonObject keyIds) continue;
            CanonicalJson.ThrowIfDuplicateKeys(keyIds);
            foreach (var (keyId, _) in keyIds)
            {
                if (++tried > MaxSignatures) return false;
                if (!JsonSigning.TryGetSignature(signed, server, keyId, out byte[]? signature)) continue;
                if (message is null && !JsonSigning.TrySignedBytes(signed, out message)) return false;
                foreach (byte[] key in keys)
                    if (SigningKey.Verify(key, message, signature)) return true;
            }
        }
        return false;
    }

    private static List<byte[]> PublicKeys(JsonObject content)
    {
        CanonicalJson.ThrowIfDuplicateKeys(content);
        var keys = new List<byte[]>();
        AddKey(keys, content["public_key"]);
        if (content["public_keys"] is JsonArray list)
        {
            foreach (JsonNode? entry in list)
            {
                if (keys.Count == MaxPublicKeys) break;
                if (entry is not JsonObject o) continue;
                CanonicalJson.ThrowIfDuplicateKeys(o);
                AddKey(keys, o["public_key"]);
            }
        }
        return keys;
    }

    // Identity servers publish keys in either base64 alphabet. A key of the wrong size can match nothing.
    private static void AddKey(List<byte[]> keys, JsonNode? node)
    {
        if (node is not JsonValue v || !v.TryGetValue(out string? text)) return;
        if ((UnpaddedBase64.TryDecode(text, out byte[] key) || UnpaddedBase64.TryDecodeUrlSafe(text, out key))
            && key.Length == Ed25519PublicKeyBytes)
            keys.Add(key);
    }
}
