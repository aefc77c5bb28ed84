using System.Text.Json.Nodes;

namespace EdgeNode.Matrix.Rooms;

/// <summary>An event as stored: its PDU (signed, as federation will send it) and what the node keeps beside it.</summary>
public sealed record StoredEvent(long Stream, string EventId, string RoomId, string Type, string? StateKey, string Sender,
    JsonObject Pdu, string? RedactedBy, string? TxnDevice, string? TxnId)
{
    public bool IsState => StateKey is not null;
}
