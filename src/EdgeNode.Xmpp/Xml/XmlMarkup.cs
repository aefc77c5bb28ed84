namespace EdgeNode.Xmpp.Xml;

internal enum BangKind : byte
{
    NeedMore,
    CData,
    Comment,
    Declaration,
    Malformed,
}

/// <summary>Decisions about markup shared by the framing scan and the full parse, so both agree.</summary>
internal static class XmlMarkup
{
    public static ReadOnlySpan<byte> CDataOpen => "<![CDATA["u8;

    public static ReadOnlySpan<byte> CDataClose => "]]>"u8;

    /// <summary>Longest prefix <see cref="ClassifyBang"/> looks at.</summary>
    public const int BangLookahead = 9;

    /// <summary>Classifies markup that starts with "&lt;!" from what is available of it.</summary>
    public static BangKind ClassifyBang(ReadOnlySpan<byte> head)
    {
        if (head.Length < 3)
        {
            return BangKind.NeedMore;
        }

        byte c = head[2];
        if (c == '-')
        {
            return head.Length < 4 ? BangKind.NeedMore : head[3] == '-' ? BangKind.Comment : BangKind.Malformed;
        }

        if (c == '[')
        {
            int n = Math.Min(head.Length, CDataOpen.Length);
            if (!head.Slice(0, n).SequenceEqual(CDataOpen.Slice(0, n)))
            {
                return BangKind.Malformed;
            }

            return n < CDataOpen.Length ? BangKind.NeedMore : BangKind.CData;
        }

        // <!DOCTYPE, <!ENTITY, <!ELEMENT, <!ATTLIST: all DTD markup.
        return (uint)(c - 'A') <= 'Z' - 'A' ? BangKind.Declaration : BangKind.Malformed;
    }

    /// <summary>Throws the stream error for "&lt;!" markup other than a CDATA section.</summary>
    public static void ThrowForBang(BangKind kind)
    {
        switch (kind)
        {
            case BangKind.Comment:
                XmlThrow.RestrictedXml("Comments are not allowed in XMPP.");
                break;
            case BangKind.Declaration:
                XmlThrow.RestrictedXml("DTDs and markup declarations are not allowed in XMPP.");
                break;
            default:
                XmlThrow.NotWellFormed("Malformed markup after '<!'.");
                break;
        }
    }
}
