using System.Text.Json.Nodes;
using EdgeNode.Matrix.Events;
using EdgeNode.Matrix.Rooms;
using EdgeNode.Matrix.Storage;
using EdgeNode.Matrix.Users;

namespace EdgeNode.Matrix.ClientApi.Handlers;

/// <summary>
/// /sync: everything that happened to the user's rooms, presence, account data, to-device messages and device lists
/// after the since token, long-polling until there is something or the timeout ends. The token is the stream position
/// (and, while to-device messages wait beyond one response's share, the last one delivered: see <see cref="SyncToken"/>).
/// Timelines hold only the events the room's history visibility lets the user see.
/// </summary>
internal static class SyncHandler
{
    private const int DefaultTimelineLimit = 10;
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(2);

    public static void Map(ClientApiEndpoints.Mapper map)
    {
        map.Client("GET", "/sync", Sync);
        map.Client("POST", "/user/{userId}/filter", CreateFilter);
        map.Client("GET", "/user/{userId}/filter/{filterId}", GetFilter);
    }

    private static void RequireSelf(MatrixRequest r)
    {
        if (r.Route("userId") != r.UserId) throw MatrixException.Forbidden("You may only manage your own data");
    }

    private static async Task CreateFilter(MatrixRequest r)
    {
        RequireSelf(r);
        var body = await r.JsonBodyAsync().ConfigureAwait(false);
        TimelineLimit(body);
        var json = body.ToJsonString();
        var max = r.Server.Options.MaxFiltersPerUser;
        var id = r.Server.Write(db =>
        {
            // Clients upload the same filter at every start: that is one filter, not a new one each time.
            if (db.Scalar("SELECT filter_id FROM matrix_filters WHERE user_id = $u AND json = $j LIMIT 1", ("$u", r.UserId), ("$j", json)) is long known) return known;
            if ((long)db.Scalar("SELECT count(*) FROM matrix_filters WHERE user_id = $u", ("$u", r.UserId))! >= max)
                throw MatrixException.ResourceLimit($"You have {max} filters stored, the most this server keeps for one user", r.Server.AdminContact);
            var next = (db.Scalar("SELECT coalesce(max(filter_id), -1) + 1 FROM matrix_filters WHERE user_id = $u", ("$u", r.UserId)) as long?) ?? 0;
            db.Execute("INSERT INTO matrix_filters (user_id, filter_id, json) VALUES ($u, $f, $j)", ("$u", r.UserId), ("$f", next), ("$j", json));
            return next;
        });
        await r.JsonAsync(new JsonObject { ["filter_id"] = id.ToString(System.Globalization.CultureInfo.InvariantCulture) }).ConfigureAwait(false);
    }

    private static Task GetFilter(MatrixRequest r)
    {
        RequireSelf(r);
        var json = long.TryParse(r.Route("filterId"), out var id)
            ? r.Server.Read(db => db.Scalar("SELECT json FROM matrix_filters WHERE user_id = $u AND filter_id = $f", ("$u", r.UserId), ("$f", id)) as string)
            : null;
        return r.JsonAsync(JsonBody.Parse(json ?? throw MatrixException.NotFound("No such filter")));
    }

    private static int TimelineLimit(JsonObject filter)
    {
        var room = JsonBody.OptObject(filter, "room");
        var timeline = room is null ? null : JsonBody.OptObject(room, "timeline");
        var limit = timeline is null ? null : JsonBody.OptLong(timeline, "limit");
        return limit is null ? DefaultTimelineLimit : (int)Math.Clamp(limit.Value, 1, 100);
    }

