using System.Text.Json.Nodes;
using EdgeNode.Matrix.Events;
using EdgeNode.Matrix.Rooms;
using EdgeNode.Matrix.Storage;

namespace EdgeNode.Matrix.ClientApi.Handlers;

/// <summary>createRoom, joining, inviting, leaving, forgetting, kicking, banning, joined_rooms.</summary>
internal static class RoomHandlers
{
    public static void Map(ClientApiEndpoints.Mapper map)
    {
        map.Client("POST", "/createRoom", CreateRoom);
        map.Client("POST", "/join/{roomIdOrAlias}", JoinByIdOrAlias);
        map.Client("POST", "/rooms/{roomId}/join", r => JoinRoom(r, r.Route("roomId")));
        map.Client("POST", "/rooms/{roomId}/invite", Invite);
        map.Client("POST", "/rooms/{roomId}/leave", r => Membership(r, "leave", self: true));
        map.Client("POST", "/rooms/{roomId}/kick", r => Membership(r, "leave", self: false));
        map.Client("POST", "/rooms/{roomId}/ban", r => Membership(r, "ban", self: false));
        map.Client("POST", "/rooms/{roomId}/unban", r => Membership(r, "leave", self: false));
        map.Client("POST", "/rooms/{roomId}/forget", Forget);
        map.Client("GET", "/joined_rooms", JoinedRooms);
    }

    private static async Task CreateRoom(MatrixRequest r)
    {
        var body = await r.JsonBodyAsync(emptyIsObject: true).ConfigureAwait(false);
        var server = r.Server;
        var versionId = JsonBody.OptString(body, "room_version") ?? server.DefaultRoomVersion.Id;
        if (!RoomVersion.TryGet(versionId, out var version))
            throw new MatrixException(400, "M_UNSUPPORTED_ROOM_VERSION", $"Room version {versionId} is not supported (10, 11 and 12 are)");
        var visibility = JsonBody.OptString(body, "visibility") ?? "private";
        if (visibility is not ("public" or "private")) throw MatrixException.InvalidParam("visibility must be public or private");
        var preset = JsonBody.OptString(body, "preset") ?? (visibility == "public" ? "public_chat" : "private_chat");
        if (preset is not ("public_chat" or "private_chat" or "trusted_private_chat")) throw MatrixException.InvalidParam($"Unknown preset {preset}");
        var invites = JsonBody.StringList(JsonBody.OptArray(body, "invite"), "invite");
        foreach (var user in invites) server.Actions.RequireKnownLocalUser(user);
        var isDirect = JsonBody.OptBool(body, "is_direct");
        string? alias = null;
        if (JsonBody.OptString(body, "room_alias_name") is { } aliasName)
        {
            if (aliasName.Length is 0 or > 200 || aliasName.Contains(':') || aliasName.Any(char.IsWhiteSpace))
                throw new MatrixException(400, "M_INVALID_ROOM_STATE", "room_alias_name is not a valid alias localpart");
            alias = "#" + aliasName + ":" + server.ServerName;
        }
        var name = JsonBody.OptString(body, "name");
        var topic = JsonBody.OptString(body, "topic");
        var creation = JsonBody.OptObject(body, "creation_content") is { } cc ? JsonBody.Copy(cc) : new JsonObject();
        var initialState = JsonBody.OptArray(body, "initial_state") ?? [];
        var overrides = JsonBody.OptObject(body, "power_level_content_override");
        var me = r.UserId;

        var roomId = server.Write(db =>
        {
            if (alias is not null && db.Scalar("SELECT 1 FROM matrix_aliases WHERE alias = $a", ("$a", alias)) is not null)
                throw new MatrixException(400, "M_ROOM_IN_USE", $"The alias {alias} is taken");
            var rooms = server.Rooms;
            var roomId = rooms.CreateRoom(db, version, me, creation);
            server.Actions.SetMembership(db, roomId, me, me, "join");

            var users = new JsonObject();
            if (!version.CreatorsHaveInfinitePower) users[me] = 100;
            if (preset == "trusted_private_chat") foreach (var u in invites) users[u] = 100;
            var levels = new JsonObject
            {
                ["users"] = users,
                ["users_default"] = 0,
                ["events"] = new JsonObject
                {
                    ["m.room.name"] = 50, ["m.room.power_levels"] = 100, ["m.room.history_visibility"] = 100,
                    ["m.room.canonical_alias"] = 50, ["m.room.avatar"] = 50, ["m.room.tombstone"] = 100,
                    ["m.room.server_acl"] = 100, ["m.room.encryption"] = 100,
                },
                ["events_default"] = 0,
                ["state_default"] = 50,
                ["ban"] = 50,
                ["kick"] = 50,
                ["redact"] = 50,
                ["invite"] = preset == "public_chat" ? 50 : 0,
                ["notifications"] = new JsonObject { ["room"] = 50 },
            };
            if (overrides is not null) foreach (var (key, value) in overrides) levels[key] = value?.DeepClone();
            rooms.Send(db, roomId, me, EventTypes.PowerLevels, "", levels);

            if (alias is not null)
            {
                db.Execute("INSERT INTO matrix_aliases (alias, room_id, creator) VALUES ($a, $r, $u)", ("$a", alias), ("$r", roomId), ("$u", me));
                rooms.Send(db, roomId, me, "m.room.canonical_alias", "", new JsonObject { ["alias"] = alias });
            }
            rooms.Send(db, roomId, me, EventTypes.JoinRules, "", new JsonObject { ["join_rule"] = preset == "public_chat" ? "public" : "invite" });
            rooms.Send(db, roomId, me, "m.room.history_visibility", "", new JsonObject { ["history_visibility"] = "shared" });
            rooms.Send(db, roomId, me, "m.room.guest_access", "", new JsonObject { ["guest_access"] = preset == "public_chat" ? "forbidden" : "can_join" });
            foreach (var item in initialState)
            {
                if (item is not JsonObject state) throw MatrixException.BadJson("initial_state holds an entry that is not an object");
                var type = JsonBody.String(state, "type");
                var content = JsonBody.OptObject(state, "content") ?? throw MatrixException.BadJson("initial_state entries need content");
                server.Actions.Send(db, roomId, me, type, JsonBody.OptString(state, "state_key") ?? "", JsonBody.Copy(content));
            }
            if (name is not null) rooms.Send(db, roomId, me, "m.room.name", "", new JsonObject { ["name"] = name });
            if (topic is not null) rooms.Send(db, roomId, me, "m.room.topic", "", new JsonObject { ["topic"] = topic });
            foreach (var invitee in invites) server.Actions.SetMembership(db, roomId, me, invitee, "invite", isDirect: isDirect);
            if (visibility == "public") db.Execute("UPDATE matrix_rooms SET published = 1 WHERE room_id = $r", ("$r", roomId));
            return roomId;
        });
        MatrixLog.RoomCreated(server.Logger, roomId, version.Id, me);
        await r.JsonAsync(new RoomIdResponse(roomId), MatrixJsonContext.Default.RoomIdResponse).ConfigureAwait(false);
    }

