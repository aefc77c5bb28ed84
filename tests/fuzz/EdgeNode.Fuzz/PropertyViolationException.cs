namespace EdgeNode.Fuzz;

/// <summary>A parser accepted an input but broke one of the properties a target checks; never a rejection.</summary>
internal sealed class PropertyViolationException(string message) : Exception(message)
{
    public static void ThrowIfNot(bool holds, string property)
    {
        if (!holds) throw new PropertyViolationException(property);
    }
}
