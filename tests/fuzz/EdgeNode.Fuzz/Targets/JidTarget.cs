using EdgeNode.Core.Addressing;

namespace EdgeNode.Fuzz.Targets;

/// <summary>XMPP addresses. Properties: a parsed JID writes back to text that parses to the same JID.</summary>
internal static class JidTarget
{
    public static FuzzTarget Target { get; } = new(Check);

    private static void Check(ReadOnlySpan<byte> input)
    {
        if (!Jid.TryParse(Inputs.Text(input), out Jid jid)) return;
        string text = jid.ToString();
        PropertyViolationException.ThrowIfNot(Jid.TryParse(text, out Jid again, out string? problem), $"'{text}' written from a JID does not parse: {problem}");
        PropertyViolationException.ThrowIfNot(again == jid, $"'{text}' re-reads as a different JID");
        PropertyViolationException.ThrowIfNot(again.ToString() == text, $"'{text}' writes differently after a re-read");
    }
}
