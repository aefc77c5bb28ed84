namespace EdgeNode.Core.Configuration;

/// <summary>The Xmpp section. Read by OptionsReader.Xmpp.cs; README "XMPP" lists every key with its default.</summary>
public sealed record XmppOptions
{
    public required int C2sPort { get; init; }
    public required int C2sDirectTlsPort { get; init; }
    public required int S2sPort { get; init; }

    /// <summary>XEP-0368 server-to-server direct TLS: peers start TLS at once (SRV _xmpps-server._tcp); 0 switches it off.</summary>
    public int S2sDirectTlsPort { get; init; }

    /// <summary>Lets clients on a loopback address log in without STARTTLS (SCRAM only; PLAIN never in the clear).</summary>
    public bool AllowPlaintextLoopback { get; init; }

    /// <summary>XEP-0077 in-band registration: anyone who can reach the port may create an account.</summary>
    public bool AllowRegistration { get; init; }

    /// <summary>Largest stanza a client may send, in bytes; a larger one is a policy-violation stream error.</summary>
    public int MaxStanzaBytes { get; init; } = 256 * 1024;

    /// <summary>Bytes that may wait for a client that does not read before its session is ended.</summary>
    public int MaxOutboundBytes { get; init; } = 1024 * 1024;

    /// <summary>Messages kept for one offline account (XEP-0160); the sender of one more gets an error.</summary>
    public int OfflineQuota { get; init; } = 500;

    /// <summary>Bytes of stored stanzas kept for one offline account; a message that would go over is refused the same way.</summary>
    public int OfflineQuotaBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>
    /// Messages of one account kept for one offline account: one sender cannot fill another's store and lock out
    /// everyone else (the sender of one more gets the same error as for a full store); 0 switches the cap off.
    /// </summary>
    public int OfflineQuotaPerSender { get; init; } = 100;

    /// <summary>Items (contacts, and pending requests from contacts) one account's roster may hold; one more is not-allowed.</summary>
    public int MaxRosterItems { get; init; } = 1000;

    /// <summary>Longest roster item name and group name, in UTF-8 bytes (RFC 6121 2.3.3: a longer one is not-acceptable).</summary>
    public int MaxRosterNameBytes { get; init; } = 1023;

    /// <summary>Groups one roster item may be in; more is not-acceptable.</summary>
    public int MaxRosterGroups { get; init; } = 8;

    /// <summary>Messages one client session may send per second, sustained; 0 switches the limit off.</summary>
    public int MessagesPerSecond { get; init; } = 20;

    /// <summary>Messages one client session may send at once above its sustained rate (a token bucket of this size).</summary>
    public int MessageBurst { get; init; } = 200;

    /// <summary>Messages one account may send to one recipient per second, sustained, over all its sessions; 0 switches it off.</summary>
    public int MessagesPerSecondToOneRecipient { get; init; } = 10;

    /// <summary>Messages one account may send to one recipient at once above that rate.</summary>
    public int MessageBurstToOneRecipient { get; init; } = 100;

    /// <summary>Time a client has from connecting to a bound resource.</summary>
    public TimeSpan NegotiationTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Time a started stanza may take to arrive whole (slow senders holding a partial stanza).</summary>
    public TimeSpan StanzaTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A space is sent when nothing else was sent for this long (whitespace keepalive).</summary>
    public TimeSpan KeepaliveInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A client silent for this long is pinged (XEP-0199).</summary>
    public TimeSpan PingInterval { get; init; } = TimeSpan.FromSeconds(180);

    /// <summary>A pinged client that sends nothing for this long is taken for dead and disconnected.</summary>
    public TimeSpan PingTimeout { get; init; } = TimeSpan.FromSeconds(60);
}
