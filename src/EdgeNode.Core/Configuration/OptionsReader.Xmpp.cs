namespace EdgeNode.Core.Configuration;

public sealed partial class OptionsReader
{
    private static readonly string[] XmppKeys = ["C2sPort", "C2sDirectTlsPort", "S2sPort"];

    private XmppOptions ReadXmpp() => new()
    {
        C2sPort = ReadPort("Xmpp:C2sPort", 5222),
        C2sDirectTlsPort = ReadPort("Xmpp:C2sDirectTlsPort", 5223),
        S2sPort = ReadPort("Xmpp:S2sPort", 5269),
    };
}
