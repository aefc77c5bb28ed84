using System.Text.Json.Nodes;
using EdgeNode.Matrix.Events;
using EdgeNode.Matrix.Storage;

namespace EdgeNode.Matrix.Rooms;

/// <summary>
/// Events in the client format (client-server API "Room event format"): the PDU's client-visible fields, content
/// redacted when a redaction applies, and unsigned data (age, transaction_id for the sending device, redacted_because).
/// </summary>
public static class ClientEvents
{
    public static JsonObject Format(Db db, RoomStore rooms, StoredEvent e, long now, string? viewerUser = null, string? viewerDevice = null, int depth = 0)
    {
        var version = rooms.TryVersionOf(db, e.RoomId) ?? RoomVersion.V12;
        var source = e.RedactedBy is null ? e.Pdu : Redaction.Redact(e.Pdu, version);
        var ts = source["origin_server_ts"]?.GetValue<long>() ?? now;
        var result = new JsonObject
        {
            ["content"] = source["content"]?.DeepClone() ?? new JsonObject(),
            ["event_id"] = e.EventId,
            ["origin_server_ts"] = ts,
            ["room_id"] = e.RoomId,
            ["sender"] = e.Sender,
            ["type"] = e.Type,
        };
        if (e.StateKey is not null) result["state_key"] = e.StateKey;
        if (e.Type == EventTypes.Redaction && e.RedactedBy is null)
        {
            var target = e.Pdu["redacts"]?.DeepClone() ?? e.Pdu["content"]?["redacts"]?.DeepClone();
            if (target is not null) result["redacts"] = target;
        }
        var unsigned = new JsonObject { ["age"] = Math.Max(0, now - ts) };
        if (e.TxnId is not null && viewerUser == e.Sender && viewerDevice == e.TxnDevice) unsigned["transaction_id"] = e.TxnId;
        if (e.RedactedBy is not null && depth == 0 && rooms.GetEvent(db, e.RedactedBy) is { } because)
            unsigned["redacted_because"] = Format(db, rooms, because, now, viewerUser, viewerDevice, depth + 1);
        result["unsigned"] = unsigned;
        return result;
    }

    /// <summary>Stripped state (type, state_key, sender, content) for invites and knocks.</summary>
    public static JsonObject Stripped(StoredEvent e) => new()
    {
        ["type"] = e.Type,
        ["state_key"] = e.StateKey ?? "",
        ["sender"] = e.Sender,
        ["content"] = e.Pdu["content"]?.DeepClone() ?? new JsonObject(),
    };

    public static readonly string[] StrippedStateTypes =
        ["m.room.create", "m.room.join_rules", "m.room.name", "m.room.avatar", "m.room.canonical_alias", "m.room.encryption", "m.room.topic"];
}
