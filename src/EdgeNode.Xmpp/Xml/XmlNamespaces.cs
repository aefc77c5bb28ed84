namespace EdgeNode.Xmpp.Xml;

/// <summary>Namespace names the reader itself depends on, as UTF-8 for byte comparison.</summary>
public static class XmlNamespaces
{
    public static ReadOnlySpan<byte> Streams => "http://etherx.jabber.org/streams"u8;
    public static ReadOnlySpan<byte> Client => "jabber:client"u8;
    public static ReadOnlySpan<byte> Server => "jabber:server"u8;

    /// <summary>Bound to the <c>xml</c> prefix by definition (xml:lang).</summary>
    public static ReadOnlySpan<byte> Xml => "http://www.w3.org/XML/1998/namespace"u8;

    /// <summary>Bound to the <c>xmlns</c> prefix by definition; nothing may declare it.</summary>
    public static ReadOnlySpan<byte> Xmlns => "http://www.w3.org/2000/xmlns/"u8;
}
