using System.Text.Json.Nodes;
using EdgeNode.Matrix.Events;

namespace EdgeNode.Matrix.Auth;

/// <summary>
/// The state an event's authorisation depends on (server-server spec "Auth events selection"). The same
/// keys decide which auth_events are allowed and which entries state resolution takes from the state.
/// </summary>
public static class AuthEventSelection
{
    public static List<StateKey> Keys(Pdu pdu, RoomVersion version)
    {
        var keys = new List<StateKey>(6);
        if (pdu.Type == EventTypes.Create) return keys;
        // From version 12 the room ID names the create event, and it must not be listed.
        if (!version.RoomIdIsCreateEventHash) keys.Add(StateKey.Create);
        keys.Add(StateKey.PowerLevels);
        keys.Add(StateKey.Member(pdu.Sender));
        if (pdu.Type != EventTypes.Member || pdu.StateKey is null) return keys;

        AddOnce(keys, StateKey.Member(pdu.StateKey));
        string? membership = pdu.ContentString("membership");
        // The spec lists join and invite; knock is checked against the join rule too, so it may cite it.
        if (membership is "join" or "invite" or "knock") keys.Add(StateKey.JoinRules);
        if (membership == "invite" && pdu.Content["third_party_invite"] is JsonObject invite
            && invite["signed"] is JsonObject signed && signed["token"] is JsonValue token && token.TryGetValue(out string? tokenText))
            keys.Add(new StateKey(EventTypes.ThirdPartyInvite, tokenText));
        if (pdu.ContentString("join_authorised_via_users_server") is { } authoriser)
            AddOnce(keys, StateKey.Member(authoriser));
        return keys;
    }

    private static void AddOnce(List<StateKey> keys, StateKey key)
    {
        if (!keys.Contains(key)) keys.Add(key);
    }
}
