using EdgeNode.Matrix.Storage;

namespace EdgeNode.Matrix.Bridge;

/// <summary>The presence a user's room-mates see (matrix_presence), written as the union of the account's views.</summary>
internal static class PresenceRows
{
    /// <summary>
    /// Stores what Matrix shows of a user; a change of presence or status takes a stream position (syncs see it), a
    /// newer last-active time alone is kept quietly. Returns whether the shown presence changed.
    /// </summary>
    public static bool Store(Db db, string userId, ShownPresence shown)
    {
        string? oldPresence = null, oldStatus = null;
        using (var query = db.Command("SELECT presence, status_msg FROM matrix_presence WHERE user_id = $u", ("$u", userId)))
        using (var row = query.ExecuteReader())
        {
            if (row.Read())
            {
                oldPresence = row.GetString(0);
                oldStatus = row.IsDBNull(1) ? null : row.GetString(1);
            }
        }

        if (oldPresence == shown.Presence && oldStatus == shown.Status)
        {
            db.Execute("UPDATE matrix_presence SET last_active_ts = max(last_active_ts, $t) WHERE user_id = $u", ("$t", shown.LastActiveTs), ("$u", userId));
            return false;
        }

        db.Execute("""
            INSERT INTO matrix_presence (user_id, presence, status_msg, last_active_ts, stream) VALUES ($u, $p, $m, $t, $s)
            ON CONFLICT (user_id) DO UPDATE SET presence = $p, status_msg = $m, last_active_ts = $t, stream = $s
            """, ("$u", userId), ("$p", shown.Presence), ("$m", shown.Status), ("$t", shown.LastActiveTs), ("$s", db.NextStream()));
        return true;
    }
}
