using EdgeNode.Matrix.Auth;
using EdgeNode.Matrix.Events;

namespace EdgeNode.Matrix.StateResolution;

/// <summary>
/// The reverse topological power ordering: Kahn's algorithm over the auth DAG, earliest first, choosing at
/// each step the candidate whose sender has the highest power level (read from the event's own auth
/// events), then the lowest origin_server_ts, then the lowest event ID.
/// </summary>
internal static class ReverseTopologicalPowerOrdering
{
    public static List<string> Sort(EventGraph graph, IReadOnlySet<string> events)
    {
        var pending = new Dictionary<string, int>(StringComparer.Ordinal);
        var children = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (string id in events)
        {
            int count = 0;
            foreach (string parent in graph.Get(id).AuthEvents)
            {
                if (!events.Contains(parent)) continue;
                count++;
                if (!children.TryGetValue(parent, out List<string>? list)) children[parent] = list = [];
                list.Add(id);
            }
            pending[id] = count;
        }

        var ready = new PriorityQueue<string, (long NegatedPower, long Ts, string Id)>(Comparer<(long, long, string)>.Create(Compare));
        foreach (var (id, count) in pending)
            if (count == 0) ready.Enqueue(id, Key(graph, id));

        var sorted = new List<string>(events.Count);
        while (ready.TryDequeue(out string? id, out _))
        {
            sorted.Add(id);
            if (!children.TryGetValue(id, out List<string>? list)) continue;
            foreach (string child in list)
                if (--pending[child] == 0) ready.Enqueue(child, Key(graph, child));
        }
        if (sorted.Count != events.Count) throw new InvalidOperationException("The auth events form a cycle.");
        return sorted;
    }

    private static (long, long, string) Key(EventGraph graph, string id)
    {
        Pdu pdu = graph.Get(id);
        var levels = PowerLevels.From(graph.PowerLevelsAuthEvent(pdu), graph.CreateEventFor(pdu), graph.Version);
        long power = levels.UserLevel(pdu.Sender);
        // Negate so that higher power sorts first; Infinite is long.MaxValue, whose negation is still representable.
        return (-power, pdu.OriginServerTs, pdu.EventId);
    }

    private static int Compare((long NegatedPower, long Ts, string Id) x, (long NegatedPower, long Ts, string Id) y)
    {
        int c = x.NegatedPower.CompareTo(y.NegatedPower);
        if (c != 0) return c;
        c = x.Ts.CompareTo(y.Ts);
        return c != 0 ? c : string.CompareOrdinal(x.Id, y.Id);
    }
}
