using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeNode.Core.Crypto;
using EdgeNode.Matrix.Auth;
using EdgeNode.Matrix.ClientApi;
using EdgeNode.Matrix.Events;
using EdgeNode.Matrix.Json;
using EdgeNode.Matrix.Signing;
using EdgeNode.Matrix.StateResolution;
using EdgeNode.Matrix.Storage;
using Microsoft.Data.Sqlite;

namespace EdgeNode.Matrix.Rooms;

/// <summary>
/// The room DAG: creates events on behalf of local users (prev_events from the forward extremities, auth_events
/// by the selection algorithm, the room version's authorisation rules, hashes and the node's signature), stores
/// them with their edges and state group, and answers what the state and the membership are.
/// </summary>
public sealed class RoomStore(string serverName, SigningKey signingKey, StateStore states, TimeProvider time)
{
    /// <summary>The spec's limit on a whole PDU in canonical JSON.</summary>
    public const int MaxPduBytes = 65536;
    private const int MaxPrevEvents = 20;
    private const string EventColumns = "stream, event_id, room_id, type, state_key, sender, json, redacted_by, txn_device, txn_id";

    public string ServerName { get; } = serverName;

    public StateStore States { get; } = states;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, RoomVersion> _versions = new(StringComparer.Ordinal);

    /// <summary>A room's version (never changes, so it is cached), or null for a room this node does not have.</summary>
    public RoomVersion? TryVersionOf(Db db, string roomId)
    {
        if (_versions.TryGetValue(roomId, out var known)) return known;
        if (db.Scalar("SELECT version FROM matrix_rooms WHERE room_id = $r", ("$r", roomId)) is not string id || !RoomVersion.TryGet(id, out var v)) return null;
        if (!db.Writable) _versions[roomId] = v;
        return v;
    }

    public RoomVersion VersionOf(Db db, string roomId) =>
        TryVersionOf(db, roomId) ?? throw MatrixException.NotFound($"Unknown room {roomId}");

    public StoredEvent? GetEvent(Db db, string eventId)
    {
        using var query = db.Command($"SELECT {EventColumns} FROM matrix_events WHERE event_id = $e", ("$e", eventId));
        using var row = query.ExecuteReader();
        return row.Read() ? ReadEvent(row) : null;
    }

    public static StoredEvent ReadEvent(SqliteDataReader row) => new(
        row.GetInt64(0), row.GetString(1), row.GetString(2), row.GetString(3), row.IsDBNull(4) ? null : row.GetString(4), row.GetString(5),
        JsonNode.Parse(row.GetString(6))!.AsObject(), row.IsDBNull(7) ? null : row.GetString(7),
        row.IsDBNull(8) ? null : row.GetString(8), row.IsDBNull(9) ? null : row.GetString(9));

    public List<StoredEvent> QueryEvents(Db db, string whereAndOrder, params ReadOnlySpan<(string, object?)> parameters)
    {
        using var query = db.Command($"SELECT {EventColumns} FROM matrix_events WHERE {whereAndOrder}", parameters);
        using var rows = query.ExecuteReader();
        var list = new List<StoredEvent>();
        while (rows.Read()) list.Add(ReadEvent(rows));
        return list;
    }

    public Pdu? GetPdu(Db db, string eventId)
    {
        using var query = db.Command("SELECT json, rejected FROM matrix_events WHERE event_id = $e", ("$e", eventId));
        using var row = query.ExecuteReader();
        return row.Read() ? Pdu.FromJson(JsonNode.Parse(row.GetString(0))!.AsObject(), eventId, row.GetInt64(1) != 0) : null;
    }

    /// <summary>The room's current state (after all forward extremities), as state key to event ID.</summary>
    public Dictionary<StateKey, string> CurrentState(Db db, string roomId)
    {
        using var query = db.Command("SELECT type, state_key, event_id FROM matrix_current_state WHERE room_id = $r", ("$r", roomId));
        using var rows = query.ExecuteReader();
        var state = new Dictionary<StateKey, string>();
        while (rows.Read()) state[new StateKey(rows.GetString(0), rows.GetString(1))] = rows.GetString(2);
        return state;
    }

    public StoredEvent? CurrentStateEvent(Db db, string roomId, string type, string stateKey) =>
        db.Scalar("SELECT event_id FROM matrix_current_state WHERE room_id = $r AND type = $t AND state_key = $k",
            ("$r", roomId), ("$t", type), ("$k", stateKey)) is string id ? GetEvent(db, id) : null;

