namespace EdgeNode.Xmpp.Stanzas;

/// <summary>Namespaces of the protocols the c2s service speaks, as UTF-8 for byte comparison.</summary>
internal static class Ns
{
    public static ReadOnlySpan<byte> Client => "jabber:client"u8;
    public static ReadOnlySpan<byte> Tls => "urn:ietf:params:xml:ns:xmpp-tls"u8;
    public static ReadOnlySpan<byte> Sasl => "urn:ietf:params:xml:ns:xmpp-sasl"u8;
    public static ReadOnlySpan<byte> Bind => "urn:ietf:params:xml:ns:xmpp-bind"u8;
    public static ReadOnlySpan<byte> Session => "urn:ietf:params:xml:ns:xmpp-session"u8;
    public static ReadOnlySpan<byte> Stanzas => "urn:ietf:params:xml:ns:xmpp-stanzas"u8;
    public static ReadOnlySpan<byte> Streams => "urn:ietf:params:xml:ns:xmpp-streams"u8;
    public static ReadOnlySpan<byte> Roster => "jabber:iq:roster"u8;
    public static ReadOnlySpan<byte> DiscoInfo => "http://jabber.org/protocol/disco#info"u8;
    public static ReadOnlySpan<byte> DiscoItems => "http://jabber.org/protocol/disco#items"u8;
    public static ReadOnlySpan<byte> Ping => "urn:xmpp:ping"u8;
    public static ReadOnlySpan<byte> Version => "jabber:iq:version"u8;
    public static ReadOnlySpan<byte> VCard => "vcard-temp"u8;
    public static ReadOnlySpan<byte> Carbons => "urn:xmpp:carbons:2"u8;
    public static ReadOnlySpan<byte> Forward => "urn:xmpp:forward:0"u8;
    public static ReadOnlySpan<byte> Hints => "urn:xmpp:hints"u8;
    public static ReadOnlySpan<byte> Delay => "urn:xmpp:delay"u8;
    public static ReadOnlySpan<byte> Register => "jabber:iq:register"u8;
    public static ReadOnlySpan<byte> Time => "urn:xmpp:time"u8;

    /// <summary>Our own extension: a device's structured readings beside the human line of a message.</summary>
    public static ReadOnlySpan<byte> Device => "urn:edgenode:device:0"u8;
}
