using System.Text.Json.Nodes;
using EdgeNode.Matrix.Signing;
using EdgeNode.Matrix.Text;

namespace EdgeNode.Matrix.Auth;

/// <summary>
/// The signature test of a third-party invite (auth rule "If any signature in signed matches any public key
/// in the m.room.third_party_invite event, allow"): every (server, key ID) signature of the signed block is
/// tried against every public key the invite event published.
/// </summary>
internal static class ThirdPartyInvites
{
    public static bool AnySignatureMatches(JsonObject signed, JsonObject inviteContent)
    {
        List<byte[]> keys = PublicKeys(inviteContent);
        if (keys.Count == 0 || signed[JsonSigning.SignaturesKey] is not JsonObject signatures) return false;
        foreach (var (server, byServer) in signatures)
        {
            if (byServer is not JsonObject keyIds) continue;
            foreach (var (keyId, _) in keyIds)
            {
                foreach (byte[] key in keys)
                    if (JsonSigning.Verify(signed, server, keyId, key)) return true;
            }
        }
        return false;
    }

    private static List<byte[]> PublicKeys(JsonObject content)
    {
        var keys = new List<byte[]>();
        AddKey(keys, content["public_key"]);
        if (content["public_keys"] is JsonArray list)
        {
            foreach (JsonNode? entry in list)
                if (entry is JsonObject o) AddKey(keys, o["public_key"]);
        }
        return keys;
    }

    // Identity servers publish keys in either base64 alphabet.
    private static void AddKey(List<byte[]> keys, JsonNode? node)
    {
        if (node is not JsonValue v || !v.TryGetValue(out string? text)) return;
        if (UnpaddedBase64.TryDecode(text, out byte[] key) || UnpaddedBase64.TryDecodeUrlSafe(text, out key))
            keys.Add(key);
    }
}