    private static Task JoinByIdOrAlias(MatrixRequest r)
    {
        var target = r.Route("roomIdOrAlias");
        if (target.StartsWith('#'))
            return JoinRoom(r, r.Server.Read(db => r.Server.Actions.ResolveAlias(db, target)));
        return JoinRoom(r, target);
    }

    private static async Task JoinRoom(MatrixRequest r, string roomId)
    {
        RoomActions.RequireRoomId(roomId);
        if (r.Http.Request.ContentLength > 0) await r.JsonBodyAsync(emptyIsObject: true).ConfigureAwait(false);
        r.Server.Write(db => r.Server.Actions.Join(db, roomId, r.UserId));
        await r.JsonAsync(new RoomIdResponse(roomId), MatrixJsonContext.Default.RoomIdResponse).ConfigureAwait(false);
    }

    private static async Task Invite(MatrixRequest r)
    {
        var roomId = r.Route("roomId");
        RoomActions.RequireRoomId(roomId);
        var body = await r.JsonBodyAsync().ConfigureAwait(false);
        var target = JsonBody.String(body, "user_id");
        r.Server.Actions.RequireKnownLocalUser(target);
        var reason = JsonBody.OptString(body, "reason");
        r.Server.Write(db =>
        {
            if (r.Server.Rooms.Membership(db, roomId, target) == "invite") return;
            r.Server.Actions.SetMembership(db, roomId, r.UserId, target, "invite", reason);
        });
        await r.EmptyAsync().ConfigureAwait(false);
    }

    private static async Task Membership(MatrixRequest r, string membership, bool self)
    {
        var roomId = r.Route("roomId");
        RoomActions.RequireRoomId(roomId);
        var body = await r.JsonBodyAsync(emptyIsObject: true).ConfigureAwait(false);
        var target = self ? r.UserId : JsonBody.String(body, "user_id");
        RoomActions.RequireUserId(target);
        var reason = JsonBody.OptString(body, "reason");
        r.Server.Write(db =>
        {
            r.Server.Rooms.VersionOf(db, roomId);
            r.Server.Actions.SetMembership(db, roomId, r.UserId, target, membership, reason);
        });
        await r.EmptyAsync().ConfigureAwait(false);
    }

    private static Task Forget(MatrixRequest r)
    {
        var roomId = r.Route("roomId");
        RoomActions.RequireRoomId(roomId);
        r.Server.Write(db =>
        {
            r.Server.Rooms.VersionOf(db, roomId);
            if (r.Server.Rooms.Membership(db, roomId, r.UserId) is "join" or "invite" or "knock")
                throw new MatrixException(400, "M_UNKNOWN", "Leave the room before forgetting it");
            db.Execute("INSERT OR IGNORE INTO matrix_forgotten (user_id, room_id) VALUES ($u, $r)", ("$u", r.UserId), ("$r", roomId));
        });
        return r.EmptyAsync();
    }

    private static Task JoinedRooms(MatrixRequest r)
    {
        var rooms = r.Server.Read(db => JoinedRoomIds(db, r.UserId));
        return r.JsonAsync(new JsonObject { ["joined_rooms"] = new JsonArray([.. rooms.Select(x => (JsonNode)x)]) });
    }

    public static List<string> JoinedRoomIds(Db db, string userId)
    {
        using var query = db.Command("SELECT room_id FROM matrix_current_state WHERE type = 'm.room.member' AND state_key = $u AND membership = 'join' ORDER BY room_id", ("$u", userId));
        using var rows = query.ExecuteReader();
        var list = new List<string>();
        while (rows.Read()) list.Add(rows.GetString(0));
        return list;
    }
}
