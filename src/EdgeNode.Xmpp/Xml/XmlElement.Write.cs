using System.Buffers;

namespace EdgeNode.Xmpp.Xml;

public readonly ref partial struct XmlElement
{
    /// <summary>Writes the element exactly as received; it inherits whatever namespaces the output stream declares.</summary>
    public void WriteRaw(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.Write(RawBytes);
    }

    /// <summary>
    /// Writes the element as received but with its from and to attributes set to the given values
    /// (added when missing). An empty value leaves that attribute as it was. For a router that stamps
    /// addresses on a stanza without building it again.
    /// </summary>
    public void WriteRawWithAddresses(IBufferWriter<byte> output, ReadOnlySpan<byte> from, ReadOnlySpan<byte> to) =>
        WriteRawStamped(output, from, to, default, dropTo: false);

    /// <summary>
    /// Like <see cref="WriteRawWithAddresses"/>, for a stanza leaving its stream: when the element is unprefixed
    /// and declares no default namespace of its own, <paramref name="defaultNamespace"/> (jabber:client) is declared
    /// on it so that the bytes stand alone (inside a carbon copy, in the offline store). <paramref name="dropTo"/>
    /// leaves out the 'to' attribute, for a presence that is addressed again for each recipient.
    /// </summary>
    public void WriteRawStamped(IBufferWriter<byte> output, ReadOnlySpan<byte> from, ReadOnlySpan<byte> to,
        ReadOnlySpan<byte> defaultNamespace, bool dropTo)
    {
        ArgumentNullException.ThrowIfNull(output);
        ref XmlNode node = ref Node;
        output.Write("<"u8);
        output.Write(QualifiedName);
        if (!defaultNamespace.IsEmpty && node.PrefixLength == 0 && !Declares(_index, default))
        {
            output.Write(" xmlns='"u8);
            XmlEscaping.WriteEscaped(output, defaultNamespace, attribute: true, nameof(defaultNamespace));
            output.Write("'"u8);
        }

        bool fromDone = from.IsEmpty;
        bool toDone = to.IsEmpty && !dropTo;
        XmlAttributeNode[] attributes = _context.Attributes;
        int end = node.FirstAttribute + node.AttributeCount;
        for (int i = node.FirstAttribute; i < end; i++)
        {
            ref XmlAttributeNode attribute = ref attributes[i];
            ReadOnlySpan<byte> name = _unit.Slice(attribute.NameStart, attribute.NameLength);
            if (!fromDone && name.SequenceEqual(XmppNames.From))
            {
                WriteAttribute(output, XmppNames.From, from, nameof(from));
                fromDone = true;
            }
            else if (!toDone && name.SequenceEqual(XmppNames.To))
            {
                if (!dropTo)
                {
                    WriteAttribute(output, XmppNames.To, to, nameof(to));
                }

                toDone = true;
            }
            else
            {
                WriteRawAttribute(output, in attribute);
            }
        }

        if (!fromDone)
        {
            WriteAttribute(output, XmppNames.From, from, nameof(from));
        }

        if (!toDone && !dropTo)
        {
            WriteAttribute(output, XmppNames.To, to, nameof(to));
        }

        output.Write(node.SelfClosing ? "/>"u8 : ">"u8);
        output.Write(_unit.Slice(node.ContentStart, node.End - node.ContentStart));
    }

    /// <summary>
    /// Writes the element so that it stands alone: namespaces it inherits from outside itself (such as
    /// the stream's content namespace) are declared on it. CDATA sections become escaped text.
    /// </summary>
    public void WriteTo(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var covered = new CoveredPrefixes(stackalloc PrefixName[CoveredPrefixes.InlineCapacity]);
        WriteElement(output, _index, ref covered);
    }

    private void WriteElement(IBufferWriter<byte> output, int index, ref CoveredPrefixes covered)
    {
        XmlNode[] nodes = _context.Nodes;
        ref XmlNode node = ref nodes[index];
        ReadOnlySpan<byte> name = _unit.Slice(node.NameStart, node.NameLength);
        output.Write("<"u8);
        output.Write(name);

        XmlAttributeNode[] attributes = _context.Attributes;
        int end = node.FirstAttribute + node.AttributeCount;
        for (int i = node.FirstAttribute; i < end; i++)
        {
            WriteRawAttribute(output, in attributes[i]);
        }

        ReadOnlySpan<byte> prefix = _unit.Slice(node.NameStart, node.PrefixLength);
        DeclareIfOutside(output, index, prefix, node.Namespace, in covered);
        for (int i = node.FirstAttribute; i < end; i++)
        {
            ref XmlAttributeNode attribute = ref attributes[i];
            if (attribute.IsNamespaceDeclaration || attribute.PrefixLength == 0)
            {
                continue;
            }

            ReadOnlySpan<byte> attributePrefix = _unit.Slice(attribute.NameStart, attribute.PrefixLength);
            if (attributePrefix.SequenceEqual(prefix) || IsPrefixOfEarlierAttribute(node.FirstAttribute, i, attributePrefix))
            {
                continue;
            }

            DeclareIfOutside(output, index, attributePrefix, attribute.Namespace, in covered);
        }

        if (node.FirstChild < 0)
        {
            output.Write("/>"u8);
            return;
        }

        // Below this element, every prefix it declares or uses is settled: its binding is written already.
        int coveredBefore = covered.Count;
        CoverPrefixesOf(index, ref covered);

        output.Write(">"u8);
        for (int child = node.FirstChild; child >= 0; child = nodes[child].NextSibling)
        {
            ref XmlNode childNode = ref nodes[child];
            ReadOnlySpan<byte> raw = _unit.Slice(childNode.Start, childNode.End - childNode.Start);
            switch (childNode.Kind)
            {
                case XmlNodeKind.Element:
                    WriteElement(output, child, ref covered);
                    break;
                case XmlNodeKind.CData:
                    XmlEscaping.WriteEscaped(output, raw, attribute: false, nameof(output));
                    break;
                default:
                    output.Write(raw);
                    break;
            }
        }

        covered.Count = coveredBefore;
        output.Write("</"u8);
        output.Write(name);
        output.Write(">"u8);
    }

    private bool IsPrefixOfEarlierAttribute(int first, int index, ReadOnlySpan<byte> prefix)
    {
        XmlAttributeNode[] attributes = _context.Attributes;
        for (int j = first; j < index; j++)
        {
            ref XmlAttributeNode other = ref attributes[j];
            if (!other.IsNamespaceDeclaration && _unit.Slice(other.NameStart, other.PrefixLength).SequenceEqual(prefix))
            {
                return true;
            }
        }

        return false;
    }

    // A binding that comes from outside the written tree must be declared on the first element that
    // needs it: one that uses the prefix while neither it nor an ancestor (up to the written element)
    // declares the prefix or uses it already. The ancestors' prefixes are kept in a set as the tree is
    // walked, so the check costs the number of distinct prefixes, not the depth times the attributes.
    private void DeclareIfOutside(IBufferWriter<byte> output, int index, ReadOnlySpan<byte> prefix, in ByteRange namespaceUri,
        in CoveredPrefixes covered)
    {
        if (prefix.SequenceEqual("xml"u8) || Declares(index, prefix) || covered.Contains(_unit, prefix))
        {
            return;
        }

        ReadOnlySpan<byte> uri = _context.Resolve(namespaceUri, _unit);
        if (prefix.IsEmpty)
        {
            if (uri.IsEmpty)
            {
                return;
            }

            output.Write(" xmlns='"u8);
        }
        else
        {
            output.Write(" xmlns:"u8);
            output.Write(prefix);
            output.Write("='"u8);
        }

        XmlEscaping.WriteEscaped(output, uri, attribute: true, nameof(namespaceUri));
        output.Write("'"u8);
    }

    private void CoverPrefixesOf(int element, ref CoveredPrefixes covered)
    {
        ref XmlNode node = ref _context.Nodes[element];
        covered.Add(_unit, new PrefixName(node.NameStart, node.PrefixLength));
        XmlAttributeNode[] attributes = _context.Attributes;
        int end = node.FirstAttribute + node.AttributeCount;
        for (int i = node.FirstAttribute; i < end; i++)
        {
            ref XmlAttributeNode attribute = ref attributes[i];
            if (attribute.IsNamespaceDeclaration)
            {
                covered.Add(_unit, attribute.PrefixLength == 0
                    ? default
                    : new PrefixName(attribute.NameStart + 6, attribute.NameLength - 6));
            }
            else if (attribute.PrefixLength > 0)
            {
                covered.Add(_unit, new PrefixName(attribute.NameStart, attribute.PrefixLength));
            }
        }
    }

    private bool Declares(int element, ReadOnlySpan<byte> prefix)
    {
        ref XmlNode node = ref _context.Nodes[element];
        XmlAttributeNode[] attributes = _context.Attributes;
        int end = node.FirstAttribute + node.AttributeCount;
        for (int i = node.FirstAttribute; i < end; i++)
        {
            ref XmlAttributeNode attribute = ref attributes[i];
            if (!attribute.IsNamespaceDeclaration)
            {
                continue;
            }

            ReadOnlySpan<byte> declared = attribute.PrefixLength == 0
                ? default
                : _unit.Slice(attribute.NameStart + 6, attribute.NameLength - 6);
            if (declared.SequenceEqual(prefix))
            {
                return true;
            }
        }

        return false;
    }

    private void WriteRawAttribute(IBufferWriter<byte> output, in XmlAttributeNode attribute)
    {
        output.Write(" "u8);
        output.Write(_unit.Slice(attribute.NameStart, attribute.ValueStart + attribute.ValueLength + 1 - attribute.NameStart));
    }

    private static void WriteAttribute(IBufferWriter<byte> output, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, string paramName)
    {
        output.Write(" "u8);
        output.Write(name);
        output.Write("='"u8);
        XmlEscaping.WriteEscaped(output, value, attribute: true, paramName);
        output.Write("'"u8);
    }
}
