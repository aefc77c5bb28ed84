using System.Text.Json.Nodes;
using EdgeNode.Core.Addressing;
using EdgeNode.Matrix.Auth;
using EdgeNode.Matrix.ClientApi;
using EdgeNode.Matrix.Events;
using EdgeNode.Matrix.Storage;
using EdgeNode.Matrix.Users;

namespace EdgeNode.Matrix.Rooms;

/// <summary>What local users do to rooms: create them, change memberships, send events. Each runs inside one write.</summary>
public sealed class RoomActions(Homeserver server)
{
    private RoomStore Rooms => server.Rooms;

    public static void RequireRoomId(string roomId)
    {
        if (roomId.Length < 2 || roomId[0] != '!' || roomId.Length > 255) throw MatrixException.InvalidParam($"'{roomId}' is not a room ID");
    }

    public static void RequireUserId(string userId)
    {
        if (!UserIds.IsValid(userId)) throw MatrixException.InvalidParam($"'{userId}' is not a user ID");
    }

    /// <summary>A local user who has an account here, or a device of the node; invites to other servers wait for federation.</summary>
    public void RequireKnownLocalUser(string userId)
    {
        RequireUserId(userId);
        var local = server.LocalPart(userId) ?? throw MatrixException.Forbidden($"{userId} is on another server, and this node does not federate yet");
        if (server.IsDeviceLocalpart(local)) return;
        if (!Jid.TryParse(local + "@" + server.ServerName, out var jid) || jid.Local is null || !server.Accounts.Exists(jid))
            throw MatrixException.NotFound($"Unknown user {userId}");
    }

    public StoredEvent SetMembership(Db db, string roomId, string sender, string target, string membership, string? reason = null, bool? isDirect = null)
    {
        var content = new JsonObject { ["membership"] = membership };
        if (membership is "join" or "invite" && server.LocalPart(target) is not null)
        {
            var (name, avatar) = Profiles.Get(db, target);
            if (name is not null) content["displayname"] = name;
            if (avatar is not null) content["avatar_url"] = avatar;
        }
        if (reason is not null) content["reason"] = reason;
        if (isDirect == true) content["is_direct"] = true;
        var stored = Rooms.Send(db, roomId, sender, EventTypes.Member, target, content);
        server.DeviceRooms.Observe(db, roomId, sender, EventTypes.Member, target, content);
        server.XmppOnlyInvites.Observe(db, roomId, sender, EventTypes.Member, target, content);
        server.FrontEnd?.Observe(db, roomId, sender, EventTypes.Member, target, content);
        return stored;
    }

    /// <summary>Joins a room by ID; joining a room one is already in answers with the current member event.</summary>
    public string Join(Db db, string roomId, string userId)
    {
        RequireRoomId(roomId);
        Rooms.VersionOf(db, roomId);
        if (Rooms.Membership(db, roomId, userId) == "join" && Rooms.CurrentStateEvent(db, roomId, EventTypes.Member, userId) is { } current)
            return current.EventId;
        var e = SetMembership(db, roomId, userId, userId, "join");
        db.Execute("DELETE FROM matrix_forgotten WHERE user_id = $u AND room_id = $r", ("$u", userId), ("$r", roomId));
        return e.EventId;
    }

    /// <summary>The room an alias names on this server.</summary>
    public string ResolveAlias(Db db, string alias) =>
        db.Scalar("SELECT room_id FROM matrix_aliases WHERE alias = $a", ("$a", alias)) as string
        ?? throw MatrixException.NotFound($"Room alias {alias} not found");

