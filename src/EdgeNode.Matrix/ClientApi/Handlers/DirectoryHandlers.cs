using System.Globalization;
using System.Text.Json.Nodes;
using EdgeNode.Matrix.Events;
using EdgeNode.Matrix.Rooms;
using EdgeNode.Matrix.Storage;

namespace EdgeNode.Matrix.ClientApi.Handlers;

/// <summary>Room aliases and the public room directory of this node's rooms.</summary>
internal static class DirectoryHandlers
{
    public static void Map(ClientApiEndpoints.Mapper map)
    {
        map.Client("GET", "/directory/room/{alias}", GetAlias, auth: false);
        map.Client("PUT", "/directory/room/{alias}", PutAlias);
        map.Client("DELETE", "/directory/room/{alias}", DeleteAlias);
        map.Client("GET", "/rooms/{roomId}/aliases", RoomAliases);
        map.Client("GET", "/publicRooms", PublicRooms, auth: false);
        map.Client("POST", "/publicRooms", PublicRooms);
        map.Client("GET", "/directory/list/room/{roomId}", GetVisibility, auth: false);
        map.Client("PUT", "/directory/list/room/{roomId}", PutVisibility);
    }

    private static string LocalAlias(MatrixRequest r)
    {
        var alias = r.Route("alias");
        var colon = alias.IndexOf(':');
        if (alias.Length < 4 || alias[0] != '#' || colon < 2 || alias.Length > 255) throw MatrixException.InvalidParam($"'{alias}' is not a room alias");
        return alias;
    }

    private static Task GetAlias(MatrixRequest r)
    {
        var alias = LocalAlias(r);
        var roomId = r.Server.Read(db => r.Server.Actions.ResolveAlias(db, alias));
        return r.JsonAsync(new JsonObject { ["room_id"] = roomId, ["servers"] = new JsonArray(r.Server.ServerName) });
    }

    private static async Task PutAlias(MatrixRequest r)
    {
        var alias = LocalAlias(r);
        if (alias[(alias.IndexOf(':') + 1)..] != r.Server.ServerName) throw new MatrixException(400, "M_INVALID_PARAM", "Aliases must be on this server");
        var body = await r.JsonBodyAsync().ConfigureAwait(false);
        var roomId = JsonBody.String(body, "room_id");
        RoomActions.RequireRoomId(roomId);
        r.Server.Write(db =>
        {
            r.Server.Rooms.VersionOf(db, roomId);
            if (r.Server.Rooms.Membership(db, roomId, r.UserId) != "join") throw MatrixException.Forbidden("You are not in that room");
            if (db.Scalar("SELECT 1 FROM matrix_aliases WHERE alias = $a", ("$a", alias)) is not null) throw new MatrixException(409, "M_UNKNOWN", "Room alias already exists");
            db.Execute("INSERT INTO matrix_aliases (alias, room_id, creator) VALUES ($a, $r, $u)", ("$a", alias), ("$r", roomId), ("$u", r.UserId));
        });
        await r.EmptyAsync().ConfigureAwait(false);
    }

    private static Task DeleteAlias(MatrixRequest r)
    {
        var alias = LocalAlias(r);
        r.Server.Write(db =>
        {
            var creator = db.Scalar("SELECT creator FROM matrix_aliases WHERE alias = $a", ("$a", alias)) as string ?? throw MatrixException.NotFound("Unknown alias");
            if (creator != r.UserId) throw MatrixException.Forbidden("Only the alias's creator may remove it");
            db.Execute("DELETE FROM matrix_aliases WHERE alias = $a", ("$a", alias));
        });
        return r.EmptyAsync();
    }

    private static Task RoomAliases(MatrixRequest r)
    {
        var roomId = r.Route("roomId");
        var aliases = r.Server.Read(db =>
        {
            r.Server.Actions.VisibleUntil(db, roomId, r.UserId);
            using var query = db.Command("SELECT alias FROM matrix_aliases WHERE room_id = $r ORDER BY alias", ("$r", roomId));
            using var rows = query.ExecuteReader();
            var list = new JsonArray();
            while (rows.Read()) list.Add((JsonNode)rows.GetString(0));
            return list;
        });
        return r.JsonAsync(new JsonObject { ["aliases"] = aliases });
    }

    private static string? StateString(Db db, RoomStore rooms, string roomId, string type, string field) =>
        rooms.CurrentStateEvent(db, roomId, type, "")?.Pdu["content"]?[field] is JsonValue v && v.TryGetValue(out string? s) ? s : null;

