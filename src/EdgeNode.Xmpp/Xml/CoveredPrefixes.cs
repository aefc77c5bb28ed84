namespace EdgeNode.Xmpp.Xml;

/// <summary>A namespace prefix as a range of the unit's bytes; empty for the default namespace.</summary>
internal readonly record struct PrefixName(int Start, int Length);

/// <summary>
/// The distinct prefixes whose bindings are settled on the path from the written element down to the
/// current one. Each prefix is held once, so lookups cost the number of distinct prefixes in the stanza,
/// which the limit on namespace declarations keeps small.
/// </summary>
internal ref struct CoveredPrefixes
{
    public const int InlineCapacity = 32;

    private Span<PrefixName> _items;

    public CoveredPrefixes(Span<PrefixName> storage)
    {
        _items = storage;
        Count = 0;
    }

    /// <summary>Set back to an earlier count when the walk leaves an element.</summary>
    public int Count { get; set; }

    public readonly bool Contains(ReadOnlySpan<byte> unit, ReadOnlySpan<byte> prefix)
    {
        for (int i = 0; i < Count; i++)
        {
            PrefixName item = _items[i];
            if (unit.Slice(item.Start, item.Length).SequenceEqual(prefix))
            {
                return true;
            }
        }

        return false;
    }

    public void Add(ReadOnlySpan<byte> unit, PrefixName prefix)
    {
        if (Contains(unit, unit.Slice(prefix.Start, prefix.Length)))
        {
            return;
        }

        if (Count == _items.Length)
        {
            // Only a stream whose options allow many declarations gets here; the stack space is not enough then.
            var larger = new PrefixName[_items.Length * 2];
            _items.CopyTo(larger);
            _items = larger;
        }

        _items[Count++] = prefix;
    }
}
