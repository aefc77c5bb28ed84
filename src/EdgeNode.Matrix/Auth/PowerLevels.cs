using System.Text.Json.Nodes;
using EdgeNode.Matrix.Events;
using EdgeNode.Matrix.Json;

namespace EdgeNode.Matrix.Auth;

/// <summary>
/// Power levels as the rules read them: the current m.room.power_levels content with the spec's defaults
/// filled in, and the room creators (infinitely powerful from version 12 on).
/// </summary>
public sealed class PowerLevels
{
    /// <summary>The level of a version 12 room creator: above every level a power levels event can hold.</summary>
    public const long Infinite = long.MaxValue;

    private readonly JsonObject? _content;
    private readonly HashSet<string> _creators;
    private readonly RoomVersion _version;

    private PowerLevels(JsonObject? content, HashSet<string> creators, RoomVersion version)
    {
        _content = content;
        _creators = creators;
        _version = version;
    }

    public static PowerLevels From(Pdu? powerLevelsEvent, Pdu? createEvent, RoomVersion version) =>
        new(powerLevelsEvent?.Content, createEvent is null ? [] : [.. Creators(createEvent, version)], version);

    /// <summary>Whether the room has a power levels event; several defaults differ without one.</summary>
    public bool Exists => _content is not null;

    /// <summary>
    /// The room creators: content.creator up to version 10, the create event's sender from 11, plus
    /// content.additional_creators from 12.
    /// </summary>
    public static IReadOnlyList<string> Creators(Pdu createEvent, RoomVersion version)
    {
        if (version.CreatorFromContent)
            return [createEvent.ContentString("creator") ?? createEvent.Sender];
        var creators = new List<string> { createEvent.Sender };
        if (version.CreatorsHaveInfinitePower && createEvent.Content["additional_creators"] is JsonArray more)
        {
            foreach (JsonNode? node in more)
                if (node is JsonValue v && v.TryGetValue(out string? user)) creators.Add(user);
        }
        return creators;
    }

    public bool IsCreator(string userId) => _creators.Contains(userId);

    public long UserLevel(string userId)
    {
        if (_version.CreatorsHaveInfinitePower && _creators.Contains(userId)) return Infinite;
        if (_content is null)
            return !_version.CreatorsHaveInfinitePower && _creators.Contains(userId) ? 100 : 0;
        if (_content["users"] is JsonObject users && JsonIntegers.TryGet(users[userId], out long level)) return level;
        return Integer("users_default", 0);
    }

    /// <summary>ban, kick and redact default to 50; invite to 0 (client-server spec, m.room.power_levels).</summary>
    public long NamedLevel(string name) => Integer(name, name == "invite" ? 0 : 50);

    /// <summary>The required power level of an event type: events[type], else state_default or events_default.</summary>
    public long RequiredLevel(string eventType, bool isState)
    {
        if (_content?["events"] is JsonObject events && JsonIntegers.TryGet(events[eventType], out long level)) return level;
        // state_default is 50 when a power levels event exists and 0 when the room has none.
        return isState ? Integer("state_default", _content is null ? 0 : 50) : Integer("events_default", 0);
    }

    private long Integer(string name, long fallback) =>
        _content is not null && JsonIntegers.TryGet(_content[name], out long value) ? value : fallback;
}
