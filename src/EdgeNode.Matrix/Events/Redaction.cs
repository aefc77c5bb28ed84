using System.Text.Json.Nodes;

namespace EdgeNode.Matrix.Events;

/// <summary>
/// The redaction algorithm (room version pages, "Redactions"): the keys that survive are those the
/// authorisation rules and the event graph need, so a redacted event still signs, hashes and authorises.
/// </summary>
public static class Redaction
{
    private static readonly HashSet<string> TopLevelV9 =
    [
        "event_id", "type", "room_id", "sender", "state_key", "content", "hashes", "signatures", "depth",
        "prev_events", "prev_state", "auth_events", "origin", "origin_server_ts", "membership",
    ];

    private static readonly HashSet<string> TopLevelV11 =
    [
        "event_id", "type", "room_id", "sender", "state_key", "content", "hashes", "signatures", "depth",
        "prev_events", "auth_events", "origin_server_ts",
    ];

    /// <summary>Returns a redacted copy of <paramref name="pdu"/>; the input is not changed.</summary>
    public static JsonObject Redact(JsonObject pdu, RoomVersion version)
    {
        ArgumentNullException.ThrowIfNull(pdu);
        ArgumentNullException.ThrowIfNull(version);
        HashSet<string> keep = version.Redaction == RedactionRules.V9 ? TopLevelV9 : TopLevelV11;
        string? type = pdu["type"] is JsonValue t && t.TryGetValue(out string? s) ? s : null;

        var redacted = new JsonObject();
        foreach (var (key, value) in pdu)
        {
            if (!keep.Contains(key)) continue;
            redacted[key] = key == "content" && value is JsonObject content
                ? RedactContent(type, content, version.Redaction)
                : value?.DeepClone();
        }
        return redacted;
    }

    private static JsonObject RedactContent(string? type, JsonObject content, RedactionRules rules)
    {
        if (type == "m.room.create" && rules == RedactionRules.V11)
            return (JsonObject)content.DeepClone();

        var kept = new JsonObject();
        string[] allowed = AllowedContentKeys(type, rules);
        foreach (string key in allowed)
        {
            if (content.TryGetPropertyValue(key, out JsonNode? value))
                kept[key] = value?.DeepClone();
        }

        // v11 keeps third_party_invite.signed on members so that a redacted third-party invite still authorises.
        if (type == "m.room.member" && rules == RedactionRules.V11
            && content["third_party_invite"] is JsonObject invite
            && invite.TryGetPropertyValue("signed", out JsonNode? signed))
        {
            kept["third_party_invite"] = new JsonObject { ["signed"] = signed?.DeepClone() };
        }
        return kept;
    }

    private static string[] AllowedContentKeys(string? type, RedactionRules rules) => type switch
    {
        "m.room.member" => ["membership", "join_authorised_via_users_server"],
        "m.room.create" => ["creator"],
        "m.room.join_rules" => ["join_rule", "allow"],
        "m.room.power_levels" => rules == RedactionRules.V9
            ? ["ban", "events", "events_default", "kick", "redact", "state_default", "users", "users_default"]
            : ["ban", "events", "events_default", "invite", "kick", "redact", "state_default", "users", "users_default"],
        "m.room.history_visibility" => ["history_visibility"],
        "m.room.redaction" when rules == RedactionRules.V11 => ["redacts"],
        _ => [],
    };
}
