using System.Buffers;
using System.Text;

namespace EdgeNode.Xmpp.Xml;

/// <summary>
/// The character data directly inside an element: the concatenation of its text and CDATA runs, with
/// child elements skipped. Most elements have one run, which <see cref="TryGetSingleRun"/> exposes.
/// </summary>
public readonly ref struct XmlText
{
    private readonly ReadOnlySpan<byte> _unit;
    private readonly XmlStreamContext _context;
    private readonly int _element;

    internal XmlText(ReadOnlySpan<byte> unit, XmlStreamContext context, int element)
    {
        _unit = unit;
        _context = context;
        _element = element;
    }

    public bool IsEmpty
    {
        get
        {
            for (int i = FirstRun(); i >= 0; i = NextRun(i))
            {
                if (_context.Nodes[i].End > _context.Nodes[i].Start)
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>True when the text is exactly one run; then no concatenation is needed to use it.</summary>
    public bool TryGetSingleRun(out XmlValue run)
    {
        int first = FirstRun();
        if (first < 0 || NextRun(first) >= 0)
        {
            run = default;
            return first < 0;
        }

        run = Run(first);
        return true;
    }

    public int GetDecodedLength()
    {
        int length = 0;
        for (int i = FirstRun(); i >= 0; i = NextRun(i))
        {
            length += Run(i).GetDecodedLength();
        }

        return length;
    }

    public bool ValueEquals(ReadOnlySpan<byte> expected)
    {
        int matched = 0;
        for (int i = FirstRun(); i >= 0; i = NextRun(i))
        {
            ref XmlNode node = ref _context.Nodes[i];
            ReadOnlySpan<byte> raw = _unit.Slice(node.Start, node.End - node.Start);
            if (!XmlDecoding.DecodedIsPrefixOf(raw, Kind(in node), expected.Slice(matched), out int runMatched))
            {
                return false;
            }

            matched += runMatched;
        }

        return matched == expected.Length;
    }

    public bool TryCopyTo(Span<byte> destination, out int written)
    {
        written = 0;
        for (int i = FirstRun(); i >= 0; i = NextRun(i))
        {
            if (!Run(i).TryCopyTo(destination.Slice(written), out int n))
            {
                written = 0;
                return false;
            }

            written += n;
        }

        return true;
    }

    public void WriteTo(IBufferWriter<byte> output)
    {
        for (int i = FirstRun(); i >= 0; i = NextRun(i))
        {
            Run(i).WriteTo(output);
        }
    }

    /// <summary>Allocates; for storage and API boundaries only.</summary>
    public string GetString()
    {
        if (TryGetSingleRun(out XmlValue run))
        {
            return run.GetString();
        }

        int length = GetDecodedLength();
        byte[] buffer = ArrayPool<byte>.Shared.Rent(length);
        TryCopyTo(buffer, out int written);
        string value = Encoding.UTF8.GetString(buffer, 0, written);
        ArrayPool<byte>.Shared.Return(buffer);
        return value;
    }

    public override string ToString() => GetString();

    private static XmlValueKind Kind(in XmlNode node) =>
        node.Kind == XmlNodeKind.CData ? XmlValueKind.CData : XmlValueKind.Text;

    private XmlValue Run(int index)
    {
        ref XmlNode node = ref _context.Nodes[index];
        return new XmlValue(_unit.Slice(node.Start, node.End - node.Start), Kind(in node), node.NeedsDecoding);
    }

    private int FirstRun() => Skip(_context.Nodes[_element].FirstChild);

    private int NextRun(int index) => Skip(_context.Nodes[index].NextSibling);

    private int Skip(int index)
    {
        while (index >= 0 && _context.Nodes[index].Kind == XmlNodeKind.Element)
        {
            index = _context.Nodes[index].NextSibling;
        }

        return index;
    }
}
