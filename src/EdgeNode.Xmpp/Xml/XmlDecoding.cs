using System.Buffers;

namespace EdgeNode.Xmpp.Xml;

/// <summary>
/// Turns raw value bytes into the value. The parser has already checked every '&amp;' against the five
/// predefined entities, so decoding trusts the shape of references. Every special sequence decodes to
/// exactly one byte, which keeps the decoded length no longer than the raw one.
/// </summary>
internal static class XmlDecoding
{
    private static readonly SearchValues<byte> s_textSpecials = SearchValues.Create("&\r"u8);
    private static readonly SearchValues<byte> s_cdataSpecials = SearchValues.Create("\r"u8);
    private static readonly SearchValues<byte> s_attributeSpecials = SearchValues.Create("&\r\n\t"u8);
    private static readonly SearchValues<byte> s_referenceOrEnd = SearchValues.Create("&]"u8);

    public static bool NeedsDecoding(ReadOnlySpan<byte> raw, XmlValueKind kind) =>
        raw.IndexOfAny(Specials(kind)) >= 0;

    public static int GetDecodedLength(ReadOnlySpan<byte> raw, XmlValueKind kind)
    {
        SearchValues<byte> specials = Specials(kind);
        int length = 0;
        int i = 0;
        while (true)
        {
            int run = raw.Slice(i).IndexOfAny(specials);
            if (run < 0)
            {
                return length + raw.Length - i;
            }

            i += run + DecodeOne(raw, i + run, kind, out _);
            length += run + 1;
        }
    }

    /// <summary>Decodes into <paramref name="destination"/>, which must hold the decoded length.</summary>
    public static int Decode(ReadOnlySpan<byte> raw, XmlValueKind kind, Span<byte> destination)
    {
        SearchValues<byte> specials = Specials(kind);
        int written = 0;
        int i = 0;
        while (true)
        {
            int run = raw.Slice(i).IndexOfAny(specials);
            if (run < 0)
            {
                raw.Slice(i).CopyTo(destination.Slice(written));
                return written + raw.Length - i;
            }

            raw.Slice(i, run).CopyTo(destination.Slice(written));
            written += run;
            i += run + DecodeOne(raw, i + run, kind, out byte value);
            destination[written++] = value;
        }
    }

    /// <summary>True when the decoded value is a prefix of <paramref name="expected"/>; <paramref name="matched"/> is its length.</summary>
    public static bool DecodedIsPrefixOf(ReadOnlySpan<byte> raw, XmlValueKind kind, ReadOnlySpan<byte> expected, out int matched)
    {
        SearchValues<byte> specials = Specials(kind);
        matched = 0;
        int i = 0;
        while (true)
        {
            int run = raw.Slice(i).IndexOfAny(specials);
            int plain = run < 0 ? raw.Length - i : run;
            if (plain > expected.Length - matched || !raw.Slice(i, plain).SequenceEqual(expected.Slice(matched, plain)))
            {
                return false;
            }

            matched += plain;
            if (run < 0)
            {
                return true;
            }

            i += run + DecodeOne(raw, i + run, kind, out byte value);
            if (matched == expected.Length || expected[matched] != value)
            {
                return false;
            }

            matched++;
        }
    }

    public static void WriteDecoded(ReadOnlySpan<byte> raw, XmlValueKind kind, IBufferWriter<byte> output)
    {
        if (raw.IsEmpty)
        {
            return;
        }

        Span<byte> destination = output.GetSpan(raw.Length);
        output.Advance(Decode(raw, kind, destination));
    }

    /// <summary>
    /// Checks the references in character data or an attribute value (RFC 6120 section 11.1) and, for
    /// character data, the forbidden "]]&gt;". Returns whether a reference was present.
    /// </summary>
    public static bool ValidateReferences(ReadOnlySpan<byte> raw, bool isText)
    {
        bool found = false;
        int i = 0;
        while (true)
        {
            int next = raw.Slice(i).IndexOfAny(s_referenceOrEnd);
            if (next < 0)
            {
                return found;
            }

            i += next;
            if (raw[i] == ']')
            {
                if (isText && raw.Slice(i).StartsWith(XmlMarkup.CDataClose))
                {
                    XmlThrow.NotWellFormed("Character data holds ']]>'.");
                }

                i++;
                continue;
            }

            found = true;
            i += ValidateReference(raw.Slice(i));
        }
    }

    private static int ValidateReference(ReadOnlySpan<byte> reference)
    {
        if (reference.Length > 1 && reference[1] == '#')
        {
            XmlThrow.RestrictedXml("Character references are not accepted on this stream.");
        }

        int nameLength = XmlChars.NameLength(reference.Slice(1));
        if (nameLength == 0 || 1 + nameLength >= reference.Length || reference[1 + nameLength] != ';'
            || !XmlChars.IsNameStartByte(reference[1]))
        {
            XmlThrow.NotWellFormed("A '&' does not start a reference.");
        }

        ReadOnlySpan<byte> name = reference.Slice(1, nameLength);
        if (!name.SequenceEqual("amp"u8) && !name.SequenceEqual("lt"u8) && !name.SequenceEqual("gt"u8)
            && !name.SequenceEqual("quot"u8) && !name.SequenceEqual("apos"u8))
        {
            XmlThrow.RestrictedXml("Entity references other than the five predefined ones are not allowed in XMPP.");
        }

        return nameLength + 2;
    }

    private static SearchValues<byte> Specials(XmlValueKind kind) => kind switch
    {
        XmlValueKind.Attribute => s_attributeSpecials,
        XmlValueKind.CData => s_cdataSpecials,
        _ => s_textSpecials,
    };

    private static int DecodeOne(ReadOnlySpan<byte> raw, int i, XmlValueKind kind, out byte value)
    {
        byte b = raw[i];
        if (b == '&')
        {
            switch (raw[i + 1])
            {
                case (byte)'l':
                    value = (byte)'<';
                    return 4;
                case (byte)'g':
                    value = (byte)'>';
                    return 4;
                case (byte)'q':
                    value = (byte)'"';
                    return 6;
                default:
                    bool amp = raw[i + 2] == 'm';
                    value = amp ? (byte)'&' : (byte)'\'';
                    return amp ? 5 : 6;
            }
        }

        if (b == '\r')
        {
            value = kind == XmlValueKind.Attribute ? (byte)' ' : (byte)'\n';
            return i + 1 < raw.Length && raw[i + 1] == '\n' ? 2 : 1;
        }

        value = (byte)' ';
        return 1;
    }
}
