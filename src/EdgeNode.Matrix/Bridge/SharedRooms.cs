using EdgeNode.Matrix.Storage;

namespace EdgeNode.Matrix.Bridge;

/// <summary>
/// Which rooms two users share, from the current membership (matrix_current_state): a member is joined or invited.
/// Presence and typing need no more than that; the people's direct-room table is the conversations' own.
/// </summary>
internal static class SharedRooms
{
    /// <summary>Whether both users are members (joined or invited) of at least one common room.</summary>
    public static bool Any(Db db, string userA, string userB) => db.Scalar("""
        SELECT 1 FROM matrix_current_state a
        JOIN matrix_current_state b ON b.room_id = a.room_id AND b.type = 'm.room.member' AND b.state_key = $b
        WHERE a.type = 'm.room.member' AND a.state_key = $a AND a.membership IN ('join', 'invite') AND b.membership IN ('join', 'invite')
        LIMIT 1
        """, ("$a", userA), ("$b", userB)) is not null;

    /// <summary>
    /// The room whose members are exactly the two users (the most recently active one when there are several), or null.
    /// </summary>
    public static string? OfPair(Db db, string userA, string userB) => db.Scalar("""
        SELECT a.room_id FROM matrix_current_state a
        JOIN matrix_current_state b ON b.room_id = a.room_id AND b.type = 'm.room.member' AND b.state_key = $b
        WHERE a.type = 'm.room.member' AND a.state_key = $a AND a.membership IN ('join', 'invite') AND b.membership IN ('join', 'invite')
          AND (SELECT count(*) FROM matrix_current_state c
               WHERE c.room_id = a.room_id AND c.type = 'm.room.member' AND c.membership IN ('join', 'invite')) = 2
        ORDER BY (SELECT max(e.stream) FROM matrix_events e WHERE e.room_id = a.room_id) DESC
        LIMIT 1
        """, ("$a", userA), ("$b", userB)) as string;

    /// <summary>The other member of a room that has exactly two members, one of them <paramref name="userId"/>; else null.</summary>
    public static string? OtherOfTwo(Db db, string roomId, string userId)
    {
        using var query = db.Command("""
            SELECT state_key FROM matrix_current_state
            WHERE room_id = $r AND type = 'm.room.member' AND membership IN ('join', 'invite') LIMIT 3
            """, ("$r", roomId));
        using var rows = query.ExecuteReader();
        string? other = null;
        bool self = false;
        int count = 0;
        while (rows.Read())
        {
            count++;
            string member = rows.GetString(0);
            if (member == userId) self = true;
            else other = member;
        }

        return count == 2 && self ? other : null;
    }
}
