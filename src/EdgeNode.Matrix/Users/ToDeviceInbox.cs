using System.Text.Json.Nodes;
using EdgeNode.Matrix.Storage;

namespace EdgeNode.Matrix.Users;

/// <summary>
/// The to-device messages waiting for each device (client-server API, "Send-to-Device messaging"). /sync hands
/// out at most <see cref="MaxPerSync"/> in order of arrival and names in its next_batch token the last one it
/// handed out; a message is deleted only when a later /sync presents that token, so what did not fit in one
/// response, or whose response was lost, comes in the next.
/// </summary>
public static class ToDeviceInbox
{
    /// <summary>The spec's recommended limit of to-device messages in one /sync response.</summary>
    public const int MaxPerSync = 100;

    /// <summary>Queues a message unless the device's queue is full; false when it was dropped.</summary>
    public static bool Enqueue(Db db, string userId, string deviceId, string sender, string type, string content, int maxPending)
    {
        var pending = (long)db.Scalar("SELECT count(*) FROM matrix_to_device WHERE user_id = $u AND device_id = $d", ("$u", userId), ("$d", deviceId))!;
        if (pending >= maxPending) return false;
        db.Execute("INSERT INTO matrix_to_device (stream, user_id, device_id, sender, type, content) VALUES ($s, $u, $d, $snd, $t, $c)",
            ("$s", db.NextStream()), ("$u", userId), ("$d", deviceId), ("$snd", sender), ("$t", type), ("$c", content));
        return true;
    }

    /// <summary>Deletes the messages a client acknowledged by syncing with a token that covered them.</summary>
    public static void Acknowledge(Db db, string userId, string deviceId, long upTo) =>
        db.Execute("DELETE FROM matrix_to_device WHERE user_id = $u AND device_id = $d AND stream <= $s", ("$u", userId), ("$d", deviceId), ("$s", upTo));

    /// <summary>
    /// The messages after <paramref name="after"/> up to <paramref name="to"/>, at most <paramref name="max"/>, and
    /// the position the next token must carry: that of the last message given when more wait, else <paramref name="to"/>.
    /// </summary>
    public static (JsonArray Events, long Position) Take(Db db, string userId, string deviceId, long after, long to, int max = MaxPerSync)
    {
        var events = new JsonArray();
        var position = to;
        using var query = db.Command("""
            SELECT stream, sender, type, content FROM matrix_to_device WHERE user_id = $u AND device_id = $d AND stream > $a AND stream <= $to
            ORDER BY stream LIMIT $n
            """, ("$u", userId), ("$d", deviceId), ("$a", after), ("$to", to), ("$n", max + 1));
        using var rows = query.ExecuteReader();
        long last = after;
        while (rows.Read())
        {
            if (events.Count == max)
            {
                position = last;
                break;
            }
            last = rows.GetInt64(0);
            events.Add((JsonNode)new JsonObject { ["sender"] = rows.GetString(1), ["type"] = rows.GetString(2), ["content"] = JsonNode.Parse(rows.GetString(3)) });
        }
        return (events, position);
    }
}
