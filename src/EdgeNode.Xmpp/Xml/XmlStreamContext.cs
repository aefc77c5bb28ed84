using System.Buffers;

namespace EdgeNode.Xmpp.Xml;

/// <summary>
/// The reusable memory of one connection's XML stream: the node and attribute tables of the current
/// unit, a pooled buffer for units that arrive split across segments, and the namespace bindings of the
/// stream header. After the first few stanzas nothing here allocates. Not thread-safe; one per connection.
/// </summary>
public sealed class XmlStreamContext : IDisposable
{
    private const int InitialNodes = 32;
    private const int InitialAttributes = 32;
    private const int InitialNames = 128;
    private const int InitialScope = 8;

    // Tables and buffers that one unusual stanza made larger than this go back to their initial size,
    // so that a connection does not keep the memory of its largest stanza for its whole life.
    private const int RetainedNodes = 1024;
    private const int RetainedAttributes = 1024;
    private const int RetainedCopyBytes = 16 * 1024;
    private const int RetainedScratchBytes = 4 * 1024;
    private const int RetainedScope = 64;

    // A thread's spare parse tables, for contexts that hold tables only while they parse (see BorrowTables).
    [ThreadStatic] private static XmlNode[]? t_nodes;
    [ThreadStatic] private static XmlAttributeNode[]? t_attributes;
    [ThreadStatic] private static XmlNamespaceBinding[]? t_scope;
    [ThreadStatic] private static byte[]? t_scratch;

    private byte[]? _copy;

    /// <param name="options">The stream's limits and content namespace.</param>
    /// <param name="tablesWhileParsing">
    /// When true the context owns no parse tables: <see cref="BorrowTables"/> lends it the current thread's for the
    /// length of one synchronous parse and <see cref="ReturnTables"/> gives them back, so that thousands of idle
    /// connections do not each keep about 4 KiB of tables. Possible because a unit's tree is built only once the
    /// whole unit is there, and nothing of it is used after the parse returns.
    /// </param>
    public XmlStreamContext(XmlStreamOptions? options = null, bool tablesWhileParsing = false)
    {
        Options = options ?? XmlStreamOptions.ClientToServer;
        Options.Validate();
        if (tablesWhileParsing)
        {
            Nodes = [];
            Attributes = [];
            Scope = [];
            Scratch = [];
        }
        else
        {
            Nodes = new XmlNode[InitialNodes];
            Attributes = new XmlAttributeNode[InitialAttributes];
            Scope = new XmlNamespaceBinding[InitialScope];
            Scratch = new byte[InitialNames];
        }

        HeaderNames = new byte[InitialNames];
        HeaderBindings = new XmlNamespaceBinding[4];
        XmlNamespaces.Xml.CopyTo(HeaderNames);
        HeaderNamesLength = XmlNamespaces.Xml.Length;
    }

    public XmlStreamOptions Options { get; }

    /// <summary>Entries the node table holds now (for tests of the memory bound).</summary>
    internal int NodeCapacity => Nodes.Length;

    /// <summary>Bytes the buffer of decoded namespace names holds now (for tests of the memory bound).</summary>
    internal int ScratchCapacity => Scratch.Length;

    /// <summary>Entries the namespace scope stack holds now (for tests of the memory bound).</summary>
    internal int ScopeCapacity => Scope.Length;

    internal XmlNode[] Nodes;
    internal int NodeCount;
    internal XmlAttributeNode[] Attributes;
    internal int AttributeCount;
    internal XmlNamespaceBinding[] Scope;
    internal byte[] Scratch;
    internal int ScratchLength;
    internal byte[] HeaderNames;
    internal int HeaderNamesLength;
    internal XmlNamespaceBinding[] HeaderBindings;
    internal int HeaderBindingCount;
    internal ByteRange HeaderQualifiedName;

    /// <summary>
    /// Gives pooled memory back, for a connection that goes idle. Views from earlier reads become invalid;
    /// the stream header's bindings are kept.
    /// </summary>
    public void ReleaseBuffers()
    {
        if (_copy is not null)
        {
            ArrayPool<byte>.Shared.Return(_copy);
            _copy = null;
        }

        if (Nodes.Length > InitialNodes)
        {
            Nodes = new XmlNode[InitialNodes];
        }

        if (Attributes.Length > InitialAttributes)
        {
            Attributes = new XmlAttributeNode[InitialAttributes];
        }

        if (Scratch.Length > InitialNames)
        {
            Scratch = new byte[InitialNames];
        }

        if (Scope.Length > InitialScope)
        {
            Scope = new XmlNamespaceBinding[InitialScope];
        }

        NodeCount = 0;
        AttributeCount = 0;
        ScratchLength = 0;
    }

    public void Dispose() => ReleaseBuffers();

    /// <summary>
    /// Takes the current thread's spare tables (or new ones when another parse on this thread holds them) for one
    /// synchronous parse. Every borrow is followed by <see cref="ReturnTables"/> on the same thread.
    /// </summary>
    public void BorrowTables()
    {
        Nodes = t_nodes ?? new XmlNode[InitialNodes];
        Attributes = t_attributes ?? new XmlAttributeNode[InitialAttributes];
        Scope = t_scope ?? new XmlNamespaceBinding[InitialScope];
        Scratch = t_scratch ?? new byte[InitialNames];
        t_nodes = null;
        t_attributes = null;
        t_scope = null;
        t_scratch = null;
    }

