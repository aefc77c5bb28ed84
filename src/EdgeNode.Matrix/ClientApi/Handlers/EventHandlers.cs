using System.Globalization;
using System.Text.Json.Nodes;
using EdgeNode.Matrix.Events;
using EdgeNode.Matrix.Rooms;
using EdgeNode.Matrix.Storage;

namespace EdgeNode.Matrix.ClientApi.Handlers;

/// <summary>
/// send, state, messages, event, context, redact, members, joined_members. Sending, putting state and redacting
/// count against the user's Matrix:MessagesPerSecond (memberships, which have their own endpoints, do not).
/// </summary>
internal static class EventHandlers
{
    public static void Map(ClientApiEndpoints.Mapper map)
    {
        map.Client("PUT", "/rooms/{roomId}/send/{eventType}/{txnId}", Send);
        map.Client("GET", "/rooms/{roomId}/state", AllState);
        map.Client("GET", "/rooms/{roomId}/state/{eventType}", r => GetState(r, ""));
        map.Client("GET", "/rooms/{roomId}/state/{eventType}/{stateKey}", r => GetState(r, r.Route("stateKey")));
        map.Client("PUT", "/rooms/{roomId}/state/{eventType}", r => PutState(r, ""));
        map.Client("PUT", "/rooms/{roomId}/state/{eventType}/{stateKey}", r => PutState(r, r.Route("stateKey")));
        map.Client("GET", "/rooms/{roomId}/messages", Messages);
        map.Client("GET", "/rooms/{roomId}/event/{eventId}", GetEvent);
        map.Client("GET", "/rooms/{roomId}/context/{eventId}", Context);
        map.Client("PUT", "/rooms/{roomId}/redact/{eventId}/{txnId}", Redact);
        map.Client("GET", "/rooms/{roomId}/members", Members);
        map.Client("GET", "/rooms/{roomId}/joined_members", JoinedMembers);
    }

    /// <summary>The event a transaction ID already produced for this device, so a retried send is not sent twice.</summary>
    private static string? PreviousTxn(Db db, MatrixRequest r, string txnId) =>
        db.Scalar("SELECT event_id FROM matrix_txns WHERE user_id = $u AND device_id = $d AND txn_id = $t",
            ("$u", r.UserId), ("$d", r.DeviceId), ("$t", txnId)) as string;

    private static void RecordTxn(Db db, MatrixRequest r, string txnId, string eventId) =>
        db.Execute("INSERT INTO matrix_txns (user_id, device_id, txn_id, event_id) VALUES ($u, $d, $t, $e)",
            ("$u", r.UserId), ("$d", r.DeviceId), ("$t", txnId), ("$e", eventId));

    private static async Task Send(MatrixRequest r)
    {
        var roomId = r.Route("roomId");
        var type = r.Route("eventType");
        var txnId = r.Route("txnId");
        // A retried transaction is answered with its event and costs nothing; a new one counts before any other work.
        if (r.Server.Read(db => PreviousTxn(db, r, txnId)) is { } sent)
        {
            await r.JsonAsync(new EventIdResponse(sent), MatrixJsonContext.Default.EventIdResponse).ConfigureAwait(false);
            return;
        }
        r.TakeSend();
        var content = await r.JsonBodyAsync().ConfigureAwait(false);
        var eventId = r.Server.Write(db =>
        {
            if (PreviousTxn(db, r, txnId) is { } previous) return previous;
            var e = r.Server.Actions.Send(db, roomId, r.UserId, type, null, content, r.DeviceId, txnId);
            RecordTxn(db, r, txnId, e.EventId);
            return e.EventId;
        });
        await r.JsonAsync(new EventIdResponse(eventId), MatrixJsonContext.Default.EventIdResponse).ConfigureAwait(false);
    }

