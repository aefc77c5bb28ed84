using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeNode.Matrix.Events;
using EdgeNode.Matrix.Json;
using EdgeNode.Matrix.StateResolution;

namespace EdgeNode.Matrix.Tests.StateResolution;

// The scenarios of shared/matrix/state-res (README there): batch scenarios are resolved three ways
// (event by event along prev_events, file by file, all at once) that must agree with each other and with
// expected/; state-map scenarios resolve the given state maps once.
public class StateResolutionScenarioTests
{
    public static TheoryData<string, string[]> BatchScenarios => new()
    {
        { "minimal_private_chat", ["bootstrap-private-chat"] },
        { "minimal_public_chat", ["bootstrap-public-chat"] },
        { "origin_server_ts_tiebreak", ["bootstrap-private-chat", "origin-server-ts-tiebreak"] },
        { "ban_vs_power_levels", ["bootstrap-public-chat", "ban-vs-power-levels-alice", "ban-vs-power-levels-bob"] },
        { "topic_vs_power_levels", ["bootstrap-public-chat", "topic-vs-power-levels-alice", "topic-vs-power-levels-bob"] },
        { "power_levels_admin_vs_mod", ["bootstrap-public-chat", "power-levels-admin-vs-mod-alice", "power-levels-admin-vs-mod-bob"] },
        { "topic_vs_ban", ["bootstrap-public-chat", "topic-vs-ban-common", "topic-vs-ban-alice", "topic-vs-ban-bob"] },
        { "join_rules_vs_join", ["bootstrap-public-chat", "join-rules-vs-join-common", "join-rules-vs-join-alice", "join-rules-vs-join-ella"] },
        { "concurrent_joins", ["bootstrap-public-chat", "concurrent-joins-charlie", "concurrent-joins-ella"] },
    };

    public static TheoryData<string, string, string[], string> StateMapScenarios => new()
    {
        { "msc4297_problem_a_state_res_v2_0", "MSC4297-problem-A", ["state-bob", "state-charlie"], "pdus-v11" },
        { "msc4297_problem_a_state_res_v2_1", "MSC4297-problem-A", ["state-bob", "state-charlie"], "pdus-v12" },
        { "msc4297_problem_b_state_res_v2_0", "MSC4297-problem-B", ["state-eve", "state-zara"], "pdus-v11" },
        { "msc4297_problem_b_state_res_v2_1", "MSC4297-problem-B", ["state-eve", "state-zara"], "pdus-v12" },
    };

    [Theory]
    [MemberData(nameof(BatchScenarios))]
    public void Resolve_BatchScenario_AllThreeWaysAgreeWithExpected(string scenario, string[] files)
    {
        List<List<Pdu>> batches = [.. files.Select(f => LoadPdus("fixtures", f + ".json"))];
        List<Pdu> all = [.. batches.SelectMany(b => b)];
        Dictionary<string, Pdu> byId = all.ToDictionary(p => p.EventId, StringComparer.Ordinal);
        RoomVersion version = VersionOf(batches[0][0]);

        var iterative = ResolveIteratively(version, all, byId);
        var batched = ResolveInBatches(version, batches, byId);
        var atomic = ResolveBatch(version, null, all, byId);

        string expected = ExpectedText(scenario);
        Assert.Equal(expected, Describe(iterative, byId));
        Assert.Equal(expected, Describe(batched, byId));
        Assert.Equal(expected, Describe(atomic, byId));
    }

    [Theory]
    [MemberData(nameof(StateMapScenarios))]
    public void Resolve_StateMapScenario_MatchesExpected(string scenario, string folder, string[] stateFiles, string pduFile)
    {
        List<Pdu> pdus = LoadPdus("fixtures", folder, pduFile + ".json");
        Dictionary<string, Pdu> byId = pdus.ToDictionary(p => p.EventId, StringComparer.Ordinal);
        RoomVersion version = VersionOf(pdus.Single(p => p.Type == EventTypes.Create));

        var stateSets = new List<IReadOnlyDictionary<StateKey, string>>();
        foreach (string file in stateFiles)
        {
            var ids = JsonNode.Parse(SharedData.ReadText("state-res", "fixtures", folder, file + ".json"))!.AsArray();
            stateSets.Add(ids.Select(n => byId[(string)n!]).ToDictionary(p => p.Key, p => p.EventId));
        }

        var resolved = StateResolver.Resolve(version, stateSets, id => byId.GetValueOrDefault(id));

        Assert.Equal(ExpectedText(scenario), Describe(resolved, byId));
    }

