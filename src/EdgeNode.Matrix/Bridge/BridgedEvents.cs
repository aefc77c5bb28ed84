using EdgeNode.Matrix.Storage;

namespace EdgeNode.Matrix.Bridge;

/// <summary>
/// How the two protocols name the same message. An XMPP message that became an event keeps its XMPP id beside the
/// event id (room, event, XMPP id, sender), so that a correction, reply, reaction or displayed marker from either
/// side finds its target; a message written in Matrix reaches XMPP with the event id as its id, so XMPP clients
/// name it by that. Reactions are read from the room itself (the sender's unredacted m.annotation events).
/// </summary>
internal static class BridgedEvents
{
    public static void Remember(Db db, string roomId, string eventId, string xmppId, string sender)
    {
        if (xmppId.Length == 0) return;
        db.Execute("INSERT OR REPLACE INTO matrix_bridged_events (event_id, room_id, xmpp_id, sender) VALUES ($e, $r, $x, $s)",
            ("$e", eventId), ("$r", roomId), ("$x", xmppId), ("$s", sender));
    }

    /// <summary>
    /// The event an id from XMPP names in the room: an event id itself (a message written in Matrix), or the XMPP id
    /// of a message that became an event (the latest, the one sent by <paramref name="preferSender"/> first). Null
    /// when the room has no such message.
    /// </summary>
    public static string? EventOf(Db db, string roomId, string id, string? preferSender = null)
    {
        if (id.Length == 0) return null;
        if (id[0] == '$' && db.Scalar("SELECT 1 FROM matrix_events WHERE event_id = $e AND room_id = $r", ("$e", id), ("$r", roomId)) is not null)
        {
            return id;
        }

        return db.Scalar("""
            SELECT event_id FROM matrix_bridged_events WHERE room_id = $r AND xmpp_id = $x
            ORDER BY sender = $s DESC, rowid DESC LIMIT 1
            """, ("$r", roomId), ("$x", id), ("$s", preferSender ?? "")) as string;
    }

    /// <summary>The id XMPP knows an event by: the XMPP id of the message it came from, else the event id.</summary>
    public static string XmppIdOf(Db db, string eventId) =>
        db.Scalar("SELECT xmpp_id FROM matrix_bridged_events WHERE event_id = $e", ("$e", eventId)) as string ?? eventId;

    /// <summary>The sender's current reactions to an event: each unredacted annotation's event id and key, oldest first.</summary>
    public static List<(string EventId, string Key)> Reactions(Db db, string roomId, string sender, string target)
    {
        using var query = db.Command("""
            SELECT event_id, json_extract(json, '$.content."m.relates_to".key') FROM matrix_events
            WHERE room_id = $r AND type = 'm.reaction' AND sender = $s AND redacted_by IS NULL AND rejected = 0
            AND json_extract(json, '$.content."m.relates_to".rel_type') = 'm.annotation'
            AND json_extract(json, '$.content."m.relates_to".event_id') = $t
            ORDER BY stream
            """, ("$r", roomId), ("$s", sender), ("$t", target));
        using var rows = query.ExecuteReader();
        var list = new List<(string, string)>();
        while (rows.Read())
        {
            if (!rows.IsDBNull(1) && rows.GetValue(1) is string key) list.Add((rows.GetString(0), key));
        }

        return list;
    }

    /// <summary>The event a local user just stored in this write (Observe is told the content, not the id).</summary>
    public static string? JustStored(Db db, string roomId, string sender, string type) =>
        db.Scalar("SELECT event_id FROM matrix_events WHERE room_id = $r AND sender = $s AND type = $t ORDER BY stream DESC LIMIT 1",
            ("$r", roomId), ("$s", sender), ("$t", type)) as string;

    /// <summary>The sender and type of an event in a room, or null.</summary>
    public static (string Sender, string Type, string? RelatesTo)? Describe(Db db, string roomId, string eventId)
    {
        using var query = db.Command("""
            SELECT sender, type, json_extract(json, '$.content."m.relates_to".event_id') FROM matrix_events
            WHERE event_id = $e AND room_id = $r
            """, ("$e", eventId), ("$r", roomId));
        using var rows = query.ExecuteReader();
        if (!rows.Read()) return null;
        return (rows.GetString(0), rows.GetString(1), rows.IsDBNull(2) ? null : rows.GetValue(2) as string);
    }
}
