namespace EdgeNode.Xmpp.Xml;

/// <summary>
/// A view of one element of the current unit. Names and values are spans into the received bytes;
/// compare them with <c>"name"u8</c> literals. Valid until the reader reads again.
/// </summary>
public readonly ref partial struct XmlElement
{
    private readonly ReadOnlySpan<byte> _unit;
    private readonly XmlStreamContext _context;
    private readonly int _index;

    internal XmlElement(ReadOnlySpan<byte> unit, XmlStreamContext context, int index)
    {
        _unit = unit;
        _context = context;
        _index = index;
    }

    public ReadOnlySpan<byte> QualifiedName => _unit.Slice(Node.NameStart, Node.NameLength);

    public ReadOnlySpan<byte> Prefix => _unit.Slice(Node.NameStart, Node.PrefixLength);

    public ReadOnlySpan<byte> LocalName
    {
        get
        {
            ref XmlNode node = ref Node;
            int skip = node.PrefixLength == 0 ? 0 : node.PrefixLength + 1;
            return _unit.Slice(node.NameStart + skip, node.NameLength - skip);
        }
    }

    /// <summary>The resolved namespace name, including one inherited from the stream header; empty for none.</summary>
    public ReadOnlySpan<byte> NamespaceUri => _context.Resolve(Node.Namespace, _unit);

    /// <summary>The element exactly as received, from its '&lt;' to the end of its end tag.</summary>
    public ReadOnlySpan<byte> RawBytes => _unit.Slice(Node.Start, Node.End - Node.Start);

    public bool HasChildElements => FirstChildElement() >= 0;

    public XmlAttributeEnumerator Attributes => new(_unit, _context, Node.FirstAttribute, Node.AttributeCount);

    public XmlChildEnumerator Children => new(_unit, _context, Node.FirstChild);

    /// <summary>The character data directly inside this element.</summary>
    public XmlText Text => new(_unit, _context, _index);

    public bool Is(ReadOnlySpan<byte> localName, ReadOnlySpan<byte> namespaceUri) =>
        LocalName.SequenceEqual(localName) && NamespaceUri.SequenceEqual(namespaceUri);

    /// <summary>Finds an unprefixed attribute (to, from, type, id...).</summary>
    public bool TryGetAttribute(ReadOnlySpan<byte> name, out XmlValue value)
    {
        ref XmlNode node = ref Node;
        XmlAttributeNode[] attributes = _context.Attributes;
        int end = node.FirstAttribute + node.AttributeCount;
        for (int i = node.FirstAttribute; i < end; i++)
        {
            ref XmlAttributeNode attribute = ref attributes[i];
            if (attribute.PrefixLength == 0 && !attribute.IsNamespaceDeclaration
                && _unit.Slice(attribute.NameStart, attribute.NameLength).SequenceEqual(name))
            {
                value = new XmlValue(_unit.Slice(attribute.ValueStart, attribute.ValueLength), XmlValueKind.Attribute, attribute.NeedsDecoding);
                return true;
            }
        }

        value = default;
        return false;
    }

    /// <summary>Finds an attribute by expanded name; an empty namespace means an unprefixed attribute.</summary>
    public bool TryGetAttribute(ReadOnlySpan<byte> localName, ReadOnlySpan<byte> namespaceUri, out XmlValue value)
    {
        if (namespaceUri.IsEmpty)
        {
            return TryGetAttribute(localName, out value);
        }

        foreach (XmlAttribute attribute in Attributes)
        {
            if (attribute.PrefixLength > 0 && attribute.LocalName.SequenceEqual(localName)
                && attribute.NamespaceUri.SequenceEqual(namespaceUri))
            {
                value = attribute.Value;
                return true;
            }
        }

        value = default;
        return false;
    }

    /// <summary>The element's own xml:lang; inheritance from the stream header is the caller's decision.</summary>
    public bool TryGetXmlLang(out XmlValue value) => TryGetAttribute(XmppNames.Lang, XmlNamespaces.Xml, out value);

    public bool TryGetChild(ReadOnlySpan<byte> localName, ReadOnlySpan<byte> namespaceUri, out XmlElement child)
    {
        foreach (XmlElement candidate in Children)
        {
            if (candidate.Is(localName, namespaceUri))
            {
                child = candidate;
                return true;
            }
        }

        child = default;
        return false;
    }

    private ref XmlNode Node => ref _context.Nodes[_index];

    private int FirstChildElement()
    {
        XmlNode[] nodes = _context.Nodes;
        int i = nodes[_index].FirstChild;
        while (i >= 0 && nodes[i].Kind != XmlNodeKind.Element)
        {
            i = nodes[i].NextSibling;
        }

        return i;
    }
}
