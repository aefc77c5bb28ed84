namespace EdgeNode.Xmpp.Xml;

/// <summary>Element and attribute names a server compares on every stanza, as UTF-8 for byte comparison.</summary>
public static class XmppNames
{
    public static ReadOnlySpan<byte> Stream => "stream"u8;
    public static ReadOnlySpan<byte> Message => "message"u8;
    public static ReadOnlySpan<byte> Presence => "presence"u8;
    public static ReadOnlySpan<byte> Iq => "iq"u8;
    public static ReadOnlySpan<byte> Features => "features"u8;
    public static ReadOnlySpan<byte> Error => "error"u8;
    public static ReadOnlySpan<byte> Body => "body"u8;

    public static ReadOnlySpan<byte> To => "to"u8;
    public static ReadOnlySpan<byte> From => "from"u8;
    public static ReadOnlySpan<byte> Type => "type"u8;
    public static ReadOnlySpan<byte> Id => "id"u8;
    public static ReadOnlySpan<byte> Version => "version"u8;

    /// <summary>Local name of xml:lang (namespace <see cref="XmlNamespaces.Xml"/>).</summary>
    public static ReadOnlySpan<byte> Lang => "lang"u8;
}
