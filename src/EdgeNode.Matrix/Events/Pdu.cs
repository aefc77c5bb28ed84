using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeNode.Matrix.Json;

namespace EdgeNode.Matrix.Events;

/// <summary>
/// A room event (persistent data unit) with the fields the authorisation rules and state resolution read,
/// taken once from its JSON. The JSON stays available for content the rules inspect.
/// </summary>
public sealed class Pdu
{
    private Pdu(string eventId, JsonObject json, bool rejected)
    {
        EventId = eventId;
        Rejected = rejected;
        Json = json;
        RoomId = GetString(json, "room_id");
        Sender = GetString(json, "sender") ?? throw new FormatException($"Event {eventId} has no sender.");
        Type = GetString(json, "type") ?? throw new FormatException($"Event {eventId} has no type.");
        StateKey = json["state_key"] is JsonValue sk && sk.GetValueKind() == JsonValueKind.String ? sk.GetValue<string>() : null;
        Content = json["content"] as JsonObject ?? new JsonObject();
        PrevEvents = GetStringArray(json, "prev_events", eventId);
        AuthEvents = GetStringArray(json, "auth_events", eventId);
        OriginServerTs = JsonIntegers.TryGet(json["origin_server_ts"], out long ts)
            ? ts
            : throw new FormatException($"Event {eventId} has no integer origin_server_ts.");
    }

    public string EventId { get; }

    /// <summary>Absent only on the create event of a version 12 room.</summary>
    public string? RoomId { get; }

    public string Sender { get; }

    public string Type { get; }

    /// <summary>Null for message (non-state) events.</summary>
    public string? StateKey { get; }

    public JsonObject Content { get; }

    public IReadOnlyList<string> PrevEvents { get; }

    public IReadOnlyList<string> AuthEvents { get; }

    public long OriginServerTs { get; }

    public JsonObject Json { get; }

    /// <summary>Set when the event failed the checks on receipt; rejected events never authorise others.</summary>
    public bool Rejected { get; }

    public bool IsState => StateKey is not null;

    public StateKey Key => new(Type, StateKey ?? throw new InvalidOperationException($"Event {EventId} is not a state event."));

    /// <summary>
    /// Reads an event whose ID is given or, when <paramref name="eventId"/> is null, carried in "event_id".
    /// <paramref name="rejected"/> carries the stored outcome of the checks on receipt.
    /// </summary>
    public static Pdu FromJson(JsonObject json, string? eventId = null, bool rejected = false)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            // Otherwise a duplicate key anywhere would surface as ArgumentException from whichever rule reads it.
            CanonicalJson.ThrowIfAnyDuplicateKeys(json);
        }
        catch (CanonicalJsonException e)
        {
            throw new FormatException($"The event is not valid JSON: {e.Message}", e);
        }
        eventId ??= GetString(json, "event_id") ?? throw new FormatException("The event carries no event_id and none was given.");
        return new Pdu(eventId, json, rejected);
    }

    /// <summary>A string property of the content, or null when absent or not a string.</summary>
    public string? ContentString(string name) => GetString(Content, name);

    private static string? GetString(JsonObject json, string name) =>
        json[name] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    private static string[] GetStringArray(JsonObject json, string name, string eventId)
    {
        if (json[name] is not JsonArray array) return [];
        var result = new string[array.Count];
        for (int i = 0; i < array.Count; i++)
        {
            result[i] = array[i] is JsonValue v && v.GetValueKind() == JsonValueKind.String
                ? v.GetValue<string>()
                : throw new FormatException($"Event {eventId} has a non-string entry in {name}.");
        }
        return result;
    }

    public override string ToString() => $"{EventId} {Type} {StateKey}";
}
