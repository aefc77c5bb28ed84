using EdgeNode.Matrix.Events;

namespace EdgeNode.Matrix.StateResolution;

/// <summary>
/// The mainline ordering: events sort by how far back along the power levels chain of the resolved power
/// levels event their own power levels ancestry joins it (further back first), then by origin_server_ts,
/// then by event ID.
/// </summary>
internal static class MainlineOrdering
{
    public static List<string> Sort(EventGraph graph, IEnumerable<string> events, string? powerLevelsEventId)
    {
        // Position i of each mainline event P_i, walking from the resolved power levels event back in time.
        var mainline = new Dictionary<string, long>(StringComparer.Ordinal);
        for (Pdu? p = powerLevelsEventId is null ? null : graph.Get(powerLevelsEventId); p is not null; p = graph.PowerLevelsAuthEvent(p))
        {
            if (!mainline.TryAdd(p.EventId, mainline.Count)) break;
        }

        var keyed = new List<(long Position, long Ts, string Id)>();
        foreach (string id in events)
        {
            Pdu pdu = graph.Get(id);
            keyed.Add((Position(graph, pdu, mainline), pdu.OriginServerTs, id));
        }
        keyed.Sort(static (x, y) =>
        {
            int c = y.Position.CompareTo(x.Position); // greater position sorts first
            if (c != 0) return c;
            c = x.Ts.CompareTo(y.Ts);
            return c != 0 ? c : string.CompareOrdinal(x.Id, y.Id);
        });
        return keyed.ConvertAll(k => k.Id);
    }

    private static long Position(EventGraph graph, Pdu pdu, Dictionary<string, long> mainline)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (Pdu? e = graph.PowerLevelsAuthEvent(pdu); e is not null && seen.Add(e.EventId); e = graph.PowerLevelsAuthEvent(e))
        {
            if (mainline.TryGetValue(e.EventId, out long position)) return position;
        }
        return long.MaxValue; // the spec's infinity: based on no mainline event at all
    }
}