    // Walks prev_events forward: the state before an event resolves the states after its prev_events, and
    // the state after it resolves "before" against "before plus the event", which auth-checks the event.
    private static Dictionary<StateKey, string> ResolveIteratively(RoomVersion version, List<Pdu> all, Dictionary<string, Pdu> byId)
    {
        var after = new Dictionary<string, Dictionary<StateKey, string>>(StringComparer.Ordinal);
        var hasChild = new HashSet<string>(StringComparer.Ordinal);
        foreach (Pdu pdu in all) hasChild.UnionWith(pdu.PrevEvents);

        foreach (Pdu pdu in TopologicalByPrevEvents(all))
        {
            var before = StateResolver.Resolve(version, [.. pdu.PrevEvents.Select(id => (IReadOnlyDictionary<StateKey, string>)after[id])], Fetch(byId));
            var proposed = new Dictionary<StateKey, string>(before) { [pdu.Key] = pdu.EventId };
            after[pdu.EventId] = StateResolver.Resolve(version, [before, proposed], Fetch(byId));
        }

        var leaves = all.Where(p => !hasChild.Contains(p.EventId)).Select(p => (IReadOnlyDictionary<StateKey, string>)after[p.EventId]).ToList();
        return StateResolver.Resolve(version, leaves, Fetch(byId));
    }

    private static Dictionary<StateKey, string> ResolveInBatches(RoomVersion version, List<List<Pdu>> batches, Dictionary<string, Pdu> byId)
    {
        Dictionary<StateKey, string>? state = null;
        foreach (List<Pdu> batch in batches) state = ResolveBatch(version, state, batch, byId);
        return state!;
    }

    // Each PDU of a batch is its own one-entry state map, resolved together with the previous result.
    private static Dictionary<StateKey, string> ResolveBatch(RoomVersion version, Dictionary<StateKey, string>? previous, List<Pdu> batch, Dictionary<string, Pdu> byId)
    {
        var stateSets = new List<IReadOnlyDictionary<StateKey, string>>();
        if (previous is not null) stateSets.Add(previous);
        foreach (Pdu pdu in batch) stateSets.Add(new Dictionary<StateKey, string> { [pdu.Key] = pdu.EventId });
        return StateResolver.Resolve(version, stateSets, Fetch(byId));
    }

    private static IEnumerable<Pdu> TopologicalByPrevEvents(List<Pdu> all)
    {
        var done = new HashSet<string>(StringComparer.Ordinal);
        var remaining = new List<Pdu>(all);
        while (remaining.Count > 0)
        {
            Pdu next = remaining.FirstOrDefault(p => p.PrevEvents.All(done.Contains))
                ?? throw new InvalidOperationException("A PDU's prev_events point outside the fixtures.");
            remaining.Remove(next);
            done.Add(next.EventId);
            yield return next;
        }
    }

    private static Func<string, Pdu?> Fetch(Dictionary<string, Pdu> byId) => id => byId.GetValueOrDefault(id);

    private static RoomVersion VersionOf(Pdu create)
    {
        Assert.Equal(EventTypes.Create, create.Type);
        string id = create.ContentString("room_version") ?? throw new InvalidOperationException("The create event names no room version.");
        Assert.True(RoomVersion.TryGet(id, out RoomVersion version), $"Room version {id} is not implemented.");
        return version;
    }

    private static List<Pdu> LoadPdus(params string[] path)
    {
        JsonArray array = JsonNode.Parse(SharedData.ReadText(["state-res", .. path]))!.AsArray();
        return [.. array.Select(n => Pdu.FromJson(n!.AsObject()))];
    }

    // One line per state entry in (type, state_key) order, content canonicalised, so a mismatch shows as a readable diff.
    private static string Describe(Dictionary<StateKey, string> state, Dictionary<string, Pdu> byId) =>
        string.Join("\n", state.OrderBy(e => e.Key).Select(e =>
            $"{e.Key.Type} | {e.Key.Key} | {e.Value} | {System.Text.Encoding.UTF8.GetString(CanonicalJson.Serialize(byId[e.Value].Content))}"));

    private static string ExpectedText(string scenario)
    {
        using JsonDocument document = JsonDocument.Parse(SharedData.ReadText("state-res", "expected", scenario + ".json"));
        var lines = document.RootElement.EnumerateArray().Select(e =>
            (Key: new StateKey(e.GetProperty("type").GetString()!, e.GetProperty("state_key").GetString()!),
             Line: $"{e.GetProperty("type").GetString()} | {e.GetProperty("state_key").GetString()} | {e.GetProperty("event_id").GetString()} | {System.Text.Encoding.UTF8.GetString(CanonicalJson.Serialize(e.GetProperty("content")))}"));
        return string.Join("\n", lines.OrderBy(l => l.Key).Select(l => l.Line));
    }
}
