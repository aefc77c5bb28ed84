using System.Text.Json.Nodes;
using EdgeNode.Matrix.Events;

namespace EdgeNode.Matrix.Auth;

/// <summary>Rule 5 (4 in versions 10 and 11) of the authorisation rules: m.room.member events.</summary>
internal static class MembershipRules
{
    /// <summary>A user's current membership; no member event means "leave".</summary>
    public static string Of(IReadOnlyDictionary<StateKey, Pdu> state, string userId) =>
        state.TryGetValue(StateKey.Member(userId), out Pdu? member) ? member.ContentString("membership") ?? "leave" : "leave";

    public static AuthDecision Check(Pdu pdu, RoomVersion version, IReadOnlyDictionary<StateKey, Pdu> state, Pdu create,
        PowerLevels levels, Func<Pdu, string, bool>? isSignedByServer)
    {
        string? target = pdu.StateKey;
        string? membership = pdu.ContentString("membership");
        if (target is null || membership is null) return AuthDecision.Reject("5.1: no state_key or membership");

        if (pdu.Content.TryGetPropertyValue("join_authorised_via_users_server", out JsonNode? authoriserNode) && isSignedByServer is not null)
        {
            string? server = authoriserNode is JsonValue v && v.TryGetValue(out string? authoriser) ? UserIds.ServerName(authoriser) : null;
            if (server is null || !isSignedByServer(pdu, server))
                return AuthDecision.Reject("5.2: not signed by the authorising user's server");
        }

        string senderMembership = Of(state, pdu.Sender);
        string targetMembership = Of(state, target);
        string joinRule = state.TryGetValue(StateKey.JoinRules, out Pdu? rules) ? rules.ContentString("join_rule") ?? "invite" : "invite";

        return membership switch
        {
            "join" => Join(pdu, version, state, create, levels, target, targetMembership, senderMembership, joinRule),
            "invite" => Invite(pdu, state, levels, target, targetMembership, senderMembership),
            "leave" => Leave(pdu, levels, target, targetMembership, senderMembership),
            "ban" => Ban(pdu, levels, target, senderMembership),
            "knock" => Knock(pdu, target, senderMembership, joinRule),
            _ => AuthDecision.Reject("5.8: unknown membership"),
        };
    }

    private static AuthDecision Join(Pdu pdu, RoomVersion version, IReadOnlyDictionary<StateKey, Pdu> state, Pdu create,
        PowerLevels levels, string target, string targetMembership, string senderMembership, string joinRule)
    {
        string creator = version.CreatorFromContent ? create.ContentString("creator") ?? create.Sender : create.Sender;
        if (pdu.PrevEvents.Count == 1 && pdu.PrevEvents[0] == create.EventId && target == creator)
            return AuthDecision.Allow("5.3.1: the creator's first join");
        if (pdu.Sender != target) return AuthDecision.Reject("5.3.2: sender joins someone else");
        if (senderMembership == "ban") return AuthDecision.Reject("5.3.3: sender is banned");
        switch (joinRule)
        {
            case "invite" or "knock":
                return targetMembership is "invite" or "join"
                    ? AuthDecision.Allow("5.3.4: invited or joined")
                    : AuthDecision.Reject("5.3.4: not invited");
            case "restricted" or "knock_restricted":
                if (targetMembership is "invite" or "join") return AuthDecision.Allow("5.3.5.1: invited or joined");
                string? authoriser = pdu.ContentString("join_authorised_via_users_server");
                // The authorising user must be able to invite, which needs a joined member at the invite level.
                if (authoriser is null || Of(state, authoriser) != "join" || levels.UserLevel(authoriser) < levels.NamedLevel("invite"))
                    return AuthDecision.Reject("5.3.5.2: no authorising user able to invite");
                return AuthDecision.Allow("5.3.5.3: authorised restricted join");
            case "public":
                return AuthDecision.Allow("5.3.6: public room");
            default:
                return AuthDecision.Reject("5.3.7: join rule does not allow joining");
        }
    }