    private static async Task PutState(MatrixRequest r, string stateKey)
    {
        var roomId = r.Route("roomId");
        var type = r.Route("eventType");
        if (type != EventTypes.Member) r.TakeSend();
        var content = await r.JsonBodyAsync().ConfigureAwait(false);
        var e = r.Server.Write(db => r.Server.Actions.Send(db, roomId, r.UserId, type, stateKey, content));
        await r.JsonAsync(new EventIdResponse(e.EventId), MatrixJsonContext.Default.EventIdResponse).ConfigureAwait(false);
    }

    /// <summary>The state visible to the user: the current state while joined, the state at their leave after leaving.</summary>
    private static IReadOnlyDictionary<StateKey, string> VisibleState(Db db, MatrixRequest r, string roomId)
    {
        var until = r.Server.Actions.VisibleUntil(db, roomId, r.UserId);
        if (until == long.MaxValue) return r.Server.Rooms.CurrentState(db, roomId);
        var group = (long)db.Scalar("SELECT state_group FROM matrix_events WHERE stream = $s", ("$s", until))!;
        return r.Server.Rooms.States.Load(db, group);
    }

    private static Task GetState(MatrixRequest r, string stateKey)
    {
        var roomId = r.Route("roomId");
        var type = r.Route("eventType");
        var asEvent = r.Query("format") == "event";
        var result = r.Server.Read(db =>
        {
            var state = VisibleState(db, r, roomId);
            if (!state.TryGetValue(new StateKey(type, stateKey), out var id)) throw MatrixException.NotFound($"No {type} state with key '{stateKey}'");
            var e = r.Server.Rooms.GetEvent(db, id)!;
            var formatted = ClientEvents.Format(db, r.Server.Rooms, e, r.Server.Now, r.UserId, r.DeviceId);
            return asEvent ? formatted : (JsonObject)formatted["content"]!.DeepClone();
        });
        return r.JsonAsync(result);
    }

    private static Task AllState(MatrixRequest r)
    {
        var roomId = r.Route("roomId");
        var result = r.Server.Read(db =>
        {
            var array = new JsonArray();
            foreach (var id in VisibleState(db, r, roomId).Values)
                array.Add((JsonNode)ClientEvents.Format(db, r.Server.Rooms, r.Server.Rooms.GetEvent(db, id)!, r.Server.Now, r.UserId, r.DeviceId));
            return array;
        });
        return r.JsonAsync(result);
    }

    /// <summary>Pagination tokens are "s" and a stream position: the gap after that position in the room's history.</summary>
    public static string Token(long position) => "s" + position.ToString(CultureInfo.InvariantCulture);

    public static long? ParseToken(string? token)
    {
        if (token is null) return null;
        // Sync tokens may carry more fields after '_'; the first is the event position.
        var head = token.Split('_')[0];
        if (head.Length > 1 && head[0] is 's' or 't' && long.TryParse(head.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var p)) return p;
        throw MatrixException.InvalidParam($"'{token}' is not a pagination token of this server");
    }

    /// <summary>How many times a page's worth of events /messages reads while looking for ones the user may see.</summary>
    private const int MaxScanRounds = 8;

