using System.Security.Cryptography;
using System.Text.Json.Nodes;
using EdgeNode.Matrix.Json;
using EdgeNode.Matrix.Text;

namespace EdgeNode.Matrix.Events;

/// <summary>
/// Content hashes, reference hashes and the identifiers derived from them (server-server spec "Signing
/// Events"; room version pages "Event IDs"; room version 12 room IDs).
/// </summary>
public static class EventHashing
{
    /// <summary>SHA-256 over the canonical JSON of the whole event without unsigned, signatures and hashes.</summary>
    public static byte[] ContentHash(JsonObject pdu)
    {
        ArgumentNullException.ThrowIfNull(pdu);
        return SHA256.HashData(CanonicalJson.Serialize(Without(pdu, "unsigned", "signatures", "hashes")));
    }

    /// <summary>SHA-256 over the canonical JSON of the redacted event without signatures, age_ts and unsigned.</summary>
    public static byte[] ReferenceHash(JsonObject pdu, RoomVersion version)
    {
        JsonObject redacted = Redaction.Redact(pdu, version);
        return SHA256.HashData(CanonicalJson.Serialize(Without(redacted, "signatures", "age_ts", "unsigned")));
    }

    /// <summary>The event ID of room versions 4 and later: '$' and the URL-safe unpadded base64 reference hash.</summary>
    public static string ComputeEventId(JsonObject pdu, RoomVersion version) =>
        "$" + UnpaddedBase64.EncodeUrlSafe(ReferenceHash(pdu, version));

    /// <summary>The room ID of room version 12: the create event's ID with sigil '!' instead of '$'.</summary>
    public static string ComputeRoomId(JsonObject createEvent, RoomVersion version)
    {
        if (!version.RoomIdIsCreateEventHash)
            throw new InvalidOperationException($"Room version {version.Id} does not derive room IDs from the create event.");
        if (createEvent["type"]?.GetValueKind() != System.Text.Json.JsonValueKind.String
            || (string?)createEvent["type"] != "m.room.create")
            throw new ArgumentException("Only an m.room.create event defines a room ID.", nameof(createEvent));
        if (createEvent.ContainsKey("room_id"))
            throw new ArgumentException("A version 12 create event carries no room_id.", nameof(createEvent));
        return "!" + UnpaddedBase64.EncodeUrlSafe(ReferenceHash(createEvent, version));
    }

    /// <summary>The event ID of the create event of a version 12 room, given the room ID.</summary>
    public static string CreateEventIdOfRoom(string roomId) =>
        roomId.Length > 1 && roomId[0] == '!' ? "$" + roomId[1..] : throw new ArgumentException($"\"{roomId}\" is not a room ID.", nameof(roomId));

    /// <summary>Returns a copy with hashes.sha256 set to the content hash.</summary>
    public static JsonObject WithContentHash(JsonObject pdu)
    {
        string hash = UnpaddedBase64.Encode(ContentHash(pdu));
        var copy = (JsonObject)pdu.DeepClone();
        if (copy["hashes"] is not JsonObject hashes)
        {
            hashes = new JsonObject();
            copy["hashes"] = hashes;
        }
        hashes["sha256"] = hash;
        return copy;
    }

    /// <summary>True when hashes.sha256 matches the content; false means the event arrived redacted or altered.</summary>
    public static bool HasValidContentHash(JsonObject pdu)
    {
        try
        {
            CanonicalJson.ThrowIfDuplicateKeys(pdu);
        }
        catch (CanonicalJsonException)
        {
            return false;
        }
        if (pdu["hashes"] is not JsonObject hashes || hashes["sha256"] is not JsonValue value
            || !value.TryGetValue(out string? text) || !UnpaddedBase64.TryDecode(text, out byte[] expected))
            return false;
        byte[] actual;
        try
        {
            actual = ContentHash(pdu);
        }
        catch (CanonicalJsonException)
        {
            return false;
        }
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    private static JsonObject Without(JsonObject source, params ReadOnlySpan<string> drop)
    {
        CanonicalJson.ThrowIfDuplicateKeys(source);
        var result = new JsonObject();
        foreach (var (key, value) in source)
        {
            if (drop.Contains(key)) continue;
            result[key] = value?.DeepClone();
        }
        return result;
    }
}