    /// <summary>A user's current membership of a room ("join", "invite", "leave", "ban", "knock"), or null for none.</summary>
    public string? Membership(Db db, string roomId, string userId) =>
        db.Scalar("SELECT membership FROM matrix_current_state WHERE room_id = $r AND type = 'm.room.member' AND state_key = $u",
            ("$r", roomId), ("$u", userId)) as string;

    /// <summary>Whether the user ever had one of the memberships in the room (any member event, not only the current one).</summary>
    public static bool EverHadMembership(Db db, string roomId, string userId, string membership) =>
        db.Scalar("SELECT 1 FROM matrix_events WHERE room_id = $r AND type = 'm.room.member' AND state_key = $u AND membership = $m LIMIT 1",
            ("$r", roomId), ("$u", userId), ("$m", membership)) is not null;

    /// <summary>The state group after an event (for a message event, also the state before it).</summary>
    public static long StateGroupOf(Db db, StoredEvent e) =>
        (long)db.Scalar("SELECT state_group FROM matrix_events WHERE stream = $s", ("$s", e.Stream))!;

    /// <summary>The state group before a state event: that of its first prev_event, or null for the create event.</summary>
    public static long? StateGroupBefore(Db db, StoredEvent e) =>
        db.Scalar("""
            SELECT p.state_group FROM matrix_event_edges x JOIN matrix_events p ON p.event_id = x.prev_event_id
            WHERE x.event_id = $e ORDER BY p.stream DESC LIMIT 1
            """, ("$e", e.EventId)) as long?;

    public List<string> Members(Db db, string roomId, string membership)
    {
        using var query = db.Command("SELECT state_key FROM matrix_current_state WHERE room_id = $r AND type = 'm.room.member' AND membership = $m ORDER BY state_key",
            ("$r", roomId), ("$m", membership));
        using var rows = query.ExecuteReader();
        var list = new List<string>();
        while (rows.Read()) list.Add(rows.GetString(0));
        return list;
    }

    /// <summary>Creates a room with its m.room.create event and returns the room ID.</summary>
    public string CreateRoom(Db db, RoomVersion version, string creator, JsonObject content)
    {
        content["room_version"] = version.Id;
        if (version.CreatorFromContent) content["creator"] = creator;
        else content.Remove("creator");
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var json = new JsonObject
        {
            ["type"] = EventTypes.Create,
            ["state_key"] = "",
            ["sender"] = creator,
            ["content"] = content,
            ["origin_server_ts"] = now,
            ["depth"] = 1,
            ["prev_events"] = new JsonArray(),
            ["auth_events"] = new JsonArray(),
        };
        string? roomId = null;
        if (!version.RoomIdIsCreateEventHash)
        {
            roomId = "!" + RandomId(18) + ":" + ServerName;
            json["room_id"] = roomId;
        }
        var decision = AuthRules.Check(Pdu.FromJson(json, "$pending"), version, new Dictionary<StateKey, Pdu>());
        if (!decision.Allowed) throw MatrixException.Forbidden($"The create event breaks the authorisation rules ({decision.Reason})");
        var signed = Sign(json, version);
        var eventId = EventHashing.ComputeEventId(signed, version);
        roomId ??= EventHashing.ComputeRoomId(signed, version);
        db.Execute("INSERT INTO matrix_rooms (room_id, version, creator, created_at) VALUES ($r, $v, $c, $t)",
            ("$r", roomId), ("$v", version.Id), ("$c", creator), ("$t", now));
        var state = new Dictionary<StateKey, string> { [StateKey.Create] = eventId };
        var group = States.Create(db, roomId, null, state, state);
        Insert(db, roomId, eventId, signed, EventTypes.Create, "", creator, 1, now, group, null, null);
        db.Execute("INSERT INTO matrix_forward_extremities (room_id, event_id) VALUES ($r, $e)", ("$r", roomId), ("$e", eventId));
        SetCurrent(db, roomId, StateKey.Create, eventId, null);
        return roomId;
    }