    private static async Task Sync(MatrixRequest r)
    {
        var since = SyncToken.Parse(r.Query("since"));
        var timeout = TimeSpan.FromMilliseconds(r.QueryInt("timeout", 0, 0, (int)MaxTimeout.TotalMilliseconds));
        var fullState = r.Query("full_state") == "true";
        var filterText = r.Query("filter");
        var limit = DefaultTimelineLimit;
        if (filterText is not null)
        {
            JsonObject? filter;
            if (filterText.StartsWith('{'))
            {
                try { filter = JsonNode.Parse(filterText) as JsonObject; }
                catch (System.Text.Json.JsonException) { filter = null; }
                if (filter is null) throw MatrixException.NotJson("filter is not valid JSON");
            }
            else
            {
                var json = long.TryParse(filterText, out var id)
                    ? r.Server.Read(db => db.Scalar("SELECT json FROM matrix_filters WHERE user_id = $u AND filter_id = $f", ("$u", r.UserId), ("$f", id)) as string)
                    : null;
                filter = JsonBody.Parse(json ?? throw MatrixException.NotFound("No such filter"));
            }
            limit = TimelineLimit(filter);
        }
        var setPresence = r.Query("set_presence");
        if (setPresence is not (null or "online" or "offline" or "unavailable")) throw MatrixException.InvalidParam("set_presence must be online, offline or unavailable");
        // Polling marks the user online unless told otherwise; it does not undo a status the user chose with PUT presence.
        using var syncing = EphemeralHandlers.SyncPresence(r.Server, r.UserId, setPresence);

        // Syncing with a token acknowledges the to-device messages it covers (and only those).
        if (since is { } acknowledged)
            r.Server.Write(db => ToDeviceInbox.Acknowledge(db, r.UserId, r.DeviceId, acknowledged.ToDevice));

        var deadline = r.Server.Time.GetUtcNow() + timeout;
        // While this runs (and a minute after), messages from XMPP count as reaching the user's Matrix clients.
        using var reachable = r.Server.FrontEnd?.People.Syncing(r.UserId);
        while (true)
        {
            var position = r.Server.Clock.Current;
            // Watching starts before the build, so a typing change in one of the rooms while it runs is not missed.
            using var watch = r.Server.Wakeups.Start(r.Server.Read(db => JoinedRooms(db, r.UserId)));
            var (response, hasContent) = r.Server.Read(db => Build(db, r, since, position, fullState, limit));
            var remaining = deadline - r.Server.Time.GetUtcNow();
            if (since is null || hasContent || fullState || remaining <= TimeSpan.Zero)
            {
                await r.JsonAsync(response).ConfigureAwait(false);
                return;
            }
            await r.Server.WaitForSyncAsync(watch, position, remaining, r.Aborted).ConfigureAwait(false);
        }
    }

    private static List<string> JoinedRooms(Db db, string userId)
    {
        using var query = db.Command("SELECT room_id FROM matrix_current_state WHERE type = 'm.room.member' AND state_key = $u AND membership = 'join'", ("$u", userId));
        using var rows = query.ExecuteReader();
        var rooms = new List<string>();
        while (rows.Read()) rooms.Add(rows.GetString(0));
        return rooms;
    }

