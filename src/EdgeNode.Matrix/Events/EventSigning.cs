using System.Text.Json.Nodes;
using EdgeNode.Core.Crypto;
using EdgeNode.Matrix.Signing;

namespace EdgeNode.Matrix.Events;

/// <summary>
/// Hashing and signing outgoing events and checking received ones (server-server spec "Signing Events"):
/// the signature covers the redacted event, which still carries the content hash, so a redacted copy keeps
/// a valid signature while the hash reveals whether the full content is intact.
/// </summary>
public static class EventSigning
{
    /// <summary>Returns a copy with hashes.sha256 and this server's signature added.</summary>
    public static JsonObject HashAndSign(JsonObject pdu, RoomVersion version, string serverName, SigningKey key)
    {
        JsonObject hashed = EventHashing.WithContentHash(pdu);
        string signature = JsonSigning.ComputeSignature(Redaction.Redact(hashed, version), key);
        JsonSigning.AddSignature(hashed, serverName, key.KeyId, signature);
        return hashed;
    }

    /// <summary>Checks the server's signature over the redacted form; works for full and redacted copies alike.</summary>
    public static bool VerifySignature(JsonObject pdu, RoomVersion version, string serverName, string keyId, ReadOnlySpan<byte> publicKey) =>
        JsonSigning.Verify(Redaction.Redact(pdu, version), serverName, keyId, publicKey);
}
