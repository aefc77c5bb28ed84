namespace EdgeNode.Xmpp.S2s;

/// <summary>Namespaces of server-to-server streams, as UTF-8 for byte comparison.</summary>
internal static class S2sNames
{
    public static ReadOnlySpan<byte> Server => "jabber:server"u8;
    public static ReadOnlySpan<byte> Dialback => "jabber:server:dialback"u8;
    public static ReadOnlySpan<byte> DialbackFeature => "urn:xmpp:features:dialback"u8;
    public static ReadOnlySpan<byte> Tls => "urn:ietf:params:xml:ns:xmpp-tls"u8;
    public static ReadOnlySpan<byte> Sasl => "urn:ietf:params:xml:ns:xmpp-sasl"u8;
    public static ReadOnlySpan<byte> Stanzas => "urn:ietf:params:xml:ns:xmpp-stanzas"u8;

    public const string StreamHeaderStart =
        "<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' xmlns:db='jabber:server:dialback' version='1.0'";
}

/// <summary>How a remote domain proved itself on a stream.</summary>
public enum S2sAuthMethod
{
    None,
    SaslExternal,
    Dialback,
}
