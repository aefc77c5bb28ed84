using EdgeNode.Matrix.Events;

namespace EdgeNode.Matrix.StateResolution;

/// <summary>
/// State resolution v2 (room versions up to 11) and v2.1 (room version 12), as the room version pages
/// describe it: a pure function of the state sets and the events reachable from them.
/// </summary>
public static class StateResolver
{
    /// <summary>
    /// Resolves <paramref name="stateSets"/> (maps of state key to event ID) into one state map.
    /// <paramref name="fetch"/> returns an event by ID; every event of the state sets and of their auth
    /// chains must be known, and events marked rejected never serve as auth events.
    /// </summary>
    /// <exception cref="AuthChainCycleException">An event of the auth chains is its own auth ancestor.</exception>
    public static Dictionary<StateKey, string> Resolve(RoomVersion version, IReadOnlyList<IReadOnlyDictionary<StateKey, string>> stateSets,
        Func<string, Pdu?> fetch)
    {
        ArgumentNullException.ThrowIfNull(version);
        ArgumentNullException.ThrowIfNull(stateSets);
        ArgumentNullException.ThrowIfNull(fetch);
        if (stateSets.Count == 0) return [];
        if (stateSets.Count == 1) return new Dictionary<StateKey, string>(stateSets[0]);

        var graph = new EventGraph(fetch, version);
        var (unconflicted, conflicted) = Partition(stateSets);

        // Full conflicted set: the conflicted events, the auth difference and, from v2.1, the subgraph between them.
        var full = new HashSet<string>(conflicted, StringComparer.Ordinal);
        full.UnionWith(AuthDifference(graph, stateSets));
        if (version.StateResolution == StateResolutionAlgorithm.V2_1)
            full.UnionWith(ConflictedStateSubgraph.Compute(graph, conflicted));

        // Step 1: the power events with their auth ancestry inside the full conflicted set.
        var powerEvents = new HashSet<string>(StringComparer.Ordinal);
        foreach (string id in full)
        {
            if (!IsPowerEvent(graph.Get(id))) continue;
            powerEvents.Add(id);
            foreach (string ancestor in graph.AuthChain(id))
                if (full.Contains(ancestor)) powerEvents.Add(ancestor);
        }
        List<string> powerOrder = ReverseTopologicalPowerOrdering.Sort(graph, powerEvents);

        // Step 2: v2 starts from the unconflicted state, v2.1 from nothing.
        var state = version.StateResolution == StateResolutionAlgorithm.V2
            ? new Dictionary<StateKey, string>(unconflicted)
            : new Dictionary<StateKey, string>();
        IterativeAuthChecks.Apply(graph, state, powerOrder);

        // Steps 3 and 4: everything else, in mainline order of the power levels resolved so far.
        var others = new List<string>();
        foreach (string id in full)
            if (!powerEvents.Contains(id)) others.Add(id);
        List<string> mainlineOrder = MainlineOrdering.Sort(graph, others, state.GetValueOrDefault(StateKey.PowerLevels));
        IterativeAuthChecks.Apply(graph, state, mainlineOrder);

        // Step 5: the unconflicted state map wins.
        foreach (var (key, id) in unconflicted) state[key] = id;
        return state;
    }

    /// <summary>
    /// A power event might take away someone's ability to act: power levels, join rules, or a kick or ban
    /// (a leave or ban whose sender is not its target).
    /// </summary>
    public static bool IsPowerEvent(Pdu pdu)
    {
        if (!pdu.IsState) return false;
        if (pdu.Type is EventTypes.PowerLevels or EventTypes.JoinRules && pdu.StateKey == "") return true;
        return pdu.Type == EventTypes.Member && pdu.ContentString("membership") is "leave" or "ban" && pdu.Sender != pdu.StateKey;
    }

    private static (Dictionary<StateKey, string> Unconflicted, HashSet<string> Conflicted) Partition(
        IReadOnlyList<IReadOnlyDictionary<StateKey, string>> stateSets)
    {
        var unconflicted = new Dictionary<StateKey, string>();
        var conflicted = new HashSet<string>(StringComparer.Ordinal);
        var keys = new HashSet<StateKey>();
        foreach (var set in stateSets) keys.UnionWith(set.Keys);
        foreach (StateKey key in keys)
        {
            string? first = null;
            bool same = true;
            foreach (var set in stateSets)
            {
                if (!set.TryGetValue(key, out string? id)) { same = false; continue; }
                first ??= id;
                if (id != first) same = false;
            }
            if (same && first is not null)
            {
                unconflicted[key] = first;
                continue;
            }
            foreach (var set in stateSets)
                if (set.TryGetValue(key, out string? id)) conflicted.Add(id);
        }
        return (unconflicted, conflicted);
    }

    private static HashSet<string> AuthDifference(EventGraph graph, IReadOnlyList<IReadOnlyDictionary<StateKey, string>> stateSets)
    {
        var union = new HashSet<string>(StringComparer.Ordinal);
        HashSet<string>? intersection = null;
        foreach (var set in stateSets)
        {
            var chain = new HashSet<string>(StringComparer.Ordinal);
            foreach (string id in set.Values) chain.UnionWith(graph.AuthChain(id));
            union.UnionWith(chain);
            if (intersection is null) intersection = chain;
            else intersection.IntersectWith(chain);
        }
        if (intersection is not null) union.ExceptWith(intersection);
        return union;
    }
}
