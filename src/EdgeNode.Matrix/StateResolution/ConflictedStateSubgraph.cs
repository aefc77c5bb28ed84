namespace EdgeNode.Matrix.StateResolution;

/// <summary>
/// The conflicted state subgraph of state resolution v2.1: every event on an auth_events path from one
/// conflicted event to another. Such an event is reachable from a conflicted event and reaches one, so it
/// is the intersection of the two reachability sets.
/// </summary>
internal static class ConflictedStateSubgraph
{
    public static HashSet<string> Compute(EventGraph graph, IReadOnlySet<string> conflicted)
    {
        // Forward: everything reachable from the conflicted events, with the reverse edges inside that set.
        var reachable = new HashSet<string>(conflicted, StringComparer.Ordinal);
        var children = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var queue = new Queue<string>(conflicted);
        while (queue.Count > 0)
        {
            string id = queue.Dequeue();
            foreach (string parent in graph.Get(id).AuthEvents)
            {
                if (!children.TryGetValue(parent, out List<string>? list)) children[parent] = list = [];
                list.Add(id);
                if (reachable.Add(parent)) queue.Enqueue(parent);
            }
        }

        // Backward from the conflicted events along the reverse edges: the events that lead to one.
        var subgraph = new HashSet<string>(conflicted, StringComparer.Ordinal);
        foreach (string id in conflicted) queue.Enqueue(id);
        while (queue.Count > 0)
        {
            string id = queue.Dequeue();
            if (!children.TryGetValue(id, out List<string>? list)) continue;
            foreach (string child in list)
                if (subgraph.Add(child)) queue.Enqueue(child);
        }
        return subgraph;
    }
}