    /// <summary>Sends a message or state event as <paramref name="sender"/>; the room's rules decide.</summary>
    public StoredEvent Send(Db db, string roomId, string sender, string type, string? stateKey, JsonObject content,
        string? txnDevice = null, string? txnId = null)
    {
        RequireRoomId(roomId);
        if (type.Length is 0 or > 255) throw MatrixException.InvalidParam("The event type must be 1 to 255 characters");
        if (stateKey is { Length: > 255 }) throw MatrixException.InvalidParam("The state key is longer than 255 characters");
        if (type == EventTypes.Create) throw MatrixException.Forbidden("A room has one create event");
        if (type == EventTypes.Member && stateKey is not null)
        {
            RequireUserId(stateKey);
            if (stateKey != sender && JsonBody.OptString(content, "membership") is "invite" or "join") RequireKnownLocalUser(stateKey);
        }
        if (type == "m.room.canonical_alias" && stateKey == "")
        {
            foreach (var alias in new[] { JsonBody.OptString(content, "alias") }.Concat(JsonBody.StringList(JsonBody.OptArray(content, "alt_aliases"), "alt_aliases")))
                if (alias is not null && db.Scalar("SELECT room_id FROM matrix_aliases WHERE alias = $a", ("$a", alias)) as string != roomId)
                    throw new MatrixException(400, "M_BAD_ALIAS", $"{alias} does not point to this room");
        }
        if (type == EventTypes.Redaction)
        {
            var target = JsonBody.OptString(content, "redacts") ?? throw MatrixException.MissingParam("content.redacts is required");
            return Redact(db, roomId, sender, target, content, txnDevice, txnId);
        }
        var stored = Rooms.Send(db, roomId, sender, type, stateKey, content, txnDevice, txnId);
        server.DeviceRooms.Observe(db, roomId, sender, type, stateKey, content);
        server.XmppOnlyInvites.Observe(db, roomId, sender, type, stateKey, content);
        server.FrontEnd?.Observe(db, roomId, sender, type, stateKey, content);
        return stored;
    }

    /// <summary>
    /// Redacts an event: its sender may, and so may anyone at the room's redact level (room version pages,
    /// "Redactions": the check receiving servers apply before acting on a redaction).
    /// </summary>
    public StoredEvent Redact(Db db, string roomId, string sender, string eventId, JsonObject content, string? txnDevice, string? txnId)
    {
        var version = Rooms.VersionOf(db, roomId);
        var target = Rooms.GetEvent(db, eventId);
        if (target is null || target.RoomId != roomId) throw MatrixException.NotFound($"Event {eventId} not found");
        if (target.Sender != sender)
        {
            var state = Rooms.CurrentState(db, roomId);
            var create = Rooms.GetPdu(db, state[StateKey.Create])!;
            var levels = PowerLevels.From(state.TryGetValue(StateKey.PowerLevels, out var pl) ? Rooms.GetPdu(db, pl) : null, create, version);
            if (levels.UserLevel(sender) < levels.NamedLevel("redact")) throw MatrixException.Forbidden("You may not redact other people's events in this room");
        }
        if (version.Redaction == RedactionRules.V11) content["redacts"] = eventId;
        else content.Remove("redacts");
        var stored = Rooms.Send(db, roomId, sender, EventTypes.Redaction, null, content, txnDevice, txnId, redacts: eventId);
        server.FrontEnd?.Observe(db, roomId, sender, EventTypes.Redaction, null, new JsonObject { ["redacts"] = eventId });
        return stored;
    }

    /// <summary>
    /// How far into a room's state a user may read: all of it while joined or while the room is world_readable, up to
    /// the leave (or ban) after having been joined. Which events are visible is <see cref="HistoryVisibility"/>'s call.
    /// </summary>
    public long VisibleUntil(Db db, string roomId, string userId)
    {
        var visibility = HistoryVisibility.For(db, Rooms, roomId, userId);
        var member = Rooms.CurrentStateEvent(db, roomId, EventTypes.Member, userId);
        var membership = member?.Pdu["content"]?["membership"]?.GetValue<string>();
        if (membership == "join" || visibility.Current() == HistoryVisibility.WorldReadable) return long.MaxValue;
        if (membership is "leave" or "ban" && RoomStore.EverHadMembership(db, roomId, userId, "join")) return member!.Stream;
        throw MatrixException.Forbidden($"You are not in room {roomId}");
    }

    /// <summary>Updates the member event in every joined room after a profile change.</summary>
    public void RefreshMemberEvents(Db db, string userId)
    {
        using var query = db.Command("SELECT room_id FROM matrix_current_state WHERE type = 'm.room.member' AND state_key = $u AND membership = 'join'", ("$u", userId));
        var rooms = new List<string>();
        using (var rows = query.ExecuteReader()) while (rows.Read()) rooms.Add(rows.GetString(0));
        foreach (var room in rooms) SetMembership(db, room, userId, userId, "join");
    }
}
