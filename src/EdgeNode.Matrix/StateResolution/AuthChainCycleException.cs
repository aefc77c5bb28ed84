namespace EdgeNode.Matrix.StateResolution;

/// <summary>
/// An event is among its own auth ancestors. Event IDs are hashes, so only a forged or corrupt store can
/// produce this; the state sets that lead to it cannot be resolved.
/// </summary>
public sealed class AuthChainCycleException(string eventId)
    : Exception($"Event {eventId} is among its own auth events.")
{
    public string EventId { get; } = eventId;
}