    private static (JsonObject Response, bool HasContent) Build(Db db, MatrixRequest r, SyncToken? token, long to, bool fullState, int limit)
    {
        var server = r.Server;
        var me = r.UserId;
        var since = token?.Position;
        var after = since ?? 0;
        var join = new JsonObject();
        var invite = new JsonObject();
        var leave = new JsonObject();
        var newlyShared = new HashSet<string>(StringComparer.Ordinal);

        var memberships = new List<(string Room, string Membership, long Stream)>();
        using (var query = db.Command("""
            SELECT s.room_id, s.membership, e.stream FROM matrix_current_state s JOIN matrix_events e ON e.event_id = s.event_id
            WHERE s.type = 'm.room.member' AND s.state_key = $u AND s.room_id NOT IN (SELECT room_id FROM matrix_forgotten WHERE user_id = $u)
            """, ("$u", me)))
        using (var rows = query.ExecuteReader())
            while (rows.Read()) memberships.Add((rows.GetString(0), rows.GetString(1), rows.GetInt64(2)));

        var roomAccountData = AccountData(db, me, after, to, global: false);
        foreach (var (roomId, membership, memberStream) in memberships)
        {
            if (memberStream > to) continue; // seen by the next sync, whose since is this one's position
            switch (membership)
            {
                case "join":
                {
                    var newly = since is null || fullState || memberStream > after;
                    var room = JoinedRoom(db, r, roomId, newly ? 0 : after, to, limit, newly, roomAccountData.GetValueOrDefault(roomId));
                    if (room is not null) join[roomId] = room;
                    if (newly && since is not null)
                        foreach (var u in server.Rooms.Members(db, roomId, "join")) newlyShared.Add(u);
                    break;
                }
                case "invite" when since is null || memberStream > after:
                {
                    var events = new JsonArray();
                    var state = server.Rooms.CurrentState(db, roomId);
                    foreach (var type in ClientEvents.StrippedStateTypes)
                        if (state.TryGetValue(new StateKey(type, ""), out var id) && server.Rooms.GetEvent(db, id) is { } e) events.Add((JsonNode)ClientEvents.Stripped(e));
                    if (state.TryGetValue(StateKey.Member(me), out var inviteId) && server.Rooms.GetEvent(db, inviteId) is { } inviteEvent)
                        events.Add((JsonNode)ClientEvents.Format(db, server.Rooms, inviteEvent, server.Now, me, r.DeviceId));
                    invite[roomId] = new JsonObject { ["invite_state"] = new JsonObject { ["events"] = events } };
                    break;
                }
                case "leave" or "ban" when since is not null && memberStream > after:
                {
                    var timeline = server.Rooms.QueryEvents(db, "room_id = $r AND stream > $lo AND stream <= $hi ORDER BY stream DESC LIMIT $n",
                        ("$r", roomId), ("$lo", after), ("$hi", memberStream), ("$n", limit));
                    timeline.Reverse();
                    timeline = HistoryVisibility.For(db, server.Rooms, roomId, me).Filter(timeline);
                    leave[roomId] = new JsonObject
                    {
                        ["timeline"] = Timeline(db, r, timeline, limited: false, prevBatch: after),
                        ["state"] = new JsonObject { ["events"] = new JsonArray() },
                        ["account_data"] = new JsonObject { ["events"] = new JsonArray() },
                    };
                    break;
                }
            }
        }

        var presence = Presence(db, me, after, to, server.Now);
        var globalData = AccountData(db, me, after, to, global: true).GetValueOrDefault("") ?? [];
        var (toDevice, toDevicePosition) = ToDeviceInbox.Take(db, me, r.DeviceId, token?.ToDevice ?? 0, to);

        var changed = new SortedSet<string>(StringComparer.Ordinal);
        if (since is not null)
        {
            var shared = KeysHandlers.UsersSharingRooms(db, me);
            using (var query = db.Command("SELECT DISTINCT user_id FROM matrix_device_list_changes WHERE stream > $s AND stream <= $to", ("$s", after), ("$to", to)))
            using (var rows = query.ExecuteReader())
                while (rows.Read())
                    if (shared.Contains(rows.GetString(0))) changed.Add(rows.GetString(0));
            foreach (var u in newlyShared) if (u != me) changed.Add(u);
        }

        var hasContent = join.Count > 0 || invite.Count > 0 || leave.Count > 0 || presence.Count > 0 || globalData.Count > 0 || toDevice.Count > 0 || changed.Count > 0;
        var response = new JsonObject
        {
            ["next_batch"] = new SyncToken(to, toDevicePosition).ToString(),
            ["rooms"] = new JsonObject { ["join"] = join, ["invite"] = invite, ["leave"] = leave, ["knock"] = new JsonObject() },
            ["presence"] = new JsonObject { ["events"] = presence },
            ["account_data"] = new JsonObject { ["events"] = globalData },
            ["to_device"] = new JsonObject { ["events"] = toDevice },
            ["device_lists"] = new JsonObject { ["changed"] = new JsonArray([.. changed.Select(u => (JsonNode)u)]), ["left"] = new JsonArray() },
            ["device_one_time_keys_count"] = KeysHandlers.OneTimeKeyCounts(db, me, r.DeviceId),
            ["device_unused_fallback_key_types"] = KeysHandlers.UnusedFallbackKeyTypes(db, me, r.DeviceId),
        };
        return (response, hasContent);
    }

