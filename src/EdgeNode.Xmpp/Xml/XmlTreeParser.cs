namespace EdgeNode.Xmpp.Xml;

/// <summary>
/// The full parse of one complete, contiguous unit into the context's node tables: names, namespaces,
/// attributes, references and nesting are checked here. The framing scan has already bounded the unit's
/// size and depth, so nothing here needs more memory than the unit justifies.
/// </summary>
internal ref struct XmlTreeParser
{
    private readonly ReadOnlySpan<byte> _s;
    private readonly XmlStreamContext _ctx;
    private int _pos;
    private int _scopeCount;
    private int _declarations;

    private XmlTreeParser(ReadOnlySpan<byte> unit, XmlStreamContext context)
    {
        _s = unit;
        _ctx = context;
    }

    /// <summary>Parses a first-level element; it becomes node 0.</summary>
    public static void ParseStanza(ReadOnlySpan<byte> unit, XmlStreamContext context)
    {
        XmlChars.ValidateDocumentText(unit);
        context.BeginUnit();
        var parser = new XmlTreeParser(unit, context);
        parser.ParseElementTree();
    }

    /// <summary>Parses the stream's open tag; it becomes node 0 and its namespace bindings are kept.</summary>
    public static void ParseHeader(ReadOnlySpan<byte> unit, XmlStreamContext context)
    {
        XmlChars.ValidateDocumentText(unit);
        context.BeginHeader();
        var parser = new XmlTreeParser(unit, context);
        int root = parser.ParseStartTag(parent: -1);
        if (context.Nodes[root].SelfClosing)
        {
            XmlThrow.BadFormat("The stream header closes itself.");
        }

        if (parser._pos != unit.Length)
        {
            XmlThrow.NotWellFormed("Unexpected data in the stream header.");
        }

        // The header never ends inside this unit; its raw bytes are its open tag.
        context.Nodes[root].End = parser._pos;

        parser.KeepHeaderBindings(root);
    }

    private void ParseElementTree()
    {
        int maxDepth = _ctx.Options.MaxDepth;
        int current = ParseStartTag(parent: -1);
        int depth = 1;
        if (_ctx.Nodes[current].SelfClosing)
        {
            current = -1;
        }

        while (current >= 0)
        {
            int lt = _s.Slice(_pos).IndexOf((byte)'<');
            if (lt < 0)
            {
                XmlThrow.NotWellFormed("An element is not closed.");
            }

            if (lt > 0)
            {
                AddText(current, _pos, _pos + lt);
                _pos += lt;
            }

            if (_pos + 1 >= _s.Length)
            {
                XmlThrow.NotWellFormed("An element is not closed.");
            }

            byte next = _s[_pos + 1];
            if (next == '/')
            {
                current = ParseEndTag(current);
                depth--;
            }
            else if (next == '!')
            {
                BangKind kind = XmlMarkup.ClassifyBang(_s.Slice(_pos));
                if (kind != BangKind.CData)
                {
                    XmlMarkup.ThrowForBang(kind);
                }

                ParseCData(current);
            }
            else if (next == '?')
            {
                XmlThrow.RestrictedXml("Processing instructions are not allowed in XMPP.");
            }
            else
            {
                if (++depth > maxDepth)
                {
                    XmlThrow.PolicyViolation("The stanza nests elements too deeply.");
                }

                int child = ParseStartTag(current);
                if (_ctx.Nodes[child].SelfClosing)
                {
                    depth--;
                }
                else
                {
                    current = child;
                }
            }
        }

        if (_pos != _s.Length)
        {
            XmlThrow.NotWellFormed("Unexpected data after the element.");
        }
    }

    private int ParseStartTag(int parent)
    {
        int start = _pos;
        _pos++;
        ReadQualifiedName(out int nameStart, out int nameLength, out int prefixLength);

        int index = _ctx.AddNode();
        ref XmlNode node = ref _ctx.Nodes[index];
        node = default;
        node.Kind = XmlNodeKind.Element;
        node.Parent = parent;
        node.FirstChild = -1;
        node.LastChild = -1;
        node.NextSibling = -1;
        node.Start = start;
        node.NameStart = nameStart;
        node.NameLength = nameLength;
        node.PrefixLength = prefixLength;
        node.FirstAttribute = _ctx.AttributeCount;
        node.ScopeStart = _scopeCount;
        Link(parent, index);

        int maxAttributes = _ctx.Options.MaxAttributes;
        while (true)
        {
            bool sawSpace = SkipWhitespace();
            if (_pos >= _s.Length)
            {
                XmlThrow.NotWellFormed("A start tag is not closed.");
            }

            byte b = _s[_pos];
            if (b == '>')
            {
                _pos++;
                break;
            }

            if (b == '/')
            {
                if (_pos + 1 >= _s.Length || _s[_pos + 1] != '>')
                {
                    XmlThrow.NotWellFormed("A '/' in a start tag is not followed by '>'.");
                }

                _pos += 2;
                node.SelfClosing = true;
                break;
            }

            if (!sawSpace)
            {
                XmlThrow.NotWellFormed("Attributes must be separated by whitespace.");
            }

            if (node.AttributeCount == maxAttributes)
            {
                XmlThrow.PolicyViolation("An element has too many attributes.");
            }

            ParseAttribute();
            node.AttributeCount++;
        }

        node.ContentStart = _pos;
        ResolveNames(ref node);
        if (node.SelfClosing)
        {
            node.End = _pos;
            _scopeCount = node.ScopeStart;
        }

        return index;
    }

    private void ParseAttribute()
    {
        ReadQualifiedName(out int nameStart, out int nameLength, out int prefixLength);
        SkipWhitespace();
        Expect((byte)'=');
        SkipWhitespace();
        if (_pos >= _s.Length || _s[_pos] is not ((byte)'\'' or (byte)'"'))
        {
            XmlThrow.NotWellFormed("Attribute values must be quoted.");
        }

        byte quote = _s[_pos++];
        int valueStart = _pos;
        int valueLength = _s.Slice(_pos).IndexOf(quote);
        if (valueLength < 0)
        {
            XmlThrow.NotWellFormed("An attribute value is not closed.");
        }

        ReadOnlySpan<byte> value = _s.Slice(valueStart, valueLength);
        if (value.IndexOf((byte)'<') >= 0)
        {
            XmlThrow.NotWellFormed("'<' in an attribute value.");
        }

        XmlDecoding.ValidateReferences(value, isText: false);
        _pos = valueStart + valueLength + 1;

        int index = _ctx.AddAttribute();
        ref XmlAttributeNode attribute = ref _ctx.Attributes[index];
        attribute = default;
        attribute.NameStart = nameStart;
        attribute.NameLength = nameLength;
        attribute.PrefixLength = prefixLength;
        attribute.ValueStart = valueStart;
        attribute.ValueLength = valueLength;
        attribute.Quote = quote;
        attribute.NeedsDecoding = XmlDecoding.NeedsDecoding(value, XmlValueKind.Attribute);

        ReadOnlySpan<byte> name = _s.Slice(nameStart, nameLength);
        if (prefixLength == 0 && name.SequenceEqual("xmlns"u8))
        {
            attribute.IsNamespaceDeclaration = true;
            Declare(default, valueStart, valueLength, attribute.NeedsDecoding);
        }
        else if (prefixLength == 5 && name.StartsWith("xmlns"u8))
        {
            attribute.IsNamespaceDeclaration = true;
            Declare(new ByteRange(nameStart + 6, nameLength - 6, RangeSource.Unit), valueStart, valueLength, attribute.NeedsDecoding);
        }
    }

    private void Declare(ByteRange prefix, int valueStart, int valueLength, bool needsDecoding)
    {
        // Counted over the whole unit, not per scope: the scope stack and everything resolved against it stay
        // small, and decoded namespace names cannot fill the scratch buffer.
        if (++_declarations > _ctx.Options.MaxNamespaceDeclarations)
        {
            XmlThrow.PolicyViolation("The stanza declares too many namespaces.");
        }

        ByteRange uri = needsDecoding
            ? _ctx.AppendDecodedToScratch(_s.Slice(valueStart, valueLength), XmlValueKind.Attribute)
            : new ByteRange(valueStart, valueLength, RangeSource.Unit);

        // Namespaces in XML 1.0, section 3: the xmlns namespace is never declared, and the xml namespace only
        // ever for the xml prefix, so neither may be the default namespace.
        ReadOnlySpan<byte> uriName = _ctx.Resolve(uri, _s);
        bool isXmlUri = uriName.SequenceEqual(XmlNamespaces.Xml);
        if (uriName.SequenceEqual(XmlNamespaces.Xmlns))
        {
            XmlThrow.NotWellFormed("The xmlns namespace may not be declared.");
        }

        if (prefix.Length > 0)
        {
            ReadOnlySpan<byte> prefixName = _s.Slice(prefix.Start, prefix.Length);
            bool isXmlPrefix = prefixName.SequenceEqual("xml"u8);
            if (uri.Length == 0 || prefixName.SequenceEqual("xmlns"u8) || isXmlPrefix != isXmlUri)
            {
                XmlThrow.NotWellFormed("A namespace declaration breaks the rules of XML namespaces.");
            }
        }
        else if (isXmlUri)
        {
            XmlThrow.NotWellFormed("The xml namespace may not be the default namespace.");
        }

        _ctx.PushScope(ref _scopeCount, new XmlNamespaceBinding { Prefix = prefix, Uri = uri });
    }

    private void ResolveNames(ref XmlNode node)
    {
        ReadOnlySpan<byte> prefix = _s.Slice(node.NameStart, node.PrefixLength);
        if (prefix.SequenceEqual("xmlns"u8))
        {
            XmlThrow.NotWellFormed("An element may not use the xmlns prefix.");
        }

        node.Namespace = ResolvePrefix(prefix);

        int first = node.FirstAttribute;
        int end = first + node.AttributeCount;
        XmlAttributeNode[] attributes = _ctx.Attributes;
        for (int i = first; i < end; i++)
        {
            ref XmlAttributeNode attribute = ref attributes[i];
            if (!attribute.IsNamespaceDeclaration && attribute.PrefixLength > 0)
            {
                attribute.Namespace = ResolvePrefix(_s.Slice(attribute.NameStart, attribute.PrefixLength));
            }

            ReadOnlySpan<byte> name = _s.Slice(attribute.NameStart, attribute.NameLength);
            for (int j = first; j < i; j++)
            {
                ref XmlAttributeNode other = ref attributes[j];
                ReadOnlySpan<byte> otherName = _s.Slice(other.NameStart, other.NameLength);
                if (name.SequenceEqual(otherName) || IsSameExpandedName(in attribute, in other))
                {
                    XmlThrow.NotWellFormed("An element has the same attribute twice.");
                }
            }
        }
    }

    private bool IsSameExpandedName(in XmlAttributeNode a, in XmlAttributeNode b)
    {
        if (a.IsNamespaceDeclaration || b.IsNamespaceDeclaration || a.PrefixLength == 0 || b.PrefixLength == 0)
        {
            return false;
        }

        return _s.Slice(a.NameStart + a.PrefixLength + 1, a.NameLength - a.PrefixLength - 1)
                .SequenceEqual(_s.Slice(b.NameStart + b.PrefixLength + 1, b.NameLength - b.PrefixLength - 1))
            && _ctx.Resolve(a.Namespace, _s).SequenceEqual(_ctx.Resolve(b.Namespace, _s));
    }

    private ByteRange ResolvePrefix(ReadOnlySpan<byte> prefix)
    {
        XmlNamespaceBinding[] scope = _ctx.Scope;
        for (int i = _scopeCount - 1; i >= 0; i--)
        {
            if (_ctx.Resolve(scope[i].Prefix, _s).SequenceEqual(prefix))
            {
                return scope[i].Uri;
            }
        }

        XmlNamespaceBinding[] header = _ctx.HeaderBindings;
        for (int i = _ctx.HeaderBindingCount - 1; i >= 0; i--)
        {
            if (_ctx.Resolve(header[i].Prefix, _s).SequenceEqual(prefix))
            {
                return header[i].Uri;
            }
        }

        if (prefix.IsEmpty)
        {
            return default;
        }

        if (prefix.SequenceEqual("xml"u8))
        {
            return new ByteRange(0, XmlNamespaces.Xml.Length, RangeSource.Header);
        }

        XmlThrow.NotWellFormed("A prefix is not bound to a namespace.");
        return default;
    }

    private int ParseEndTag(int current)
    {
        _pos += 2;
        ref XmlNode node = ref _ctx.Nodes[current];
        int nameLength = XmlChars.NameLength(_s.Slice(_pos));
        if (!_s.Slice(_pos, nameLength).SequenceEqual(_s.Slice(node.NameStart, node.NameLength)))
        {
            XmlThrow.NotWellFormed("An end tag does not match its start tag.");
        }

        _pos += nameLength;
        SkipWhitespace();
        Expect((byte)'>');
        node.End = _pos;
        _scopeCount = node.ScopeStart;
        return node.Parent;
    }

    private void ParseCData(int parent)
    {
        int start = _pos + XmlMarkup.CDataOpen.Length;
        int length = _s.Slice(start).IndexOf(XmlMarkup.CDataClose);
        if (length < 0)
        {
            XmlThrow.NotWellFormed("A CDATA section is not closed.");
        }

        bool needsDecoding = _s.Slice(start, length).IndexOf((byte)'\r') >= 0;
        AddCharacterData(parent, XmlNodeKind.CData, start, start + length, needsDecoding);
        _pos = start + length + XmlMarkup.CDataClose.Length;
    }

    private void AddText(int parent, int start, int end)
    {
        ReadOnlySpan<byte> raw = _s.Slice(start, end - start);
        bool hasReferences = XmlDecoding.ValidateReferences(raw, isText: true);
        bool needsDecoding = hasReferences || raw.IndexOf((byte)'\r') >= 0;
        AddCharacterData(parent, XmlNodeKind.Text, start, end, needsDecoding);
    }

    private void AddCharacterData(int parent, XmlNodeKind kind, int start, int end, bool needsDecoding)
    {
        int index = _ctx.AddNode();
        ref XmlNode node = ref _ctx.Nodes[index];
        node = default;
        node.Kind = kind;
        node.Parent = parent;
        node.FirstChild = -1;
        node.LastChild = -1;
        node.NextSibling = -1;
        node.Start = start;
        node.End = end;
        node.NeedsDecoding = needsDecoding;
        Link(parent, index);
    }

    private void Link(int parent, int child)
    {
        if (parent < 0)
        {
            return;
        }

        ref XmlNode p = ref _ctx.Nodes[parent];
        if (p.LastChild < 0)
        {
            p.FirstChild = child;
        }
        else
        {
            _ctx.Nodes[p.LastChild].NextSibling = child;
        }

        p.LastChild = child;
    }

    private void KeepHeaderBindings(int root)
    {
        XmlNamespaceBinding[] scope = _ctx.Scope;
        for (int i = 0; i < _scopeCount; i++)
        {
            ByteRange prefix = _ctx.AppendHeaderName(_ctx.Resolve(scope[i].Prefix, _s));
            ByteRange uri = _ctx.AppendHeaderName(_ctx.Resolve(scope[i].Uri, _s));
            _ctx.AddHeaderBinding(new XmlNamespaceBinding { Prefix = prefix, Uri = uri });
        }

        ref XmlNode node = ref _ctx.Nodes[root];
        _ctx.HeaderQualifiedName = _ctx.AppendHeaderName(_s.Slice(node.NameStart, node.NameLength));
    }

    private void ReadQualifiedName(out int start, out int length, out int prefixLength)
    {
        start = _pos;
        length = XmlChars.NameLength(_s.Slice(_pos));
        if (length == 0 || !XmlChars.IsNameStartByte(_s[start]))
        {
            XmlThrow.NotWellFormed("Expected a name.");
        }

        ReadOnlySpan<byte> name = _s.Slice(start, length);
        prefixLength = 0;
        int colon = name.IndexOf((byte)':');
        if (colon >= 0)
        {
            if (colon == length - 1 || name.Slice(colon + 1).IndexOf((byte)':') >= 0
                || !XmlChars.IsNameStartByte(name[colon + 1]))
            {
                XmlThrow.NotWellFormed("A name is not a qualified name.");
            }

            prefixLength = colon;
        }

        _pos += length;
    }

    private bool SkipWhitespace()
    {
        int start = _pos;
        int n = _s.Slice(_pos).IndexOfAnyExcept(XmlChars.Whitespace);
        _pos = n < 0 ? _s.Length : _pos + n;
        return _pos > start;
    }

    private void Expect(byte expected)
    {
        if (_pos >= _s.Length || _s[_pos] != expected)
        {
            XmlThrow.NotWellFormed("Unexpected character in markup.");
        }

        _pos++;
    }
}
