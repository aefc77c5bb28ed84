namespace EdgeNode.Cli;

/// <summary>The console as the verbs see it; tests hand in their own readers and writers.</summary>
public sealed record CliIo(TextReader In, TextWriter Out, TextWriter Error, bool Interactive);

public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>The node or the verb could not do its work (store, TLS, a port in use, no such account...).</summary>
    public const int Failure = 1;
    /// <summary>Bad command line or bad configuration.</summary>
    public const int Usage = 2;
}
