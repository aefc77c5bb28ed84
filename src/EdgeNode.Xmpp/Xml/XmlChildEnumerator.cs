namespace EdgeNode.Xmpp.Xml;

/// <summary>Walks the child elements of an element in document order, skipping character data.</summary>
public ref struct XmlChildEnumerator
{
    private readonly ReadOnlySpan<byte> _unit;
    private readonly XmlStreamContext _context;
    private int _next;
    private int _current;

    internal XmlChildEnumerator(ReadOnlySpan<byte> unit, XmlStreamContext context, int firstChild)
    {
        _unit = unit;
        _context = context;
        _next = firstChild;
        _current = -1;
    }

    public readonly XmlElement Current => new(_unit, _context, _current);

    public readonly XmlChildEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        XmlNode[] nodes = _context.Nodes;
        while (_next >= 0)
        {
            int candidate = _next;
            _next = nodes[candidate].NextSibling;
            if (nodes[candidate].Kind == XmlNodeKind.Element)
            {
                _current = candidate;
                return true;
            }
        }

        return false;
    }
}
