namespace EdgeNode.Xmpp.Xml;

/// <summary>Limits a peer cannot exceed; each is enforced while scanning, before anything is buffered or parsed.</summary>
public sealed class XmlStreamOptions
{
    /// <summary>Limits for a client stream: its content namespace must be jabber:client (RFC 6120 4.9.3.10).</summary>
    public static XmlStreamOptions ClientToServer { get; } = new() { ContentNamespace = "jabber:client"u8.ToArray() };

    /// <summary>Limits for a server-to-server stream: its content namespace must be jabber:server.</summary>
    public static XmlStreamOptions ServerToServer { get; } = new() { ContentNamespace = "jabber:server"u8.ToArray() };

    /// <summary>Largest first-level element, start tag to end tag inclusive.</summary>
    public int MaxStanzaBytes { get; init; } = 256 * 1024;

    /// <summary>Largest stream header (the stream's open tag).</summary>
    public int MaxHeaderBytes { get; init; } = 4096;

    /// <summary>Deepest element nesting inside one stanza; the stanza itself is depth 1.</summary>
    public int MaxDepth { get; init; } = 32;

    /// <summary>Most attributes on one element, namespace declarations included.</summary>
    public int MaxAttributes { get; init; } = 32;

    /// <summary>
    /// Most nodes (elements and runs of character data) in one stanza, and most attributes in one stanza. A
    /// stanza within the size limit could otherwise hold tens of thousands of tiny elements and make the
    /// connection's node tables grow to megabytes.
    /// </summary>
    public int MaxNodes { get; init; } = 4096;

    /// <summary>
    /// Most namespace declarations in one stanza (and in the stream header). Every element name and prefixed
    /// attribute is resolved against the declarations in scope, so without this bound a stanza of thousands of
    /// elements under a thousand bindings costs tens of millions of comparisons before authentication.
    /// </summary>
    public int MaxNamespaceDeclarations { get; init; } = 16;

    /// <summary>
    /// When not empty, the default namespace the stream header must declare (jabber:client for c2s,
    /// jabber:server for s2s). Empty accepts any content namespace other than the stream namespace.
    /// </summary>
    public ReadOnlyMemory<byte> ContentNamespace { get; init; }

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxStanzaBytes, 16);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxHeaderBytes, 64);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxDepth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxAttributes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxNodes, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxNamespaceDeclarations, 2);
    }
}