    /// <summary>
    /// Creates, checks, signs and stores one event. The state before it is the state after its prev_events
    /// (resolved with the room version's state resolution when they disagree); an event the authorisation rules
    /// refuse raises M_FORBIDDEN and nothing is stored. <paramref name="prevEvents"/> overrides the forward
    /// extremities (tests use it to make concurrent branches).
    /// </summary>
    public StoredEvent Send(Db db, string roomId, string sender, string type, string? stateKey, JsonObject content,
        string? txnDevice = null, string? txnId = null, IReadOnlyList<string>? prevEvents = null, string? redacts = null)
    {
        var version = VersionOf(db, roomId);
        var prevs = prevEvents?.ToList() ?? Extremities(db, roomId);
        if (prevs.Count == 0) throw MatrixException.NotFound($"Room {roomId} has no events");
        if (prevs.Count > MaxPrevEvents) prevs = prevs.TakeLast(MaxPrevEvents).ToList();

        long depth = 0;
        var groups = new List<long>();
        foreach (var prev in prevs)
        {
            using var query = db.Command("SELECT depth, state_group FROM matrix_events WHERE event_id = $e AND room_id = $r", ("$e", prev), ("$r", roomId));
            using var row = query.ExecuteReader();
            if (!row.Read()) throw MatrixException.NotFound($"Unknown event {prev}");
            depth = Math.Max(depth, row.GetInt64(0));
            if (!groups.Contains(row.GetInt64(1))) groups.Add(row.GetInt64(1));
        }
        var (stateBefore, baseGroup) = StateAfter(db, version, groups);

        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var json = new JsonObject
        {
            ["room_id"] = roomId,
            ["type"] = type,
            ["sender"] = sender,
            ["content"] = content,
            ["origin_server_ts"] = now,
            ["depth"] = depth + 1,
            ["prev_events"] = new JsonArray([.. prevs.Select(p => (JsonNode)p)]),
        };
        if (stateKey is not null) json["state_key"] = stateKey;
        if (redacts is not null && version.Redaction == RedactionRules.V9) json["redacts"] = redacts;
        var pending = Pdu.FromJson(json, "$pending");
        var authState = new Dictionary<StateKey, Pdu>();
        var authIds = new JsonArray();
        foreach (var key in AuthEventSelection.Keys(pending, version).Append(StateKey.Create))
        {
            if (authState.ContainsKey(key) || !stateBefore.TryGetValue(key, out var id)) continue;
            authState[key] = GetPdu(db, id) ?? throw new InvalidOperationException($"state event {id} is missing");
            if (key != StateKey.Create || !version.RoomIdIsCreateEventHash) authIds.Add((JsonNode)id);
        }
        json["auth_events"] = authIds;
        pending = Pdu.FromJson(json, "$pending");
        var decision = AuthRules.Check(pending, version, authState);
        if (!decision.Allowed) throw MatrixException.Forbidden($"The event breaks the room's authorisation rules ({decision.Reason})");

        JsonObject signed;
        try
        {
            signed = Sign(json, version);
        }
        catch (CanonicalJsonException e)
        {
            throw MatrixException.BadJson($"The event content is not valid Matrix JSON: {e.Message}");
        }
        if (CanonicalJson.Serialize(signed).Length > MaxPduBytes) throw MatrixException.TooLarge($"The event is larger than {MaxPduBytes} bytes");
        var eventId = EventHashing.ComputeEventId(signed, version);

        long group;
        if (stateKey is not null)
        {
            var key = new StateKey(type, stateKey);
            var after = new Dictionary<StateKey, string>(stateBefore) { [key] = eventId };
            group = States.Create(db, roomId, baseGroup, after, new Dictionary<StateKey, string> { [key] = eventId });
        }
        else
        {
            group = baseGroup ?? States.Create(db, roomId, null, stateBefore, stateBefore);
        }
        var stream = Insert(db, roomId, eventId, signed, type, stateKey, sender, depth + 1, now, group, txnDevice, txnId);

        foreach (var prev in prevs)
            db.Execute("DELETE FROM matrix_forward_extremities WHERE room_id = $r AND event_id = $e", ("$r", roomId), ("$e", prev));
        db.Execute("INSERT INTO matrix_forward_extremities (room_id, event_id) VALUES ($r, $e)", ("$r", roomId), ("$e", eventId));
        var extremities = Extremities(db, roomId);
        if (extremities.Count == 1 && groups.Count == 1 && prevEvents is null)
        {
            if (stateKey is not null) SetCurrent(db, roomId, new StateKey(type, stateKey), eventId, content["membership"] is JsonValue m && m.TryGetValue(out string? ms) ? ms : null);
        }
        else
        {
            RecomputeCurrent(db, version, roomId, extremities);
        }

        if (type == EventTypes.Redaction && redacts is not null)
            db.Execute("UPDATE matrix_events SET redacted_by = $by WHERE event_id = $e AND room_id = $r AND redacted_by IS NULL",
                ("$by", eventId), ("$e", redacts), ("$r", roomId));
        return new StoredEvent(stream, eventId, roomId, type, stateKey, sender, signed, null, txnDevice, txnId);
    }

