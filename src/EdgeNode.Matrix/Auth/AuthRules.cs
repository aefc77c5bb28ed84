using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeNode.Matrix.Events;
using EdgeNode.Matrix.Json;

namespace EdgeNode.Matrix.Auth;

/// <summary>
/// The authorisation rules of room versions 10, 11 and 12 (room version pages, "Authorization rules"),
/// as a pure function of an event and the state it is checked against. Rule numbers in the reasons follow
/// the version 12 page, whose numbering is one higher than 10/11 from its rule 2 on.
/// </summary>
public static class AuthRules
{
    private static readonly string[] NamedLevels = ["users_default", "events_default", "state_default", "ban", "redact", "kick", "invite"];

    /// <summary>
    /// Checks the rules that depend on state. <paramref name="state"/> holds the events of the relevant keys
    /// (see <see cref="AuthEventSelection"/>), including the create event in every version.
    /// <paramref name="isSignedByServer"/> tells whether an event carries a valid signature of a server; it is
    /// consulted for join_authorised_via_users_server and, when null, that signature counts as checked on receipt.
    /// </summary>
    public static AuthDecision Check(Pdu pdu, RoomVersion version, IReadOnlyDictionary<StateKey, Pdu> state,
        Func<Pdu, string, bool>? isSignedByServer = null)
    {
        ArgumentNullException.ThrowIfNull(pdu);
        ArgumentNullException.ThrowIfNull(state);

        if (pdu.Type == EventTypes.Create) return CheckCreate(pdu, version);

        if (!state.TryGetValue(StateKey.Create, out Pdu? create)) return AuthDecision.Reject("3: no m.room.create event");
        if (version.RoomIdIsCreateEventHash && pdu.RoomId != "!" + create.EventId[1..])
            return AuthDecision.Reject("2: room_id is not the create event's ID");

        if (create.Content["m.federate"] is JsonValue federate && federate.GetValueKind() == JsonValueKind.False
            && UserIds.ServerName(pdu.Sender) != UserIds.ServerName(create.Sender))
            return AuthDecision.Reject("4: the room does not federate");

        var levels = PowerLevels.From(state.GetValueOrDefault(StateKey.PowerLevels), create, version);

        if (pdu.Type == EventTypes.Member) return MembershipRules.Check(pdu, version, state, create, levels, isSignedByServer);

        if (MembershipRules.Of(state, pdu.Sender) != "join") return AuthDecision.Reject("6: sender is not joined");

        long senderLevel = levels.UserLevel(pdu.Sender);
        if (pdu.Type == EventTypes.ThirdPartyInvite)
            return senderLevel >= levels.NamedLevel("invite")
                ? AuthDecision.Allow("7: sender may invite")
                : AuthDecision.Reject("7: sender below the invite level");

        if (levels.RequiredLevel(pdu.Type, pdu.IsState) > senderLevel) return AuthDecision.Reject("8: sender below the required level");

        if (pdu.StateKey is { Length: > 0 } key && key[0] == '@' && key != pdu.Sender)
            return AuthDecision.Reject("9: state key names another user");

        if (pdu.Type == EventTypes.PowerLevels) return CheckPowerLevels(pdu, version, state, levels, senderLevel);

        return AuthDecision.Allow("11: otherwise allow");
    }

    /// <summary>
    /// Checks an event against its own auth_events (the receipt check "based on the event's auth events"):
    /// the list rules first, then <see cref="Check"/> over the state the list describes. In version 12 the
    /// create event is not listed, so the caller passes the accepted create event its room ID names.
    /// </summary>
    public static AuthDecision CheckAgainstAuthEvents(Pdu pdu, RoomVersion version, IReadOnlyList<Pdu> authEvents,
        Pdu? roomCreateEvent = null, Func<Pdu, string, bool>? isSignedByServer = null)
    {
        ArgumentNullException.ThrowIfNull(pdu);
        ArgumentNullException.ThrowIfNull(authEvents);
        if (pdu.Type == EventTypes.Create) return CheckCreate(pdu, version);

        var allowed = AuthEventSelection.Keys(pdu, version);
        var state = new Dictionary<StateKey, Pdu>();
        foreach (Pdu authEvent in authEvents)
        {
            if (!authEvent.IsState) return AuthDecision.Reject("3.2: an auth event is not a state event");
            if (!state.TryAdd(authEvent.Key, authEvent)) return AuthDecision.Reject("3.1: duplicate auth events for one key");
            if (!allowed.Contains(authEvent.Key)) return AuthDecision.Reject("3.2: an auth event is not one the selection algorithm picks");
            if (authEvent.Rejected) return AuthDecision.Reject("3.3: an auth event was rejected");
            if (authEvent.RoomId is not null && authEvent.RoomId != pdu.RoomId) return AuthDecision.Reject("3.5: an auth event is from another room");
        }

        if (version.RoomIdIsCreateEventHash)
        {
            if (roomCreateEvent is null || roomCreateEvent.Rejected) return AuthDecision.Reject("2: the room's create event is unknown or rejected");
            state[StateKey.Create] = roomCreateEvent;
        }
        else if (!state.ContainsKey(StateKey.Create))
        {
            return AuthDecision.Reject("2.4: no m.room.create among the auth events");
        }
        return Check(pdu, version, state, isSignedByServer);
    }

