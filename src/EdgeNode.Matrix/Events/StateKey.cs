namespace EdgeNode.Matrix.Events;

/// <summary>The key of a room state map: an event type and a state key.</summary>
public readonly record struct StateKey(string Type, string Key) : IComparable<StateKey>
{
    public static readonly StateKey Create = new(EventTypes.Create, "");
    public static readonly StateKey PowerLevels = new(EventTypes.PowerLevels, "");
    public static readonly StateKey JoinRules = new(EventTypes.JoinRules, "");

    public static StateKey Member(string userId) => new(EventTypes.Member, userId);

    public int CompareTo(StateKey other)
    {
        int byType = string.CompareOrdinal(Type, other.Type);
        return byType != 0 ? byType : string.CompareOrdinal(Key, other.Key);
    }

    public override string ToString() => $"({Type}, {Key})";
}