    public List<string> Extremities(Db db, string roomId)
    {
        using var query = db.Command("SELECT f.event_id FROM matrix_forward_extremities f JOIN matrix_events e ON e.event_id = f.event_id WHERE f.room_id = $r ORDER BY e.stream",
            ("$r", roomId));
        using var rows = query.ExecuteReader();
        var list = new List<string>();
        while (rows.Read()) list.Add(rows.GetString(0));
        return list;
    }

    /// <summary>The state after a set of events given by their state groups: the group itself, or the resolution of several.</summary>
    private (IReadOnlyDictionary<StateKey, string> State, long? Group) StateAfter(Db db, RoomVersion version, List<long> groups)
    {
        if (groups.Count == 1) return (States.Load(db, groups[0]), groups[0]);
        var sets = groups.Select(g => States.Load(db, g)).ToList();
        return (StateResolver.Resolve(version, sets, id => GetPdu(db, id)), null);
    }

    private void RecomputeCurrent(Db db, RoomVersion version, string roomId, List<string> extremities)
    {
        var groups = new List<long>();
        foreach (var id in extremities)
        {
            var g = (long)db.Scalar("SELECT state_group FROM matrix_events WHERE event_id = $e", ("$e", id))!;
            if (!groups.Contains(g)) groups.Add(g);
        }
        var (state, _) = StateAfter(db, version, groups);
        db.Execute("DELETE FROM matrix_current_state WHERE room_id = $r", ("$r", roomId));
        foreach (var (key, id) in state)
        {
            string? membership = null;
            if (key.Type == EventTypes.Member) membership = GetPdu(db, id)?.ContentString("membership");
            SetCurrent(db, roomId, key, id, membership);
        }
    }

    private static void SetCurrent(Db db, string roomId, StateKey key, string eventId, string? membership) =>
        db.Execute("""
            INSERT INTO matrix_current_state (room_id, type, state_key, event_id, membership) VALUES ($r, $t, $k, $e, $m)
            ON CONFLICT (room_id, type, state_key) DO UPDATE SET event_id = $e, membership = $m
            """, ("$r", roomId), ("$t", key.Type), ("$k", key.Key), ("$e", eventId), ("$m", membership));

    private static long Insert(Db db, string roomId, string eventId, JsonObject pdu, string type, string? stateKey, string sender,
        long depth, long ts, long group, string? txnDevice, string? txnId)
    {
        var stream = db.NextStream();
        db.Execute("""
            INSERT INTO matrix_events (stream, event_id, room_id, type, state_key, sender, depth, origin_server_ts, json, state_group, txn_device, txn_id, membership)
            VALUES ($s, $e, $r, $t, $k, $snd, $d, $ts, $j, $g, $td, $ti, $m)
            """, ("$s", stream), ("$e", eventId), ("$r", roomId), ("$t", type), ("$k", stateKey), ("$snd", sender), ("$d", depth),
            ("$ts", ts), ("$j", pdu.ToJsonString()), ("$g", group), ("$td", txnDevice), ("$ti", txnId),
            ("$m", type == EventTypes.Member && stateKey is not null && pdu["content"]?["membership"] is JsonValue m && m.TryGetValue(out string? ms) ? ms : null));
        foreach (var prev in pdu["prev_events"]!.AsArray())
            db.Execute("INSERT OR IGNORE INTO matrix_event_edges (event_id, prev_event_id) VALUES ($e, $p)", ("$e", eventId), ("$p", (string)prev!));
        foreach (var auth in pdu["auth_events"]!.AsArray())
            db.Execute("INSERT OR IGNORE INTO matrix_event_auth (event_id, auth_event_id) VALUES ($e, $a)", ("$e", eventId), ("$a", (string)auth!));
        return stream;
    }

    private JsonObject Sign(JsonObject json, RoomVersion version) => EventSigning.HashAndSign(json, version, ServerName, signingKey);

    public static string RandomId(int length)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        return RandomNumberGenerator.GetString(alphabet, length);
    }

    /// <summary>The JSON text of a value for storage; JsonNode keeps non-ASCII as escapes, which is still valid JSON.</summary>
    public static string Text(JsonNode node) => node.ToJsonString();

    public static JsonValueKind Kind(JsonNode? node) => node?.GetValueKind() ?? JsonValueKind.Null;
}
