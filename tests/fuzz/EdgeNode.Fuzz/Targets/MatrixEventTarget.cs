using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeNode.Matrix.Events;
using EdgeNode.Matrix.Json;

namespace EdgeNode.Fuzz.Targets;

/// <summary>
/// Matrix event (PDU) reading, redaction and hashing, for each supported room version. Properties: redaction is
/// idempotent; the event ID (the reference hash of the redacted event) is the same before and after redaction; an
/// event stamped with its content hash verifies.
/// </summary>
internal static class MatrixEventTarget
{
    private static readonly RoomVersion[] Versions = [RoomVersion.V10, RoomVersion.V11, RoomVersion.V12];

    public static FuzzTarget Target { get; } = new(Check, typeof(CanonicalJsonException), typeof(JsonException), typeof(FormatException));

    private static void Check(ReadOnlySpan<byte> input)
    {
        if (JsonNode.Parse(input) is not JsonObject json) return;
        Pdu pdu = Pdu.FromJson(json, eventId: "$fuzz");
        _ = pdu.IsState;
        RoomVersion version = Versions[input.Length % Versions.Length];
        JsonObject redacted = Redaction.Redact(json, version);
        JsonObject twice = Redaction.Redact(redacted, version);
        PropertyViolationException.ThrowIfNot(CanonicalJson.Serialize(twice).AsSpan().SequenceEqual(CanonicalJson.Serialize(redacted)),
            "redacting a redacted event changes it");
        PropertyViolationException.ThrowIfNot(EventHashing.ComputeEventId(json, version) == EventHashing.ComputeEventId(redacted, version),
            "redaction changes the event ID");
        PropertyViolationException.ThrowIfNot(EventHashing.HasValidContentHash(EventHashing.WithContentHash(json)),
            "an event stamped with its content hash does not verify");
    }
}
