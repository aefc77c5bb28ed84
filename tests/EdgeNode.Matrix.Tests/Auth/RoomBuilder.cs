using System.Text.Json.Nodes;
using EdgeNode.Matrix.Events;

namespace EdgeNode.Matrix.Tests.Auth;

/// <summary>Builds small rooms for the authorisation rule tests: a create event, then state as needed.</summary>
internal sealed class RoomBuilder
{
    private int _next;

    public RoomBuilder(RoomVersion version, string creator = "@alice:a.example", string createContent = "{}")
    {
        Version = version;
        var content = JsonNode.Parse(createContent)!.AsObject();
        if (version.CreatorFromContent && !content.ContainsKey("creator")) content["creator"] = creator;
        content["room_version"] = version.Id;
        var json = new JsonObject
        {
            ["type"] = EventTypes.Create,
            ["state_key"] = "",
            ["sender"] = creator,
            ["content"] = content,
            ["origin_server_ts"] = 0,
            ["prev_events"] = new JsonArray(),
            ["auth_events"] = new JsonArray(),
        };
        if (!version.RoomIdIsCreateEventHash) json["room_id"] = "!room:" + creator[(creator.IndexOf(':') + 1)..];
        Create = Pdu.FromJson(json, "$create");
        RoomId = version.RoomIdIsCreateEventHash ? "!create" : (string)json["room_id"]!;
        State[StateKey.Create] = Create;
    }

    public RoomVersion Version { get; }

    public Pdu Create { get; }

    public string RoomId { get; }

    public Dictionary<StateKey, Pdu> State { get; } = [];

    public Pdu Event(string sender, string type, string? stateKey, string content, params string[] prevEvents)
    {
        var json = new JsonObject
        {
            ["type"] = type,
            ["room_id"] = RoomId,
            ["sender"] = sender,
            ["content"] = JsonNode.Parse(content),
            ["origin_server_ts"] = ++_next,
            ["prev_events"] = new JsonArray([.. (prevEvents.Length == 0 ? ["$prev"] : prevEvents).Select(p => (JsonNode)p)]),
            ["auth_events"] = new JsonArray(),
        };
        if (stateKey is not null) json["state_key"] = stateKey;
        return Pdu.FromJson(json, "$e" + _next);
    }

    /// <summary>Adds a state event to the room state without checking it.</summary>
    public RoomBuilder With(string sender, string type, string stateKey, string content)
    {
        Pdu pdu = Event(sender, type, stateKey, content);
        State[pdu.Key] = pdu;
        return this;
    }

    public RoomBuilder Member(string user, string membership, string? sender = null) =>
        With(sender ?? user, EventTypes.Member, user, $"{{\"membership\":\"{membership}\"}}");

    public RoomBuilder JoinRule(string rule) => With("@alice:a.example", EventTypes.JoinRules, "", $"{{\"join_rule\":\"{rule}\"}}");

    public RoomBuilder PowerLevels(string content) => With("@alice:a.example", EventTypes.PowerLevels, "", content);
}
