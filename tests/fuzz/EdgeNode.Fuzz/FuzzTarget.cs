namespace EdgeNode.Fuzz;

/// <summary>
/// One fuzz target: feeds an input to a parser and checks properties of what comes out. The parser's own
/// rejection exceptions are swallowed; anything else escapes and afl-fuzz records the input as a crash.
/// </summary>
internal sealed class FuzzTarget(Action<ReadOnlySpan<byte>> check, params Type[] rejections)
{
    public void Run(ReadOnlySpan<byte> input)
    {
        try
        {
            check(input);
        }
        catch (Exception exception) when (IsRejection(exception))
        {
            // The parser refused malformed input the way it is meant to.
        }
    }

    private bool IsRejection(Exception exception) =>
        exception is not PropertyViolationException && rejections.Any(type => type.IsInstanceOfType(exception));
}
