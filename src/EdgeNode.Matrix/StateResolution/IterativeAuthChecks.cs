using EdgeNode.Matrix.Auth;
using EdgeNode.Matrix.Events;

namespace EdgeNode.Matrix.StateResolution;

/// <summary>
/// The iterative auth checks: each event in turn is checked against the state built so far, falling back
/// to its own (non-rejected) auth events for keys the state lacks, and applied only if it passes.
/// </summary>
internal static class IterativeAuthChecks
{
    public static void Apply(EventGraph graph, Dictionary<StateKey, string> state, IEnumerable<string> events)
    {
        foreach (string id in events)
        {
            Pdu pdu = graph.Get(id);
            if (!pdu.IsState) continue;

            var authState = new Dictionary<StateKey, Pdu>();
            foreach (string authId in pdu.AuthEvents)
            {
                Pdu authEvent = graph.Get(authId);
                if (!authEvent.Rejected && authEvent.IsState) authState[authEvent.Key] = authEvent;
            }
            foreach (StateKey key in AuthEventSelection.Keys(pdu, graph.Version))
            {
                if (state.TryGetValue(key, out string? current)) authState[key] = graph.Get(current);
            }
            if (graph.Version.RoomIdIsCreateEventHash && pdu.Type != EventTypes.Create)
            {
                // Version 12 never lists the create event; the room ID names it.
                if (state.TryGetValue(StateKey.Create, out string? createId)) authState[StateKey.Create] = graph.Get(createId);
                else if (graph.CreateEventFor(pdu) is { Rejected: false } create) authState[StateKey.Create] = create;
            }

            if (AuthRules.Check(pdu, graph.Version, authState).Allowed)
                state[pdu.Key] = id;
        }
    }
}