    private static Task Messages(MatrixRequest r)
    {
        var roomId = r.Route("roomId");
        var dir = r.Query("dir") ?? "b";
        if (dir is not ("b" or "f")) throw MatrixException.InvalidParam("dir must be b or f");
        var limit = r.QueryInt("limit", 10, 1, 1000);
        var from = ParseToken(r.Query("from"));
        var to = ParseToken(r.Query("to"));
        var result = r.Server.Read(db =>
        {
            var visibility = HistoryVisibility.For(db, r.Server.Rooms, roomId, r.UserId);
            visibility.RequireAccess();
            var until = Math.Min(visibility.UpperBound(), r.Server.Clock.Current);
            var start = from ?? (dir == "b" ? until : 0);
            // Events the user may not see are left out; reading goes on until the page is full or the history ends,
            // within a bound, so a page can come back short (even empty) with an "end" to continue from.
            var chunk = new JsonArray();
            var cursor = start;
            var exhausted = false;
            for (var round = 0; round < MaxScanRounds && chunk.Count < limit && !exhausted; round++)
            {
                var events = dir == "b"
                    ? r.Server.Rooms.QueryEvents(db, "room_id = $r AND stream <= $hi AND stream > $lo ORDER BY stream DESC LIMIT $n",
                        ("$r", roomId), ("$hi", Math.Min(cursor, until)), ("$lo", to ?? 0), ("$n", limit))
                    : r.Server.Rooms.QueryEvents(db, "room_id = $r AND stream > $lo AND stream <= $hi ORDER BY stream LIMIT $n",
                        ("$r", roomId), ("$lo", cursor), ("$hi", Math.Min(to ?? long.MaxValue, until)), ("$n", limit));
                exhausted = events.Count < limit;
                foreach (var e in events)
                {
                    cursor = dir == "b" ? e.Stream - 1 : e.Stream;
                    if (visibility.CanSee(e)) chunk.Add((JsonNode)ClientEvents.Format(db, r.Server.Rooms, e, r.Server.Now, r.UserId, r.DeviceId));
                    if (chunk.Count == limit)
                    {
                        exhausted = false;
                        break;
                    }
                }
            }
            var response = new JsonObject { ["start"] = Token(start), ["chunk"] = chunk, ["state"] = new JsonArray() };
            // No "end" when there is nothing more in that direction (client-server API, /messages).
            if (!exhausted) response["end"] = Token(cursor);
            return response;
        });
        return r.JsonAsync(result);
    }

    /// <summary>An event of the room the user may see (history visibility), or 404 as if it did not exist.</summary>
    private static StoredEvent VisibleEvent(Db db, MatrixRequest r, HistoryVisibility visibility, string eventId)
    {
        visibility.RequireAccess();
        var e = r.Server.Rooms.GetEvent(db, eventId);
        if (e is null || !visibility.CanSee(e)) throw MatrixException.NotFound($"Event {eventId} not found");
        return e;
    }

    private static Task GetEvent(MatrixRequest r)
    {
        var roomId = r.Route("roomId");
        var eventId = r.Route("eventId");
        return r.JsonAsync(r.Server.Read(db =>
        {
            var visibility = HistoryVisibility.For(db, r.Server.Rooms, roomId, r.UserId);
            return ClientEvents.Format(db, r.Server.Rooms, VisibleEvent(db, r, visibility, eventId), r.Server.Now, r.UserId, r.DeviceId);
        }));
    }

    private static Task Context(MatrixRequest r)
    {
        var roomId = r.Route("roomId");
        var eventId = r.Route("eventId");
        var limit = r.QueryInt("limit", 10, 0, 100);
        var result = r.Server.Read(db =>
        {
            var visibility = HistoryVisibility.For(db, r.Server.Rooms, roomId, r.UserId);
            var e = VisibleEvent(db, r, visibility, eventId);
            var until = Math.Min(visibility.UpperBound(), r.Server.Clock.Current);
            var before = r.Server.Rooms.QueryEvents(db, "room_id = $r AND stream < $s ORDER BY stream DESC LIMIT $n", ("$r", roomId), ("$s", e.Stream), ("$n", limit / 2 + limit % 2));
            var after = r.Server.Rooms.QueryEvents(db, "room_id = $r AND stream > $s AND stream <= $u ORDER BY stream LIMIT $n", ("$r", roomId), ("$s", e.Stream), ("$u", until), ("$n", limit / 2));
            JsonArray Format(List<StoredEvent> list) => new([.. list.Where(visibility.CanSee).Select(x => (JsonNode)ClientEvents.Format(db, r.Server.Rooms, x, r.Server.Now, r.UserId, r.DeviceId))]);
            // The state at the last event returned (client-server API, /context), which the user may see.
            var last = after.LastOrDefault(visibility.CanSee) ?? e;
            var state = new JsonArray();
            foreach (var id in r.Server.Rooms.States.Load(db, RoomStore.StateGroupOf(db, last)).Values)
                state.Add((JsonNode)ClientEvents.Format(db, r.Server.Rooms, r.Server.Rooms.GetEvent(db, id)!, r.Server.Now, r.UserId, r.DeviceId));
            return new JsonObject
            {
                ["event"] = ClientEvents.Format(db, r.Server.Rooms, e, r.Server.Now, r.UserId, r.DeviceId),
                ["events_before"] = Format(before),
                ["events_after"] = Format(after),
                ["start"] = Token((before.Count > 0 ? before[^1].Stream : e.Stream) - 1),
                ["end"] = Token(after.Count > 0 ? after[^1].Stream : e.Stream),
                ["state"] = state,
            };
        });
        return r.JsonAsync(result);
    }