    private static async Task PublicRooms(MatrixRequest r)
    {
        var limit = r.QueryInt("limit", 100, 1, 500);
        var since = r.Query("since");
        string? search = null;
        if (HttpMethodsIsPost(r))
        {
            var body = await r.JsonBodyAsync(emptyIsObject: true).ConfigureAwait(false);
            if (JsonBody.OptLong(body, "limit") is { } l) limit = (int)Math.Clamp(l, 1, 500);
            since = JsonBody.OptString(body, "since") ?? since;
            if (JsonBody.OptObject(body, "filter") is { } filter) search = JsonBody.OptString(filter, "generic_search_term");
        }
        var offset = since is not null && int.TryParse(since, NumberStyles.None, CultureInfo.InvariantCulture, out var o) ? o : 0;
        var result = r.Server.Read(db =>
        {
            var rooms = r.Server.Rooms;
            var chunk = new List<JsonObject>();
            using (var query = db.Command("SELECT room_id FROM matrix_rooms WHERE published = 1 ORDER BY room_id"))
            using (var rows = query.ExecuteReader())
            {
                while (rows.Read())
                {
                    var roomId = rows.GetString(0);
                    var name = StateString(db, rooms, roomId, "m.room.name", "name");
                    var topic = StateString(db, rooms, roomId, "m.room.topic", "topic");
                    if (search is not null && !(name?.Contains(search, StringComparison.OrdinalIgnoreCase) == true || topic?.Contains(search, StringComparison.OrdinalIgnoreCase) == true))
                        continue;
                    var entry = new JsonObject
                    {
                        ["room_id"] = roomId,
                        ["num_joined_members"] = rooms.Members(db, roomId, "join").Count,
                        ["world_readable"] = StateString(db, rooms, roomId, "m.room.history_visibility", "history_visibility") == "world_readable",
                        ["guest_can_join"] = StateString(db, rooms, roomId, "m.room.guest_access", "guest_access") == "can_join",
                        ["join_rule"] = StateString(db, rooms, roomId, EventTypes.JoinRules, "join_rule") ?? "invite",
                    };
                    if (name is not null) entry["name"] = name;
                    if (topic is not null) entry["topic"] = topic;
                    if (StateString(db, rooms, roomId, "m.room.canonical_alias", "alias") is { } alias) entry["canonical_alias"] = alias;
                    if (StateString(db, rooms, roomId, "m.room.avatar", "url") is { } avatar) entry["avatar_url"] = avatar;
                    chunk.Add(entry);
                }
            }
            var page = chunk.Skip(offset).Take(limit).ToList();
            var response = new JsonObject { ["chunk"] = new JsonArray([.. page]), ["total_room_count_estimate"] = chunk.Count };
            if (offset + page.Count < chunk.Count) response["next_batch"] = (offset + page.Count).ToString(CultureInfo.InvariantCulture);
            if (offset > 0) response["prev_batch"] = Math.Max(0, offset - limit).ToString(CultureInfo.InvariantCulture);
            return response;
        });
        await r.JsonAsync(result).ConfigureAwait(false);
    }

    private static bool HttpMethodsIsPost(MatrixRequest r) => Microsoft.AspNetCore.Http.HttpMethods.IsPost(r.Http.Request.Method);

    private static Task GetVisibility(MatrixRequest r)
    {
        var roomId = r.Route("roomId");
        RoomActions.RequireRoomId(roomId);
        var published = r.Server.Read(db =>
        {
            r.Server.Rooms.VersionOf(db, roomId);
            return db.Scalar("SELECT published FROM matrix_rooms WHERE room_id = $r", ("$r", roomId)) is long p && p != 0;
        });
        return r.JsonAsync(new JsonObject { ["visibility"] = published ? "public" : "private" });
    }

    private static async Task PutVisibility(MatrixRequest r)
    {
        var roomId = r.Route("roomId");
        RoomActions.RequireRoomId(roomId);
        var body = await r.JsonBodyAsync().ConfigureAwait(false);
        var visibility = JsonBody.OptString(body, "visibility") ?? "public";
        if (visibility is not ("public" or "private")) throw MatrixException.InvalidParam("visibility must be public or private");
        r.Server.Write(db =>
        {
            r.Server.Rooms.VersionOf(db, roomId);
            if (r.Server.Rooms.Membership(db, roomId, r.UserId) != "join") throw MatrixException.Forbidden("You are not in that room");
            var creator = db.Scalar("SELECT creator FROM matrix_rooms WHERE room_id = $r", ("$r", roomId)) as string;
            if (creator != r.UserId) throw MatrixException.Forbidden("Only the room's creator may list it in the directory");
            db.Execute("UPDATE matrix_rooms SET published = $p WHERE room_id = $r", ("$p", visibility == "public" ? 1 : 0), ("$r", roomId));
        });
        await r.EmptyAsync().ConfigureAwait(false);
    }
}
