using System.Text.Json.Nodes;
using EdgeNode.Matrix.ClientApi;
using EdgeNode.Matrix.ClientApi.Handlers;
using EdgeNode.Matrix.Events;
using EdgeNode.Matrix.Storage;

namespace EdgeNode.Matrix.Bridge;

/// <summary>
/// The direct room of each pair of local people, where their conversation lives on Matrix whichever protocol each
/// of them writes from. One room per pair, kept in a table: made by the node on first contact from XMPP (as the
/// sender, who is joined; the recipient invited with <c>is_direct</c>; history <c>shared</c>, join rule
/// <c>invite</c>; listed in both people's <c>m.direct</c>), or a direct room a Matrix user made by inviting the other
/// person, when the pair had none. Every method runs inside the caller's write or read.
/// </summary>
internal sealed class PersonRooms(Homeserver server)
{
    /// <summary>The pair's room, or null.</summary>
    public static string? RoomOf(Db db, string userA, string userB)
    {
        var (a, b) = Ordered(userA, userB);
        return db.Scalar("SELECT room_id FROM matrix_person_rooms WHERE person_a = $a AND person_b = $b", ("$a", a), ("$b", b)) as string;
    }

    /// <summary>The other person of a pair room <paramref name="userId"/> belongs to, or null when it is no pair's room of theirs.</summary>
    public static string? OtherOf(Db db, string roomId, string userId)
    {
        using var query = db.Command("SELECT person_a, person_b FROM matrix_person_rooms WHERE room_id = $r", ("$r", roomId));
        using var rows = query.ExecuteReader();
        while (rows.Read())
        {
            if (rows.GetString(0) == userId) return rows.GetString(1);
            if (rows.GetString(1) == userId) return rows.GetString(0);
        }

        return null;
    }

    /// <summary>Makes <paramref name="roomId"/> the pair's room when the pair has none; returns whether it is the pair's room now.</summary>
    public static bool Adopt(Db db, string roomId, string userA, string userB)
    {
        var (a, b) = Ordered(userA, userB);
        db.Execute("INSERT INTO matrix_person_rooms (person_a, person_b, room_id) VALUES ($a, $b, $r) ON CONFLICT (person_a, person_b) DO NOTHING",
            ("$a", a), ("$b", b), ("$r", roomId));
        return RoomOf(db, a, b) == roomId;
    }

    /// <summary>Whether a local user is a person (an account), not a device the node speaks for.</summary>
    public bool IsPerson(string userId) => server.LocalPart(userId) is { } local && !server.IsDeviceLocalpart(local);

    /// <summary>
    /// A room the two people share that is direct (someone was invited into it with <c>is_direct</c>) and has no
    /// other members: such a room becomes the pair's when the pair has none. Null when the room is not one.
    /// </summary>
    public string? DirectPartner(Db db, string roomId, string userId)
    {
        using var query = db.Command("""
            SELECT state_key FROM matrix_current_state
            WHERE room_id = $r AND type = 'm.room.member' AND membership IN ('join', 'invite') LIMIT 3
            """, ("$r", roomId));
        string? other = null;
        bool mine = false;
        using (var rows = query.ExecuteReader())
        {
            while (rows.Read())
            {
                string member = rows.GetString(0);
                if (member == userId) mine = true;
                else if (other is null) other = member;
                else return null;
            }
        }

        if (!mine || other is null || !IsPerson(other)) return null;
        bool direct = db.Scalar("""
            SELECT 1 FROM matrix_events WHERE room_id = $r AND type = 'm.room.member' AND membership = 'invite'
            AND json_extract(json, '$.content.is_direct') = 1 LIMIT 1
            """, ("$r", roomId)) is not null;
        return direct && Adopt(db, roomId, userId, other) ? other : null;
    }

    /// <summary>
    /// The pair's room, ready for <paramref name="sender"/> to post into: made on first contact; the sender joined
    /// when only invited (the node acts for a person who only uses XMPP); the recipient invited again after leaving.
    /// A room the sender left (and cannot rejoin, being invite-only) is replaced by a new one.
    /// </summary>
    public string Ensure(Db db, string sender, string recipient)
    {
        string? room = RoomOf(db, sender, recipient);
        if (room is not null)
        {
            switch (server.Rooms.Membership(db, room, sender))
            {
                case "join":
                    break;
                case "invite":
                    server.Actions.Join(db, room, sender);
                    break;
                default:
                    room = null;
                    break;
            }
        }

        if (room is null)
        {
            return Create(db, sender, recipient);
        }

        if (server.Rooms.Membership(db, room, recipient) is null or "leave")
        {
            try
            {
                server.Actions.SetMembership(db, room, sender, recipient, "invite", isDirect: true);
            }
            catch (MatrixException)
            {
                // The room's rules keep the sender from inviting: the message is still kept in the room.
            }
        }

        return room;
    }

    private string Create(Db db, string creator, string invitee)
    {
        var version = server.DefaultRoomVersion;
        string room = server.Rooms.CreateRoom(db, version, creator, new JsonObject());
        server.Actions.SetMembership(db, room, creator, creator, "join");
        // Both people may do everything in their room, as in a direct chat a Matrix client makes.
        var users = new JsonObject { [invitee] = 100 };
        if (!version.CreatorsHaveInfinitePower) users[creator] = 100;
        server.Rooms.Send(db, room, creator, EventTypes.PowerLevels, "", new JsonObject
        {
            ["users"] = users,
            ["users_default"] = 0,
            ["events_default"] = 0,
            ["state_default"] = 50,
            ["invite"] = 50,
        });
        server.Rooms.Send(db, room, creator, EventTypes.JoinRules, "", new JsonObject { ["join_rule"] = "invite" });
        server.Rooms.Send(db, room, creator, "m.room.history_visibility", "", new JsonObject { ["history_visibility"] = "shared" });
        server.Actions.SetMembership(db, room, creator, invitee, "invite", isDirect: true);
        var (a, b) = Ordered(creator, invitee);
        db.Execute("""
            INSERT INTO matrix_person_rooms (person_a, person_b, room_id) VALUES ($a, $b, $r)
            ON CONFLICT (person_a, person_b) DO UPDATE SET room_id = $r
            """, ("$a", a), ("$b", b), ("$r", room));
        AddDirect(db, creator, invitee, room);
        AddDirect(db, invitee, creator, room);
        PersonBridgeLog.PairRoomCreated(server.Logger, creator, invitee, room);
        return room;
    }

    /// <summary>Lists the room in <paramref name="user"/>'s m.direct under <paramref name="other"/>, so clients show it as a direct chat.</summary>
    private static void AddDirect(Db db, string user, string other, string room)
    {
        var direct = db.Scalar("SELECT content FROM matrix_account_data WHERE user_id = $u AND room_id = '' AND type = 'm.direct'", ("$u", user)) is string json
            && JsonNode.Parse(json) is JsonObject existing ? existing : new JsonObject();
        if (direct[other] is not JsonArray rooms)
        {
            rooms = [];
            direct[other] = rooms;
        }

        foreach (var listed in rooms)
        {
            if (listed is JsonValue value && value.TryGetValue(out string? id) && id == room) return;
        }

        rooms.Add((JsonNode)JsonValue.Create(room));
        UserDataHandlers.SetAccountData(db, user, "", "m.direct", direct);
    }

    private static (string A, string B) Ordered(string x, string y) => string.CompareOrdinal(x, y) <= 0 ? (x, y) : (y, x);
}
