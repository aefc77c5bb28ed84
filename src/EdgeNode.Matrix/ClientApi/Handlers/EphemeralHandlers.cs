using System.Text.Json.Nodes;
using EdgeNode.Matrix.Events;
using EdgeNode.Matrix.Rooms;
using EdgeNode.Matrix.Storage;

namespace EdgeNode.Matrix.ClientApi.Handlers;

/// <summary>Typing notifications, receipts, read markers and presence.</summary>
internal static class EphemeralHandlers
{
    public static void Map(ClientApiEndpoints.Mapper map)
    {
        map.Client("PUT", "/rooms/{roomId}/typing/{userId}", Typing);
        map.Client("POST", "/rooms/{roomId}/receipt/{receiptType}/{eventId}", Receipt);
        map.Client("POST", "/rooms/{roomId}/read_markers", ReadMarkers);
        map.Client("GET", "/presence/{userId}/status", GetPresence);
        map.Client("PUT", "/presence/{userId}/status", PutPresence);
    }

    private static string JoinedRoom(MatrixRequest r)
    {
        var roomId = r.Route("roomId");
        RoomActions.RequireRoomId(roomId);
        if (r.Server.Read(db => { r.Server.Rooms.VersionOf(db, roomId); return r.Server.Rooms.Membership(db, roomId, r.UserId); }) != "join")
            throw MatrixException.Forbidden($"You are not in room {roomId}");
        return roomId;
    }

    private static async Task Typing(MatrixRequest r)
    {
        if (r.Route("userId") != r.UserId) throw MatrixException.Forbidden("You may only set your own typing state");
        var roomId = JoinedRoom(r);
        var body = await r.JsonBodyAsync().ConfigureAwait(false);
        var typing = JsonBody.OptBool(body, "typing") ?? throw MatrixException.MissingParam("typing is required");
        var timeout = JsonBody.OptLong(body, "timeout") ?? 30_000;
        var lasting = TimeSpan.FromMilliseconds(Math.Clamp(timeout, 0, 600_000));
        r.Server.Typing.Set(roomId, r.UserId, typing, lasting);
        r.Server.FrontEnd?.Presence.TypedByClient(roomId, r.UserId, typing, lasting);
        await r.EmptyAsync().ConfigureAwait(false);
    }

    private static void StoreReceipt(Db db, MatrixRequest r, string roomId, string type, string eventId, string threadId)
    {
        var e = r.Server.Rooms.GetEvent(db, eventId);
        if (e is null || e.RoomId != roomId) throw MatrixException.NotFound($"Event {eventId} not found");
        db.Execute("""
            INSERT INTO matrix_receipts (room_id, user_id, receipt_type, thread_id, event_id, ts, stream) VALUES ($r, $u, $t, $th, $e, $ts, $s)
            ON CONFLICT (room_id, user_id, receipt_type, thread_id) DO UPDATE SET event_id = $e, ts = $ts, stream = $s
            """, ("$r", roomId), ("$u", r.UserId), ("$t", type), ("$th", threadId), ("$e", eventId), ("$ts", r.Server.Now), ("$s", db.NextStream()));
        if (type == "m.read") r.Server.FrontEnd?.People.ReadReceipt(db, roomId, r.UserId, eventId);
    }

    private static void FullyRead(Db db, MatrixRequest r, string roomId, string eventId)
    {
        if (r.Server.Rooms.GetEvent(db, eventId) is not { } e || e.RoomId != roomId) throw MatrixException.NotFound($"Event {eventId} not found");
        UserDataHandlers.SetAccountData(db, r.UserId, roomId, "m.fully_read", new JsonObject { ["event_id"] = eventId });
    }

    private static async Task Receipt(MatrixRequest r)
    {
        var roomId = JoinedRoom(r);
        var type = r.Route("receiptType");
        var eventId = r.Route("eventId");
        if (type is not ("m.read" or "m.read.private" or "m.fully_read")) throw MatrixException.InvalidParam($"Unknown receipt type {type}");
        var body = await r.JsonBodyAsync(emptyIsObject: true).ConfigureAwait(false);
        var thread = JsonBody.OptString(body, "thread_id") ?? "";
        r.Server.Write(db =>
        {
            if (type == "m.fully_read") FullyRead(db, r, roomId, eventId);
            else StoreReceipt(db, r, roomId, type, eventId, thread);
        });
        await r.EmptyAsync().ConfigureAwait(false);
    }

    private static async Task ReadMarkers(MatrixRequest r)
    {
        var roomId = JoinedRoom(r);
        var body = await r.JsonBodyAsync().ConfigureAwait(false);
        var fully = JsonBody.OptString(body, "m.fully_read");
        var read = JsonBody.OptString(body, "m.read");
        var readPrivate = JsonBody.OptString(body, "m.read.private");
        r.Server.Write(db =>
        {
            if (fully is not null) FullyRead(db, r, roomId, fully);
            if (read is not null) StoreReceipt(db, r, roomId, "m.read", read, "");
            if (readPrivate is not null) StoreReceipt(db, r, roomId, "m.read.private", readPrivate, "");
        });
        await r.EmptyAsync().ConfigureAwait(false);
    }