    private static async Task Redact(MatrixRequest r)
    {
        var roomId = r.Route("roomId");
        var eventId = r.Route("eventId");
        var txnId = r.Route("txnId");
        if (r.Server.Read(db => PreviousTxn(db, r, "redact:" + txnId)) is { } redacted)
        {
            await r.JsonAsync(new EventIdResponse(redacted), MatrixJsonContext.Default.EventIdResponse).ConfigureAwait(false);
            return;
        }
        r.TakeSend();
        var body = await r.JsonBodyAsync(emptyIsObject: true).ConfigureAwait(false);
        var content = new JsonObject();
        if (JsonBody.OptString(body, "reason") is { } reason) content["reason"] = reason;
        var id = r.Server.Write(db =>
        {
            if (PreviousTxn(db, r, "redact:" + txnId) is { } previous) return previous;
            RoomActions.RequireRoomId(roomId);
            var e = r.Server.Actions.Redact(db, roomId, r.UserId, eventId, content, r.DeviceId, txnId);
            RecordTxn(db, r, "redact:" + txnId, e.EventId);
            return e.EventId;
        });
        await r.JsonAsync(new EventIdResponse(id), MatrixJsonContext.Default.EventIdResponse).ConfigureAwait(false);
    }

    private static Task Members(MatrixRequest r)
    {
        var roomId = r.Route("roomId");
        var only = r.Query("membership");
        var not = r.Query("not_membership");
        var result = r.Server.Read(db =>
        {
            var chunk = new JsonArray();
            foreach (var (key, id) in VisibleState(db, r, roomId))
            {
                if (key.Type != EventTypes.Member) continue;
                var e = r.Server.Rooms.GetEvent(db, id)!;
                var membership = e.Pdu["content"]?["membership"]?.GetValue<string>();
                if (only is not null && membership != only) continue;
                if (not is not null && membership == not) continue;
                chunk.Add((JsonNode)ClientEvents.Format(db, r.Server.Rooms, e, r.Server.Now, r.UserId, r.DeviceId));
            }
            return new JsonObject { ["chunk"] = chunk };
        });
        return r.JsonAsync(result);
    }

    private static Task JoinedMembers(MatrixRequest r)
    {
        var roomId = r.Route("roomId");
        var result = r.Server.Read(db =>
        {
            RoomActions.RequireRoomId(roomId);
            r.Server.Rooms.VersionOf(db, roomId);
            if (r.Server.Rooms.Membership(db, roomId, r.UserId) != "join") throw MatrixException.Forbidden($"You are not in room {roomId}");
            var joined = new JsonObject();
            foreach (var user in r.Server.Rooms.Members(db, roomId, "join"))
            {
                var content = r.Server.Rooms.CurrentStateEvent(db, roomId, EventTypes.Member, user)!.Pdu["content"]!;
                var entry = new JsonObject();
                if (content["displayname"] is JsonValue name) entry["display_name"] = name.DeepClone();
                if (content["avatar_url"] is JsonValue avatar) entry["avatar_url"] = avatar.DeepClone();
                joined[user] = entry;
            }
            return new JsonObject { ["joined"] = joined };
        });
        return r.JsonAsync(result);
    }
}