    private static AuthDecision Invite(Pdu pdu, IReadOnlyDictionary<StateKey, Pdu> state, PowerLevels levels,
        string target, string targetMembership, string senderMembership)
    {
        if (pdu.Content.TryGetPropertyValue("third_party_invite", out JsonNode? thirdParty))
        {
            if (targetMembership == "ban") return AuthDecision.Reject("5.4.1.1: target is banned");
            if (thirdParty is not JsonObject invite || invite["signed"] is not JsonObject signed)
                return AuthDecision.Reject("5.4.1.2: third_party_invite has no signed block");
            string? mxid = signed["mxid"] is JsonValue m && m.TryGetValue(out string? mx) ? mx : null;
            string? token = signed["token"] is JsonValue t && t.TryGetValue(out string? tk) ? tk : null;
            if (mxid is null || token is null) return AuthDecision.Reject("5.4.1.3: signed lacks mxid or token");
            if (mxid != target) return AuthDecision.Reject("5.4.1.4: mxid differs from the state key");
            if (!state.TryGetValue(new StateKey(EventTypes.ThirdPartyInvite, token), out Pdu? inviteEvent))
                return AuthDecision.Reject("5.4.1.5: no matching m.room.third_party_invite");
            if (inviteEvent.Sender != pdu.Sender) return AuthDecision.Reject("5.4.1.6: sender did not send the third-party invite");
            return ThirdPartyInvites.AnySignatureMatches(signed, inviteEvent.Content)
                ? AuthDecision.Allow("5.4.1.7: third-party invite signature matches")
                : AuthDecision.Reject("5.4.1.8: no signature matches the invite's public keys");
        }
        if (senderMembership != "join") return AuthDecision.Reject("5.4.2: sender is not joined");
        if (targetMembership is "join" or "ban") return AuthDecision.Reject("5.4.3: target is joined or banned");
        return levels.UserLevel(pdu.Sender) >= levels.NamedLevel("invite")
            ? AuthDecision.Allow("5.4.4: sender may invite")
            : AuthDecision.Reject("5.4.5: sender below the invite level");
    }

    private static AuthDecision Leave(Pdu pdu, PowerLevels levels, string target, string targetMembership, string senderMembership)
    {
        if (pdu.Sender == target)
            return targetMembership is "invite" or "join" or "knock"
                ? AuthDecision.Allow("5.5.1: leaving or declining")
                : AuthDecision.Reject("5.5.1: nothing to leave");
        if (senderMembership != "join") return AuthDecision.Reject("5.5.2: sender is not joined");
        long senderLevel = levels.UserLevel(pdu.Sender);
        if (targetMembership == "ban" && senderLevel < levels.NamedLevel("ban")) return AuthDecision.Reject("5.5.3: sender cannot unban");
        return senderLevel >= levels.NamedLevel("kick") && levels.UserLevel(target) < senderLevel
            ? AuthDecision.Allow("5.5.4: kick")
            : AuthDecision.Reject("5.5.5: sender cannot kick the target");
    }

    private static AuthDecision Ban(Pdu pdu, PowerLevels levels, string target, string senderMembership)
    {
        if (senderMembership != "join") return AuthDecision.Reject("5.6.1: sender is not joined");
        long senderLevel = levels.UserLevel(pdu.Sender);
        return senderLevel >= levels.NamedLevel("ban") && levels.UserLevel(target) < senderLevel
            ? AuthDecision.Allow("5.6.2: ban")
            : AuthDecision.Reject("5.6.3: sender cannot ban the target");
    }

    private static AuthDecision Knock(Pdu pdu, string target, string senderMembership, string joinRule)
    {
        if (joinRule is not ("knock" or "knock_restricted")) return AuthDecision.Reject("5.7.1: the room does not allow knocking");
        if (pdu.Sender != target) return AuthDecision.Reject("5.7.2: sender knocks for someone else");
        return senderMembership is "ban" or "invite" or "join"
            ? AuthDecision.Reject("5.7.4: sender is banned, invited or joined")
            : AuthDecision.Allow("5.7.3: knock");
    }
}
