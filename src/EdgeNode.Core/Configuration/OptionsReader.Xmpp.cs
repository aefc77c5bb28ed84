namespace EdgeNode.Core.Configuration;

public sealed partial class OptionsReader
{
    private static readonly string[] XmppKeys =
    [
        "C2sPort", "C2sDirectTlsPort", "S2sPort", "S2sDirectTlsPort", "AllowPlaintextLoopback", "AllowRegistration", "MaxStanzaBytes",
        "MaxOutboundBytes", "OfflineQuota", "OfflineQuotaBytes", "OfflineQuotaPerSender", "MaxRosterItems",
        "MaxRosterNameBytes", "MaxRosterGroups", "MessagesPerSecond", "MessageBurst", "MessagesPerSecondToOneRecipient", "MessageBurstToOneRecipient",
        "NegotiationTimeoutSeconds", "StanzaTimeoutSeconds", "KeepaliveSeconds",
        "PingIntervalSeconds", "PingTimeoutSeconds",
    ];

    private XmppOptions ReadXmpp() => new()
    {
        C2sPort = ReadPort("Xmpp:C2sPort", 5222),
        C2sDirectTlsPort = ReadPort("Xmpp:C2sDirectTlsPort", 5223),
        S2sPort = ReadPort("Xmpp:S2sPort", 5269),
        S2sDirectTlsPort = ReadPort("Xmpp:S2sDirectTlsPort", 5270),
        AllowPlaintextLoopback = ReadBool("Xmpp:AllowPlaintextLoopback", false),
        AllowRegistration = ReadBool("Xmpp:AllowRegistration", false),
        MaxStanzaBytes = ReadInt("Xmpp:MaxStanzaBytes", 256 * 1024, 10_000, 16 * 1024 * 1024),
        MaxOutboundBytes = ReadInt("Xmpp:MaxOutboundBytes", 1024 * 1024, 64 * 1024, 256 * 1024 * 1024),
        OfflineQuota = ReadInt("Xmpp:OfflineQuota", 500, 0, 1_000_000),
        OfflineQuotaBytes = ReadInt("Xmpp:OfflineQuotaBytes", 4 * 1024 * 1024, 0, 1024 * 1024 * 1024),
        OfflineQuotaPerSender = ReadInt("Xmpp:OfflineQuotaPerSender", 100, 0, 1_000_000),
        MaxRosterItems = ReadInt("Xmpp:MaxRosterItems", 1000, 10, 100_000),
        MaxRosterNameBytes = ReadInt("Xmpp:MaxRosterNameBytes", 1023, 16, 64 * 1024),
        MaxRosterGroups = ReadInt("Xmpp:MaxRosterGroups", 8, 1, 1000),
        MessagesPerSecond = ReadInt("Xmpp:MessagesPerSecond", 20, 0, 1_000_000),
        MessageBurst = ReadInt("Xmpp:MessageBurst", 200, 1, 1_000_000),
        MessagesPerSecondToOneRecipient = ReadInt("Xmpp:MessagesPerSecondToOneRecipient", 10, 0, 1_000_000),
        MessageBurstToOneRecipient = ReadInt("Xmpp:MessageBurstToOneRecipient", 100, 1, 1_000_000),
        NegotiationTimeout = ReadSeconds("Xmpp:NegotiationTimeoutSeconds", TimeSpan.FromSeconds(15), 1, 3600),
        StanzaTimeout = ReadSeconds("Xmpp:StanzaTimeoutSeconds", TimeSpan.FromSeconds(60), 1, 3600),
        KeepaliveInterval = ReadSeconds("Xmpp:KeepaliveSeconds", TimeSpan.FromSeconds(60), 1, 3600),
        PingInterval = ReadSeconds("Xmpp:PingIntervalSeconds", TimeSpan.FromSeconds(180), 1, 86_400),
        PingTimeout = ReadSeconds("Xmpp:PingTimeoutSeconds", TimeSpan.FromSeconds(60), 1, 3600),
    };
}