    /// <summary>Gives the tables back to the thread (trimmed if one unit grew them); views of the parse become invalid.</summary>
    public void ReturnTables()
    {
        TrimAfterUnit();
        if (_copy is not null)
        {
            ArrayPool<byte>.Shared.Return(_copy);
            _copy = null;
        }

        t_nodes = Nodes;
        t_attributes = Attributes;
        t_scope = Scope;
        t_scratch = Scratch;
        Nodes = [];
        Attributes = [];
        Scope = [];
        Scratch = [];
        NodeCount = 0;
        AttributeCount = 0;
        ScratchLength = 0;
    }

    /// <summary>
    /// True when the stream header binds no prefix other than <c>stream</c>. A server that forwards stanzas as
    /// received needs this: a prefix bound only on the sender's header would be unbound in the recipient's stream.
    /// </summary>
    public bool HeaderBindsOnlyStreamPrefix()
    {
        for (int i = 0; i < HeaderBindingCount; i++)
        {
            ref XmlNamespaceBinding binding = ref HeaderBindings[i];
            if (binding.Prefix.Length > 0 && !Resolve(binding.Prefix, default).SequenceEqual(XmppNames.Stream))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Called when the previous unit's views are no longer in use.</summary>
    internal void TrimAfterUnit()
    {
        if (_copy is not null && _copy.Length > RetainedCopyBytes)
        {
            ArrayPool<byte>.Shared.Return(_copy);
            _copy = null;
        }

        if (Nodes.Length > RetainedNodes)
        {
            Nodes = new XmlNode[InitialNodes];
        }

        if (Attributes.Length > RetainedAttributes)
        {
            Attributes = new XmlAttributeNode[InitialAttributes];
        }

        // One stanza of long entity-escaped namespace names would otherwise pin its decoded size for good.
        if (Scratch.Length > RetainedScratchBytes)
        {
            Scratch = new byte[InitialNames];
        }

        if (Scope.Length > RetainedScope)
        {
            Scope = new XmlNamespaceBinding[InitialScope];
        }
    }

    /// <summary>A contiguous copy of a unit that arrived in several segments.</summary>
    internal ReadOnlySpan<byte> CopyUnit(scoped in ReadOnlySequence<byte> unit)
    {
        int length = checked((int)unit.Length);
        if (_copy is null || _copy.Length < length)
        {
            if (_copy is not null)
            {
                ArrayPool<byte>.Shared.Return(_copy);
            }

            _copy = ArrayPool<byte>.Shared.Rent(Math.Max(length, 4096));
        }

        unit.CopyTo(_copy);
        return _copy.AsSpan(0, length);
    }

    internal void BeginUnit()
    {
        NodeCount = 0;
        AttributeCount = 0;
        ScratchLength = 0;
    }

    internal void BeginHeader()
    {
        BeginUnit();
        HeaderNamesLength = XmlNamespaces.Xml.Length;
        HeaderBindingCount = 0;
        HeaderQualifiedName = default;
    }

    internal int AddNode()
    {
        if (NodeCount >= Options.MaxNodes)
        {
            XmlThrow.PolicyViolation("The stanza has too many elements and text runs.");
        }

        if (NodeCount == Nodes.Length)
        {
            Array.Resize(ref Nodes, Math.Min(Nodes.Length * 2, Options.MaxNodes));
        }

        return NodeCount++;
    }

    internal int AddAttribute()
    {
        if (AttributeCount >= Options.MaxNodes)
        {
            XmlThrow.PolicyViolation("The stanza has too many attributes.");
        }

        if (AttributeCount == Attributes.Length)
        {
            Array.Resize(ref Attributes, Math.Min(Attributes.Length * 2, Options.MaxNodes));
        }

        return AttributeCount++;
    }

    internal void PushScope(ref int count, in XmlNamespaceBinding binding)
    {
        if (count == Scope.Length)
        {
            Array.Resize(ref Scope, Scope.Length * 2);
        }

        Scope[count++] = binding;
    }

    internal ByteRange AppendDecodedToScratch(ReadOnlySpan<byte> raw, XmlValueKind kind)
    {
        EnsureCapacity(ref Scratch, ScratchLength + raw.Length);
        int length = XmlDecoding.Decode(raw, kind, Scratch.AsSpan(ScratchLength));
        var range = new ByteRange(ScratchLength, length, RangeSource.Scratch);
        ScratchLength += length;
        return range;
    }

    internal ByteRange AppendHeaderName(ReadOnlySpan<byte> name)
    {
        EnsureCapacity(ref HeaderNames, HeaderNamesLength + name.Length);
        name.CopyTo(HeaderNames.AsSpan(HeaderNamesLength));
        var range = new ByteRange(HeaderNamesLength, name.Length, RangeSource.Header);
        HeaderNamesLength += name.Length;
        return range;
    }

    internal void AddHeaderBinding(in XmlNamespaceBinding binding)
    {
        if (HeaderBindingCount == HeaderBindings.Length)
        {
            Array.Resize(ref HeaderBindings, HeaderBindings.Length * 2);
        }

        HeaderBindings[HeaderBindingCount++] = binding;
    }

    internal ReadOnlySpan<byte> Resolve(in ByteRange range, ReadOnlySpan<byte> unit) => range.Source switch
    {
        RangeSource.Scratch => Scratch.AsSpan(range.Start, range.Length),
        RangeSource.Header => HeaderNames.AsSpan(range.Start, range.Length),
        _ => unit.Slice(range.Start, range.Length),
    };

    private static void EnsureCapacity(ref byte[] buffer, int needed)
    {
        if (needed > buffer.Length)
        {
            Array.Resize(ref buffer, Math.Max(needed, buffer.Length * 2));
        }
    }
}
