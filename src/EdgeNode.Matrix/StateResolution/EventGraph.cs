using EdgeNode.Matrix.Events;

namespace EdgeNode.Matrix.StateResolution;

/// <summary>
/// The events one resolution reads, fetched through the caller's lookup, with auth chains memoised:
/// the same ancestors are walked for every state set and every power event.
/// </summary>
internal sealed class EventGraph(Func<string, Pdu?> fetch, RoomVersion version)
{
    private readonly Dictionary<string, Pdu> _events = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _authChains = new(StringComparer.Ordinal);

    public RoomVersion Version { get; } = version;

    public Pdu Get(string eventId)
    {
        if (_events.TryGetValue(eventId, out Pdu? pdu)) return pdu;
        pdu = fetch(eventId) ?? throw new InvalidOperationException($"State resolution needs event {eventId}, which is unknown.");
        _events[eventId] = pdu;
        return pdu;
    }

    public Pdu? TryGet(string eventId)
    {
        if (_events.TryGetValue(eventId, out Pdu? pdu)) return pdu;
        pdu = fetch(eventId);
        if (pdu is not null) _events[eventId] = pdu;
        return pdu;
    }

    /// <summary>All events reachable through auth_events, not counting the event itself.</summary>
    public HashSet<string> AuthChain(string eventId)
    {
        if (_authChains.TryGetValue(eventId, out HashSet<string>? chain)) return chain;
        // Iterative post-order walk: deep rooms would overflow the stack with recursion.
        var stack = new Stack<(string Id, bool Expanded)>();
        // Events whose ancestry is being walked. Meeting one of them again unexpanded means it is its own
        // auth ancestor: without this check the walk would push the cycle forever.
        var inProgress = new HashSet<string>(StringComparer.Ordinal);
        stack.Push((eventId, false));
        while (stack.Count > 0)
        {
            var (id, expanded) = stack.Pop();
            if (_authChains.ContainsKey(id)) continue;
            Pdu pdu = Get(id);
            if (!expanded)
            {
                if (!inProgress.Add(id)) throw new AuthChainCycleException(id);
                stack.Push((id, true));
                foreach (string parent in pdu.AuthEvents)
                    if (!_authChains.ContainsKey(parent)) stack.Push((parent, false));
                continue;
            }
            var result = new HashSet<string>(StringComparer.Ordinal);
            foreach (string parent in pdu.AuthEvents)
            {
                result.Add(parent);
                result.UnionWith(_authChains[parent]);
            }
            _authChains[id] = result;
        }
        return _authChains[eventId];
    }

    /// <summary>The room's create event as an event names it: among its auth events, or by room ID from version 12.</summary>
    public Pdu? CreateEventFor(Pdu pdu)
    {
        if (pdu.Type == EventTypes.Create) return pdu;
        if (Version.RoomIdIsCreateEventHash)
            return pdu.RoomId is { Length: > 1 } roomId ? TryGet(EventHashing.CreateEventIdOfRoom(roomId)) : null;
        foreach (string id in pdu.AuthEvents)
        {
            Pdu authEvent = Get(id);
            if (authEvent.Type == EventTypes.Create && authEvent.StateKey == "") return authEvent;
        }
        return null;
    }

    /// <summary>The m.room.power_levels event among an event's auth events, if any.</summary>
    public Pdu? PowerLevelsAuthEvent(Pdu pdu)
    {
        foreach (string id in pdu.AuthEvents)
        {
            Pdu authEvent = Get(id);
            if (authEvent.Type == EventTypes.PowerLevels && authEvent.StateKey == "") return authEvent;
        }
        return null;
    }
}
