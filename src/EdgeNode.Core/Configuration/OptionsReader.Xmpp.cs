namespace EdgeNode.Core.Configuration;

public sealed partial class OptionsReader
{
    private static readonly string[] XmppKeys =
    [
        "C2sPort", "C2sDirectTlsPort", "S2sPort", "AllowPlaintextLoopback", "AllowRegistration", "MaxStanzaBytes",
        "MaxOutboundBytes", "OfflineQuota", "AuthFailureLimit", "AuthFailureLimitPerAddress", "AuthFailureWindowSeconds",
        "AuthLockoutSeconds", "NegotiationTimeoutSeconds", "StanzaTimeoutSeconds", "KeepaliveSeconds", "PingIntervalSeconds",
        "PingTimeoutSeconds",
    ];

    private XmppOptions ReadXmpp() => new()
    {
        C2sPort = ReadPort("Xmpp:C2sPort", 5222),
        C2sDirectTlsPort = ReadPort("Xmpp:C2sDirectTlsPort", 5223),
        S2sPort = ReadPort("Xmpp:S2sPort", 5269),
        AllowPlaintextLoopback = ReadBool("Xmpp:AllowPlaintextLoopback", false),
        AllowRegistration = ReadBool("Xmpp:AllowRegistration", false),
        MaxStanzaBytes = ReadInt("Xmpp:MaxStanzaBytes", 256 * 1024, 10_000, 16 * 1024 * 1024),
        MaxOutboundBytes = ReadInt("Xmpp:MaxOutboundBytes", 1024 * 1024, 64 * 1024, 256 * 1024 * 1024),
        OfflineQuota = ReadInt("Xmpp:OfflineQuota", 500, 0, 1_000_000),
        AuthFailureLimit = ReadInt("Xmpp:AuthFailureLimit", 5, 1, 1000),
        AuthFailureLimitPerAddress = ReadInt("Xmpp:AuthFailureLimitPerAddress", 20, 1, 100_000),
        AuthFailureWindow = ReadSeconds("Xmpp:AuthFailureWindowSeconds", TimeSpan.FromMinutes(10), 1, 86_400),
        AuthLockout = ReadSeconds("Xmpp:AuthLockoutSeconds", TimeSpan.FromMinutes(15), 1, 86_400),
        NegotiationTimeout = ReadSeconds("Xmpp:NegotiationTimeoutSeconds", TimeSpan.FromSeconds(60), 1, 3600),
        StanzaTimeout = ReadSeconds("Xmpp:StanzaTimeoutSeconds", TimeSpan.FromSeconds(60), 1, 3600),
        KeepaliveInterval = ReadSeconds("Xmpp:KeepaliveSeconds", TimeSpan.FromSeconds(60), 1, 3600),
        PingInterval = ReadSeconds("Xmpp:PingIntervalSeconds", TimeSpan.FromSeconds(180), 1, 86_400),
        PingTimeout = ReadSeconds("Xmpp:PingTimeoutSeconds", TimeSpan.FromSeconds(60), 1, 3600),
    };
}