    private static AuthDecision CheckCreate(Pdu pdu, RoomVersion version)
    {
        if (pdu.PrevEvents.Count > 0) return AuthDecision.Reject("1.1: create event has prev_events");
        if (version.RoomIdIsCreateEventHash)
        {
            if (pdu.Json.ContainsKey("room_id")) return AuthDecision.Reject("1.2: create event has a room_id");
        }
        else
        {
            string? roomDomain = pdu.RoomId is { } roomId && roomId.IndexOf(':') is var colon and > 0 ? roomId[(colon + 1)..] : null;
            if (roomDomain is null || roomDomain != UserIds.ServerName(pdu.Sender))
                return AuthDecision.Reject("1.2: room_id domain differs from the sender's");
        }
        if (pdu.Content.TryGetPropertyValue("room_version", out JsonNode? roomVersion)
            && !(roomVersion is JsonValue v && v.TryGetValue(out string? id) && RoomVersion.IsKnownId(id)))
            return AuthDecision.Reject("1.3: unknown room_version");
        if (version.CreatorFromContent && !pdu.Content.ContainsKey("creator"))
            return AuthDecision.Reject("1.4: no creator in content");
        if (version.CreatorsHaveInfinitePower && pdu.Content.TryGetPropertyValue("additional_creators", out JsonNode? creators))
        {
            if (creators is not JsonArray list) return AuthDecision.Reject("1.4: additional_creators is not an array");
            foreach (JsonNode? entry in list)
            {
                if (!(entry is JsonValue e && e.TryGetValue(out string? user) && UserIds.IsValid(user)))
                    return AuthDecision.Reject("1.4: additional_creators holds an invalid user ID");
            }
        }
        return AuthDecision.Allow("1.5: create event");
    }

    private static AuthDecision CheckPowerLevels(Pdu pdu, RoomVersion version, IReadOnlyDictionary<StateKey, Pdu> state,
        PowerLevels levels, long senderLevel)
    {
        JsonObject content = pdu.Content;
        foreach (string name in NamedLevels)
        {
            if (content.TryGetPropertyValue(name, out JsonNode? node) && !JsonIntegers.TryGet(node, out _))
                return AuthDecision.Reject($"10.1: {name} is not an integer");
        }
        foreach (string name in (ReadOnlySpan<string>)["events", "notifications"])
        {
            if (content.TryGetPropertyValue(name, out JsonNode? node) && !IsIntegerMap(node, userIds: false))
                return AuthDecision.Reject($"10.2: {name} is not an object of integers");
        }
        if (content.TryGetPropertyValue("users", out JsonNode? users) && !IsIntegerMap(users, userIds: true))
            return AuthDecision.Reject("10.3: users is not an object of user IDs to integers");
        if (version.CreatorsHaveInfinitePower && users is JsonObject userLevels)
        {
            foreach (var (user, _) in userLevels)
                if (levels.IsCreator(user)) return AuthDecision.Reject("10.4: users lists a room creator");
        }

        if (!state.TryGetValue(StateKey.PowerLevels, out Pdu? previous)) return AuthDecision.Allow("10.5: first power levels event");
        JsonObject old = previous.Content;

        foreach (string name in NamedLevels)
        {
            if (!AllowedChange(Get(old, name), Get(content, name), senderLevel))
                return AuthDecision.Reject($"10.6: {name} change exceeds the sender's level");
        }
        foreach (string name in (ReadOnlySpan<string>)["events", "notifications"])
        {
            JsonObject? before = old[name] as JsonObject, after = content[name] as JsonObject;
            foreach (string key in UnionKeys(before, after))
            {
                if (!AllowedChange(Get(before, key), Get(after, key), senderLevel))
                    return AuthDecision.Reject($"10.7: {name}.{key} change exceeds the sender's level");
            }
        }
        JsonObject? usersBefore = old["users"] as JsonObject, usersAfter = content["users"] as JsonObject;
        foreach (string user in UnionKeys(usersBefore, usersAfter))
        {
            long? before = Get(usersBefore, user), after = Get(usersAfter, user);
            if (before == after) continue;
            if (user != pdu.Sender && before >= senderLevel) return AuthDecision.Reject($"10.9: cannot change {user}, who is not below the sender");
            if (after > senderLevel) return AuthDecision.Reject($"10.10: cannot raise {user} above the sender");
        }
        return AuthDecision.Allow("10.11: power levels change within the sender's level");
    }

    // Rules 10.6 to 10.8: a changed, added or removed value may be neither above the sender before nor after.
    private static bool AllowedChange(long? before, long? after, long senderLevel)
    {
        if (before == after) return true;
        if (before > senderLevel) return false;
        return !(after > senderLevel);
    }

    private static long? Get(JsonObject? obj, string name) =>
        obj is not null && JsonIntegers.TryGet(obj[name], out long value) ? value : null;

    private static SortedSet<string> UnionKeys(JsonObject? a, JsonObject? b)
    {
        var keys = new SortedSet<string>(StringComparer.Ordinal);
        if (a is not null) foreach (var (key, _) in a) keys.Add(key);
        if (b is not null) foreach (var (key, _) in b) keys.Add(key);
        return keys;
    }

    private static bool IsIntegerMap(JsonNode? node, bool userIds)
    {
        if (node is not JsonObject obj) return false;
        foreach (var (key, value) in obj)
        {
            if (userIds && !UserIds.IsValid(key)) return false;
            if (!JsonIntegers.TryGet(value, out _)) return false;
        }
        return true;
    }
}
