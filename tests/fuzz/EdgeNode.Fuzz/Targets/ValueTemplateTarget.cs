using EdgeNode.Devices;

namespace EdgeNode.Fuzz.Targets;

/// <summary>
/// Home Assistant value templates (input: template NUL payload). Properties: no exception escapes (a template it
/// cannot run is refused with false), and applying it twice gives the same answer.
/// </summary>
internal static class ValueTemplateTarget
{
    public static FuzzTarget Target { get; } = new(Check);

    private static void Check(ReadOnlySpan<byte> input)
    {
        (ReadOnlyMemory<byte> template, ReadOnlyMemory<byte> payload) = Inputs.AtNul(input);
        string t = Inputs.Text(template.Span);
        string p = Inputs.Text(payload.Span);
        bool applied = ValueTemplate.TryApply(t, p, out string? result);
        bool again = ValueTemplate.TryApply(t, p, out string? result2);
        PropertyViolationException.ThrowIfNot(applied == again && result == result2, "a value template gives two answers");
    }
}
