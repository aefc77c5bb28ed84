namespace EdgeNode.Xmpp.Xml;

/// <summary>A view of one attribute of an element (namespace declarations are not listed).</summary>
public readonly ref struct XmlAttribute
{
    private readonly ReadOnlySpan<byte> _unit;
    private readonly XmlStreamContext _context;
    private readonly int _index;

    internal XmlAttribute(ReadOnlySpan<byte> unit, XmlStreamContext context, int index)
    {
        _unit = unit;
        _context = context;
        _index = index;
    }

    public ReadOnlySpan<byte> QualifiedName => _unit.Slice(Node.NameStart, Node.NameLength);

    internal int PrefixLength => Node.PrefixLength;

    public ReadOnlySpan<byte> Prefix => _unit.Slice(Node.NameStart, Node.PrefixLength);

    public ReadOnlySpan<byte> LocalName
    {
        get
        {
            ref XmlAttributeNode node = ref Node;
            int skip = node.PrefixLength == 0 ? 0 : node.PrefixLength + 1;
            return _unit.Slice(node.NameStart + skip, node.NameLength - skip);
        }
    }

    /// <summary>Empty for an unprefixed attribute, which is in no namespace.</summary>
    public ReadOnlySpan<byte> NamespaceUri => _context.Resolve(Node.Namespace, _unit);

    public XmlValue Value
    {
        get
        {
            ref XmlAttributeNode node = ref Node;
            return new XmlValue(_unit.Slice(node.ValueStart, node.ValueLength), XmlValueKind.Attribute, node.NeedsDecoding);
        }
    }

    private ref XmlAttributeNode Node => ref _context.Attributes[_index];
}

public ref struct XmlAttributeEnumerator
{
    private readonly ReadOnlySpan<byte> _unit;
    private readonly XmlStreamContext _context;
    private readonly int _end;
    private int _index;

    internal XmlAttributeEnumerator(ReadOnlySpan<byte> unit, XmlStreamContext context, int first, int count)
    {
        _unit = unit;
        _context = context;
        _index = first - 1;
        _end = first + count;
    }

    public readonly XmlAttribute Current => new(_unit, _context, _index);

    public readonly XmlAttributeEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        while (++_index < _end)
        {
            if (!_context.Attributes[_index].IsNamespaceDeclaration)
            {
                return true;
            }
        }

        return false;
    }
}
