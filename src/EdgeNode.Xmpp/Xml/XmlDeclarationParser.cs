namespace EdgeNode.Xmpp.Xml;

/// <summary>Checks the XML declaration: version 1.x, and if an encoding is named, UTF-8 (RFC 6120 section 11.6).</summary>
internal static class XmlDeclarationParser
{
    /// <summary><paramref name="declaration"/> runs from "&lt;?xml" to "?&gt;" inclusive.</summary>
    public static void Validate(ReadOnlySpan<byte> declaration)
    {
        XmlChars.ValidateDocumentText(declaration);
        ReadOnlySpan<byte> s = declaration.Slice(5, declaration.Length - 7);
        int field = 0;
        while (true)
        {
            int skipped = s.IndexOfAnyExcept(XmlChars.Whitespace);
            if (skipped < 0)
            {
                break;
            }

            if (skipped == 0)
            {
                XmlThrow.NotWellFormed("The XML declaration is malformed.");
            }

            s = s.Slice(skipped);
            int nameLength = XmlChars.NameLength(s);
            ReadOnlySpan<byte> name = s.Slice(0, nameLength);
            s = SkipWhitespace(s.Slice(nameLength));
            if (s.IsEmpty || s[0] != '=')
            {
                XmlThrow.NotWellFormed("The XML declaration is malformed.");
            }

            s = SkipWhitespace(s.Slice(1));
            if (s.IsEmpty || s[0] is not ((byte)'\'' or (byte)'"'))
            {
                XmlThrow.NotWellFormed("The XML declaration is malformed.");
            }

            int valueLength = s.Slice(1).IndexOf(s[0]);
            if (valueLength < 0)
            {
                XmlThrow.NotWellFormed("The XML declaration is malformed.");
            }

            ReadOnlySpan<byte> value = s.Slice(1, valueLength);
            s = s.Slice(valueLength + 2);
            field = CheckField(name, value, field);
        }

        if (field == 0)
        {
            XmlThrow.NotWellFormed("The XML declaration has no version.");
        }
    }

    // Fields must come in the order version, encoding, standalone; returns the position of this one.
    private static int CheckField(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, int previous)
    {
        if (previous == 0)
        {
            if (!name.SequenceEqual("version"u8) || value.Length < 3 || !value.StartsWith("1."u8)
                || value.Slice(2).IndexOfAnyExceptInRange((byte)'0', (byte)'9') >= 0)
            {
                XmlThrow.NotWellFormed("The XML declaration does not declare XML 1.x.");
            }

            return 1;
        }

        if (previous == 1 && name.SequenceEqual("encoding"u8))
        {
            if (!System.Text.Ascii.EqualsIgnoreCase(value, "UTF-8"u8))
            {
                XmlThrow.UnsupportedEncoding("XMPP streams are UTF-8.");
            }

            return 2;
        }

        if (previous < 3 && name.SequenceEqual("standalone"u8) && (value.SequenceEqual("yes"u8) || value.SequenceEqual("no"u8)))
        {
            return 3;
        }

        XmlThrow.NotWellFormed("The XML declaration is malformed.");
        return previous;
    }

    private static ReadOnlySpan<byte> SkipWhitespace(ReadOnlySpan<byte> s)
    {
        int n = s.IndexOfAnyExcept(XmlChars.Whitespace);
        return n < 0 ? default : s.Slice(n);
    }
}