    /// <summary>The m.receipt event of a room for the window, or null when no receipt changed; private receipts only for their owner.</summary>
    public static JsonObject? Receipts(Db db, string roomId, string viewer, long after, long to)
    {
        using var query = db.Command("SELECT user_id, receipt_type, thread_id, event_id, ts FROM matrix_receipts WHERE room_id = $r AND stream > $s AND stream <= $to",
            ("$r", roomId), ("$s", after), ("$to", to));
        using var rows = query.ExecuteReader();
        var content = new JsonObject();
        while (rows.Read())
        {
            var user = rows.GetString(0);
            var type = rows.GetString(1);
            if (type == "m.read.private" && user != viewer) continue;
            var eventId = rows.GetString(3);
            if (content[eventId] is not JsonObject byType) content[eventId] = byType = new JsonObject();
            if (byType[type] is not JsonObject byUser) byType[type] = byUser = new JsonObject();
            var receipt = new JsonObject { ["ts"] = rows.GetInt64(4) };
            if (rows.GetString(2) is { Length: > 0 } thread) receipt["thread_id"] = thread;
            byUser[user] = receipt;
        }
        return content.Count == 0 ? null : new JsonObject { ["type"] = "m.receipt", ["content"] = content };
    }

    public static JsonObject PresenceContent(string presence, string? statusMsg, long lastActive, long now)
    {
        var content = new JsonObject
        {
            ["presence"] = presence,
            ["last_active_ago"] = Math.Max(0, now - lastActive),
            ["currently_active"] = presence == "online",
        };
        if (statusMsg is not null) content["status_msg"] = statusMsg;
        return content;
    }

    public static void UpdatePresence(Homeserver server, string userId, string presence, string? statusMsg, bool keepStatus) => server.Write(db =>
    {
        string? oldPresence = null, oldStatus = null;
        using (var query = db.Command("SELECT presence, status_msg FROM matrix_presence WHERE user_id = $u", ("$u", userId)))
        using (var row = query.ExecuteReader())
            if (row.Read()) { oldPresence = row.GetString(0); oldStatus = row.IsDBNull(1) ? null : row.GetString(1); }
        if (keepStatus) statusMsg = oldStatus;
        if (oldPresence == presence && oldStatus == statusMsg)
        {
            db.Execute("UPDATE matrix_presence SET last_active_ts = $t WHERE user_id = $u", ("$t", server.Now), ("$u", userId));
            return;
        }
        db.Execute("""
            INSERT INTO matrix_presence (user_id, presence, status_msg, last_active_ts, stream) VALUES ($u, $p, $m, $t, $s)
            ON CONFLICT (user_id) DO UPDATE SET presence = $p, status_msg = $m, last_active_ts = $t, stream = $s
            """, ("$u", userId), ("$p", presence), ("$m", statusMsg), ("$t", server.Now), ("$s", db.NextStream()));
    });

    public static void MarkOnlineBySync(Homeserver server, string userId)
    {
        var current = server.Read(db => db.Scalar("SELECT presence FROM matrix_presence WHERE user_id = $u", ("$u", userId)) as string);
        if (current is null or "offline") UpdatePresence(server, userId, "online", null, keepStatus: true);
    }

    /// <summary>
    /// A sync of one of the user's clients starts: it makes the user present (see <see cref="MarkOnlineBySync"/>). With
    /// the router's front-end, what the clients say is the user's Matrix view, and the sync counts until the result is
    /// disposed (a user none of whose clients syncs goes offline after a while).
    /// </summary>
    public static IDisposable? SyncPresence(Homeserver server, string userId, string? setPresence)
    {
        if (server.FrontEnd is { } frontEnd) return frontEnd.Presence.SyncStarted(userId, setPresence);
        if (setPresence is null) MarkOnlineBySync(server, userId);
        else if (setPresence != "offline") UpdatePresence(server, userId, setPresence, null, keepStatus: true);
        return null;
    }

    /// <summary>PUT presence: the user's own choice, shown as the union with the user's other protocols when there is a router.</summary>
    private static void SetOwnPresence(Homeserver server, string userId, string presence, string? status)
    {
        if (server.FrontEnd is { } frontEnd) frontEnd.Presence.SetByClient(userId, presence, status);
        else UpdatePresence(server, userId, presence, status, keepStatus: false);
    }

    private static async Task PutPresence(MatrixRequest r)
    {
        if (r.Route("userId") != r.UserId) throw MatrixException.Forbidden("You may only set your own presence");
        var body = await r.JsonBodyAsync().ConfigureAwait(false);
        var presence = JsonBody.String(body, "presence");
        if (presence is not ("online" or "offline" or "unavailable")) throw MatrixException.InvalidParam("presence must be online, offline or unavailable");
        var status = JsonBody.OptString(body, "status_msg");
        if (status is { Length: > 1024 }) throw MatrixException.InvalidParam("status_msg is too long");
        SetOwnPresence(r.Server, r.UserId, presence, status);
        await r.EmptyAsync().ConfigureAwait(false);
    }

    private static Task GetPresence(MatrixRequest r)
    {
        var user = r.Route("userId");
        RoomActions.RequireUserId(user);
        var content = r.Server.Read(db =>
        {
            if (user != r.UserId && !KeysHandlers.UsersSharingRooms(db, r.UserId).Contains(user))
                throw MatrixException.Forbidden("You do not share a room with that user");
            using var query = db.Command("SELECT presence, status_msg, last_active_ts FROM matrix_presence WHERE user_id = $u", ("$u", user));
            using var row = query.ExecuteReader();
            return row.Read()
                ? PresenceContent(row.GetString(0), row.IsDBNull(1) ? null : row.GetString(1), row.GetInt64(2), r.Server.Now)
                : new JsonObject { ["presence"] = "offline" };
        });
        return r.JsonAsync(content);
    }
}
