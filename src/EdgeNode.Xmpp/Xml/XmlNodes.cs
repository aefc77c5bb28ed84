namespace EdgeNode.Xmpp.Xml;

/// <summary>Where a <see cref="ByteRange"/> points: the unit's bytes or one of the context's name buffers.</summary>
internal enum RangeSource : byte
{
    Unit,

    /// <summary>Namespace names that had references and were decoded for this unit.</summary>
    Scratch,

    /// <summary>Names kept from the stream header (and the fixed xml namespace).</summary>
    Header,
}

internal struct ByteRange
{
    public int Start;
    public int Length;
    public RangeSource Source;

    public ByteRange(int start, int length, RangeSource source)
    {
        Start = start;
        Length = length;
        Source = source;
    }
}

internal enum XmlNodeKind : byte
{
    Element,
    Text,
    CData,
}

/// <summary>One element or run of character data, as offsets into the unit. Nodes are in document order.</summary>
internal struct XmlNode
{
    public int Parent;
    public int FirstChild;
    public int LastChild;
    public int NextSibling;

    /// <summary>Element: its '&lt;'. Character data: its first raw byte (inside a CDATA section's markers).</summary>
    public int Start;

    /// <summary>Element: just past its end tag (or "/&gt;"). Character data: just past its last raw byte.</summary>
    public int End;

    /// <summary>Element: just past the start tag's closing "&gt;" or "/&gt;".</summary>
    public int ContentStart;

    public int NameStart;
    public int NameLength;
    public int PrefixLength;
    public ByteRange Namespace;
    public int FirstAttribute;
    public int AttributeCount;

    /// <summary>Height of the namespace scope stack before this element's declarations (parse time only).</summary>
    public int ScopeStart;

    public XmlNodeKind Kind;
    public bool NeedsDecoding;
    public bool SelfClosing;
}

internal struct XmlAttributeNode
{
    public int NameStart;
    public int NameLength;
    public int PrefixLength;
    public int ValueStart;
    public int ValueLength;
    public ByteRange Namespace;
    public byte Quote;
    public bool NeedsDecoding;
    public bool IsNamespaceDeclaration;
}

internal struct XmlNamespaceBinding
{
    /// <summary>Empty for the default namespace.</summary>
    public ByteRange Prefix;

    /// <summary>Empty when the declaration undeclares the default namespace (xmlns='').</summary>
    public ByteRange Uri;
}
