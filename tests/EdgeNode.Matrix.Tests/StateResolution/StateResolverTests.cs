using System.Text.Json.Nodes;
using EdgeNode.Matrix.Events;
using EdgeNode.Matrix.StateResolution;

namespace EdgeNode.Matrix.Tests.StateResolution;

public class StateResolverTests
{
    private static Pdu Event(string id, string type, string? stateKey, string sender, string content, params string[] authEvents)
    {
        var json = new JsonObject
        {
            ["type"] = type,
            ["room_id"] = "!r:x",
            ["sender"] = sender,
            ["content"] = JsonNode.Parse(content),
            ["origin_server_ts"] = 1,
            ["prev_events"] = new JsonArray(),
            ["auth_events"] = new JsonArray([.. authEvents.Select(a => (JsonNode)a)]),
        };
        if (stateKey is not null) json["state_key"] = stateKey;
        return Pdu.FromJson(json, id);
    }

    [Theory]
    [InlineData("m.room.power_levels", "", "@a:x", "{}", true)]
    [InlineData("m.room.join_rules", "", "@a:x", "{\"join_rule\":\"public\"}", true)]
    [InlineData("m.room.member", "@b:x", "@a:x", "{\"membership\":\"ban\"}", true)]
    [InlineData("m.room.member", "@b:x", "@a:x", "{\"membership\":\"leave\"}", true)]
    [InlineData("m.room.member", "@a:x", "@a:x", "{\"membership\":\"leave\"}", false)]
    [InlineData("m.room.member", "@b:x", "@a:x", "{\"membership\":\"invite\"}", false)]
    [InlineData("m.room.topic", "", "@a:x", "{}", false)]
    public void IsPowerEvent_Event_MatchesDefinition(string type, string stateKey, string sender, string content, bool expected)
    {
        Assert.Equal(expected, StateResolver.IsPowerEvent(Event("$e", type, stateKey, sender, content)));
    }

    [Fact]
    public void ConflictedStateSubgraph_PathBetweenConflictedEvents_IncludesOnlyThatPath()
    {
        // $c1 -> $m -> $c2 -> $root, and $side -> $root: only $m lies between the two conflicted events.
        var events = new[]
        {
            Event("$root", "m.room.create", "", "@a:x", "{}"),
            Event("$c2", "m.room.power_levels", "", "@a:x", "{}", "$root"),
            Event("$m", "m.room.member", "@a:x", "@a:x", "{\"membership\":\"join\"}", "$c2"),
            Event("$c1", "m.room.power_levels", "", "@a:x", "{}", "$m"),
            Event("$side", "m.room.topic", "", "@a:x", "{}", "$root"),
        }.ToDictionary(e => e.EventId);
        var graph = new EventGraph(id => events.GetValueOrDefault(id), RoomVersion.V12);

        var subgraph = ConflictedStateSubgraph.Compute(graph, new HashSet<string> { "$c1", "$c2", "$side" });

        Assert.Equal(["$c1", "$c2", "$m", "$side"], subgraph.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Resolve_UnknownEventInConflict_ThrowsNamingIt()
    {
        var sets = new List<IReadOnlyDictionary<StateKey, string>>
        {
            new Dictionary<StateKey, string> { [StateKey.PowerLevels] = "$known" },
            new Dictionary<StateKey, string> { [StateKey.PowerLevels] = "$missing" },
        };
        Pdu known = Event("$known", "m.room.power_levels", "", "@a:x", "{}");
        var e = Assert.Throws<InvalidOperationException>(() => StateResolver.Resolve(RoomVersion.V11, sets, id => id == "$known" ? known : null));
        Assert.Contains("$missing", e.Message);
    }

    [Fact]
    public void Resolve_SingleOrNoStateSet_ReturnsItUnchanged()
    {
        Assert.Empty(StateResolver.Resolve(RoomVersion.V11, [], _ => null));
        var set = new Dictionary<StateKey, string> { [StateKey.Create] = "$c" };
        Assert.Equal(set, StateResolver.Resolve(RoomVersion.V11, [set], _ => null));
    }

    [Fact]
    public void Resolve_AuthEventsCycle_ThrowsCycleErrorInsteadOfLooping()
    {
        var events = new Dictionary<string, Pdu>
        {
            ["$a"] = Event("$a", "m.room.name", "", "@a:x", "{}", "$x"),
            ["$b"] = Event("$b", "m.room.name", "", "@a:x", "{}", "$x"),
            ["$x"] = Event("$x", "m.room.power_levels", "", "@a:x", "{}", "$y"),
            ["$y"] = Event("$y", "m.room.join_rules", "", "@a:x", "{}", "$x"),
        };
        var sets = new List<IReadOnlyDictionary<StateKey, string>>
        {
            new Dictionary<StateKey, string> { [new StateKey("m.room.name", "")] = "$a" },
            new Dictionary<StateKey, string> { [new StateKey("m.room.name", "")] = "$b" },
        };
        var e = Assert.Throws<AuthChainCycleException>(() => StateResolver.Resolve(RoomVersion.V11, sets, id => events.GetValueOrDefault(id)));
        Assert.True(e.EventId is "$x" or "$y");
    }

    [Fact]
    public void AuthChain_DiamondWithoutCycle_IsNotMistakenForOne()
    {
        var events = new Dictionary<string, Pdu>
        {
            ["$a"] = Event("$a", "m.room.name", "", "@a:x", "{}", "$b", "$c"),
            ["$b"] = Event("$b", "m.room.name", "", "@a:x", "{}", "$d"),
            ["$c"] = Event("$c", "m.room.name", "", "@a:x", "{}", "$b", "$d"),
            ["$d"] = Event("$d", "m.room.create", "", "@a:x", "{}"),
        };
        var graph = new EventGraph(id => events.GetValueOrDefault(id), RoomVersion.V11);
        Assert.Equal(["$b", "$c", "$d"], graph.AuthChain("$a").Order(StringComparer.Ordinal));
    }
}
