using System.Text.Json.Nodes;

namespace EdgeNode.Matrix.ClientApi;

/// <summary>
/// The spec's default push rule set ("Predefined Rules"), built for one user. It is served read-only: clients
/// need it to decide what to highlight, and matrix-js-sdk retries until it gets one.
/// </summary>
public static class PushRules
{
    private static JsonArray Notify(bool sound = false, bool highlight = false)
    {
        var actions = new JsonArray("notify");
        if (sound) actions.Add((JsonNode)new JsonObject { ["set_tweak"] = "sound", ["value"] = "default" });
        if (highlight) actions.Add((JsonNode)new JsonObject { ["set_tweak"] = "highlight" });
        return actions;
    }

    private static JsonObject Match(string key, string pattern) => new() { ["kind"] = "event_match", ["key"] = key, ["pattern"] = pattern };

    private static JsonObject Rule(string id, JsonArray actions, params JsonNode[] conditions) => new()
    {
        ["rule_id"] = id,
        ["default"] = true,
        ["enabled"] = true,
        ["conditions"] = new JsonArray(conditions),
        ["actions"] = actions,
    };

    public static JsonObject Global(string userId, string localpart)
    {
        var master = Rule(".m.rule.master", []);
        master["enabled"] = false;
        var overrideRules = new JsonArray(
            master,
            Rule(".m.rule.suppress_notices", [], Match("content.msgtype", "m.notice")),
            Rule(".m.rule.invite_for_me", Notify(sound: true), Match("type", "m.room.member"), Match("content.membership", "invite"), Match("state_key", userId)),
            Rule(".m.rule.member_event", [], Match("type", "m.room.member")),
            Rule(".m.rule.is_user_mention", Notify(highlight: true), new JsonObject { ["kind"] = "event_property_contains", ["key"] = "content.m\\.mentions.user_ids", ["value"] = userId }),
            Rule(".m.rule.is_room_mention", Notify(highlight: true),
                new JsonObject { ["kind"] = "event_property_is", ["key"] = "content.m\\.mentions.room", ["value"] = true },
                new JsonObject { ["kind"] = "sender_notification_permission", ["key"] = "room" }),
            Rule(".m.rule.tombstone", Notify(highlight: true), Match("type", "m.room.tombstone"), Match("state_key", "")),
            Rule(".m.rule.reaction", [], Match("type", "m.reaction")),
            Rule(".m.rule.room.server_acl", [], Match("type", "m.room.server_acl"), Match("state_key", "")),
            Rule(".m.rule.suppress_edits", [], new JsonObject { ["kind"] = "event_property_is", ["key"] = "content.m\\.relates_to.rel_type", ["value"] = "m.replace" }));
        var contentRule = Rule(".m.rule.contains_user_name", Notify(sound: true, highlight: true));
        contentRule.Remove("conditions");
        contentRule["pattern"] = localpart;
        var underride = new JsonArray(
            Rule(".m.rule.call", Notify(sound: true), Match("type", "m.call.invite")),
            Rule(".m.rule.encrypted_room_one_to_one", Notify(sound: true), new JsonObject { ["kind"] = "room_member_count", ["is"] = "2" }, Match("type", "m.room.encrypted")),
            Rule(".m.rule.room_one_to_one", Notify(sound: true), new JsonObject { ["kind"] = "room_member_count", ["is"] = "2" }, Match("type", "m.room.message")),
            Rule(".m.rule.message", Notify(), Match("type", "m.room.message")),
            Rule(".m.rule.encrypted", Notify(), Match("type", "m.room.encrypted")));
        return new JsonObject
        {
            ["override"] = overrideRules,
            ["content"] = new JsonArray(contentRule),
            ["room"] = new JsonArray(),
            ["sender"] = new JsonArray(),
            ["underride"] = underride,
        };
    }
}