    private static JsonObject? JoinedRoom(Db db, MatrixRequest r, string roomId, long after, long to, int limit, bool newly, JsonArray? accountData)
    {
        var server = r.Server;
        var events = server.Rooms.QueryEvents(db, "room_id = $r AND stream > $lo AND stream <= $hi ORDER BY stream DESC LIMIT $n",
            ("$r", roomId), ("$lo", after), ("$hi", to), ("$n", limit + 1));
        var limited = events.Count > limit;
        if (limited) events.RemoveAt(events.Count - 1);
        events.Reverse();
        // prev_batch continues from the window's start even when events in it are hidden from this user.
        var prevBatch = events.Count > 0 ? events[0].Stream - 1 : to;
        // A member since before the window saw every event of it as a member; only a window reaching back before the
        // join (the first sync, a new join, full_state) can hold events the room's history visibility hides.
        if (newly && events.Count > 0) events = HistoryVisibility.For(db, server.Rooms, roomId, r.UserId).Filter(events);

        var ephemeral = new JsonArray();
        if (server.Typing.ChangedSince(roomId, after) is { } typing && (!newly || typing.Count > 0))
            ephemeral.Add((JsonNode)new JsonObject { ["type"] = "m.typing", ["content"] = new JsonObject { ["user_ids"] = new JsonArray([.. typing.Select(u => (JsonNode)u)]) } });
        if (EphemeralHandlers.Receipts(db, roomId, r.UserId, after, to) is { } receipts) ephemeral.Add((JsonNode)receipts);

        if (!newly && events.Count == 0 && ephemeral.Count == 0 && accountData is null) return null;

        var stateEvents = new JsonArray();
        if (newly || limited)
        {
            // The state at the end of the window, less what the timeline itself carries.
            var last = db.Scalar("SELECT state_group FROM matrix_events WHERE room_id = $r AND stream <= $to ORDER BY stream DESC LIMIT 1", ("$r", roomId), ("$to", to));
            var inTimeline = events.Select(e => e.EventId).ToHashSet(StringComparer.Ordinal);
            var timelineStart = prevBatch + 1;
            if (last is long group)
            {
                foreach (var id in server.Rooms.States.Load(db, group).Values)
                {
                    if (inTimeline.Contains(id)) continue;
                    var e = server.Rooms.GetEvent(db, id)!;
                    if (!newly && (e.Stream <= after || e.Stream >= timelineStart)) continue;
                    stateEvents.Add((JsonNode)ClientEvents.Format(db, server.Rooms, e, server.Now, r.UserId, r.DeviceId));
                }
            }
        }

        var joined = server.Rooms.Members(db, roomId, "join");
        var invited = server.Rooms.Members(db, roomId, "invite");
        var heroes = joined.Concat(invited).Where(u => u != r.UserId).Take(5).Select(u => (JsonNode)u);
        return new JsonObject
        {
            ["summary"] = new JsonObject
            {
                ["m.heroes"] = new JsonArray([.. heroes]),
                ["m.joined_member_count"] = joined.Count,
                ["m.invited_member_count"] = invited.Count,
            },
            ["state"] = new JsonObject { ["events"] = stateEvents },
            ["timeline"] = Timeline(db, r, events, limited, prevBatch),
            ["ephemeral"] = new JsonObject { ["events"] = ephemeral },
            ["account_data"] = new JsonObject { ["events"] = accountData ?? [] },
            ["unread_notifications"] = new JsonObject { ["notification_count"] = 0, ["highlight_count"] = 0 },
        };
    }

    private static JsonObject Timeline(Db db, MatrixRequest r, List<StoredEvent> events, bool limited, long prevBatch) => new()
    {
        ["events"] = new JsonArray([.. events.Select(e => (JsonNode)ClientEvents.Format(db, r.Server.Rooms, e, r.Server.Now, r.UserId, r.DeviceId))]),
        ["limited"] = limited,
        ["prev_batch"] = EventHandlers.Token(prevBatch),
    };

    /// <summary>Account data changed in the window, by room ("" for global).</summary>
    private static Dictionary<string, JsonArray> AccountData(Db db, string userId, long after, long to, bool global)
    {
        var result = new Dictionary<string, JsonArray>(StringComparer.Ordinal);
        using var query = db.Command(global
                ? "SELECT room_id, type, content FROM matrix_account_data WHERE user_id = $u AND room_id = '' AND stream > $s AND stream <= $to"
                : "SELECT room_id, type, content FROM matrix_account_data WHERE user_id = $u AND room_id <> '' AND stream > $s AND stream <= $to",
            ("$u", userId), ("$s", after), ("$to", to));
        using var rows = query.ExecuteReader();
        while (rows.Read())
        {
            if (!result.TryGetValue(rows.GetString(0), out var list)) result[rows.GetString(0)] = list = [];
            list.Add((JsonNode)new JsonObject { ["type"] = rows.GetString(1), ["content"] = JsonNode.Parse(rows.GetString(2)) });
        }
        return result;
    }

    private static JsonArray Presence(Db db, string me, long after, long to, long now)
    {
        var users = KeysHandlers.UsersSharingRooms(db, me);
        var list = new JsonArray();
        using var query = db.Command("SELECT user_id, presence, status_msg, last_active_ts FROM matrix_presence WHERE stream > $s AND stream <= $to ORDER BY stream",
            ("$s", after), ("$to", to));
        using var rows = query.ExecuteReader();
        while (rows.Read())
        {
            var user = rows.GetString(0);
            if (!users.Contains(user)) continue;
            list.Add((JsonNode)new JsonObject
            {
                ["type"] = "m.presence",
                ["sender"] = user,
                ["content"] = EphemeralHandlers.PresenceContent(rows.GetString(1), rows.IsDBNull(2) ? null : rows.GetString(2), rows.GetInt64(3), now),
            });
        }
        return list;
    }
}
