using EdgeNode.Matrix.Auth;

namespace EdgeNode.Fuzz.Targets;

/// <summary>Matrix user IDs. Properties: a valid ID names its server, and the ID is no longer than 255 bytes.</summary>
internal static class MatrixIdTarget
{
    public static FuzzTarget Target { get; } = new(Check);

    private static void Check(ReadOnlySpan<byte> input)
    {
        string text = Inputs.Text(input);
        if (!UserIds.IsValid(text)) return;
        PropertyViolationException.ThrowIfNot(System.Text.Encoding.UTF8.GetByteCount(text) <= 255, "a valid user ID is longer than 255 bytes");
        string? server = UserIds.ServerName(text);
        PropertyViolationException.ThrowIfNot(!string.IsNullOrEmpty(server) && text.EndsWith(":" + server, StringComparison.Ordinal),
            "a valid user ID has no server name");
    }
}
