namespace EdgeNode.Core.Configuration;

/// <summary>The Xmpp section. Read by OptionsReader.Xmpp.cs.</summary>
public sealed record XmppOptions
{
    public required int C2sPort { get; init; }
    public required int C2sDirectTlsPort { get; init; }
    public required int S2sPort { get; init; }
}
