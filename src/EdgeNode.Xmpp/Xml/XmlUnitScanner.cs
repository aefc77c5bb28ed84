using System.Buffers;

namespace EdgeNode.Xmpp.Xml;

/// <summary>
/// Finds where a unit (the stream header, or one first-level element) ends, without building anything.
/// It looks at no more than the unit's byte limit, so a peer can never make the connection buffer more
/// than that, and it records where it stopped so that each byte is scanned about once however the
/// unit is split across reads. Structure is only checked as far as framing needs; the full check is
/// <see cref="XmlTreeParser"/>'s.
/// </summary>
internal static class XmlUnitScanner
{
    private static ReadOnlySpan<byte> TagDelimiters => ">'\"/<"u8;

    /// <summary>
    /// True with the unit's length when it is complete. False when more bytes are needed;
    /// <paramref name="state"/> then says where to resume.
    /// </summary>
    public static bool TryScan(in ReadOnlySequence<byte> unit, ref XmlStreamState state, int limit, int maxDepth, bool headerOnly, out long length)
    {
        long available = Math.Min(unit.Length, limit);
        var reader = new SequenceReader<byte>(unit.Slice(0, available));
        reader.Advance(state.Offset);
        long resumeAt;
        while (true)
        {
            switch (state.Mode)
            {
                case ScanMode.Text:
                {
                    if (!reader.TryAdvanceTo((byte)'<', advancePastDelimiter: false))
                    {
                        resumeAt = available;
                        goto Incomplete;
                    }

                    if (!reader.TryPeek(1, out byte next))
                    {
                        resumeAt = reader.Consumed;
                        goto Incomplete;
                    }

                    if (next == '/')
                    {
                        if (headerOnly)
                        {
                            XmlThrow.NotWellFormed("An end tag where the stream header was expected.");
                        }

                        reader.Advance(2);
                        state.Mode = ScanMode.EndTag;
                    }
                    else if (next == '!')
                    {
                        BangKind kind = ClassifyBang(ref reader);
                        if (kind == BangKind.NeedMore)
                        {
                            resumeAt = reader.Consumed;
                            goto Incomplete;
                        }

                        if (kind != BangKind.CData)
                        {
                            XmlMarkup.ThrowForBang(kind);
                        }

                        reader.Advance(XmlMarkup.CDataOpen.Length);
                        state.Mode = ScanMode.CData;
                    }
                    else if (next == '?')
                    {
                        XmlThrow.RestrictedXml("Processing instructions are not allowed in XMPP.");
                    }
                    else
                    {
                        if (!XmlChars.IsNameStartByte(next))
                        {
                            XmlThrow.NotWellFormed("'<' is not followed by a name.");
                        }

                        if (++state.Depth > maxDepth)
                        {
                            XmlThrow.PolicyViolation("The stanza nests elements too deeply.");
                        }

                        reader.Advance(1);
                        state.Mode = ScanMode.StartTag;
                    }

                    break;
                }

                case ScanMode.StartTag:
                {
                    if (!reader.TryAdvanceToAny(TagDelimiters, advancePastDelimiter: false))
                    {
                        resumeAt = available;
                        goto Incomplete;
                    }

                    reader.TryPeek(out byte b);
                    if (b is (byte)'\'' or (byte)'"')
                    {
                        state.Quote = b;
                        state.Mode = ScanMode.AttributeValue;
                        reader.Advance(1);
                    }
                    else if (b == '>')
                    {
                        reader.Advance(1);
                        if (headerOnly)
                        {
                            goto Complete;
                        }

                        state.Mode = ScanMode.Text;
                    }
                    else if (b == '/')
                    {
                        if (!reader.TryPeek(1, out byte next))
                        {
                            resumeAt = reader.Consumed;
                            goto Incomplete;
                        }

                        if (next != '>')
                        {
                            XmlThrow.NotWellFormed("A '/' in a start tag is not followed by '>'.");
                        }

                        if (headerOnly)
                        {
                            XmlThrow.BadFormat("The stream header closes itself.");
                        }

                        reader.Advance(2);
                        state.Mode = ScanMode.Text;
                        if (--state.Depth == 0)
                        {
                            goto Complete;
                        }
                    }
                    else
                    {
                        XmlThrow.NotWellFormed("'<' inside a start tag.");
                    }

                    break;
                }

                case ScanMode.AttributeValue:
                {
                    ReadOnlySpan<byte> delimiters = state.Quote == '\'' ? "'<"u8 : "\"<"u8;
                    if (!reader.TryAdvanceToAny(delimiters, advancePastDelimiter: false))
                    {
                        resumeAt = available;
                        goto Incomplete;
                    }

                    reader.TryRead(out byte b);
                    if (b == '<')
                    {
                        XmlThrow.NotWellFormed("'<' in an attribute value.");
                    }

                    state.Mode = ScanMode.StartTag;
                    break;
                }

                case ScanMode.EndTag:
                {
                    if (!reader.TryAdvanceTo((byte)'>', advancePastDelimiter: true))
                    {
                        resumeAt = available;
                        goto Incomplete;
                    }

                    state.Mode = ScanMode.Text;
                    if (--state.Depth == 0)
                    {
                        goto Complete;
                    }

                    break;
                }

                case ScanMode.CData:
                {
                    if (!reader.TryAdvanceTo((byte)']', advancePastDelimiter: false))
                    {
                        resumeAt = available;
                        goto Incomplete;
                    }

                    if (reader.IsNext(XmlMarkup.CDataClose, advancePast: true))
                    {
                        state.Mode = ScanMode.Text;
                    }
                    else if (reader.Remaining < XmlMarkup.CDataClose.Length)
                    {
                        resumeAt = reader.Consumed;
                        goto Incomplete;
                    }
                    else
                    {
                        reader.Advance(1);
                    }

                    break;
                }

                default:
                    throw new InvalidOperationException("The scan was started without a unit.");
            }
        }

    Complete:
        length = reader.Consumed;
        state.Mode = ScanMode.None;
        state.Depth = 0;
        state.Offset = 0;
        state.Quote = 0;
        return true;

    Incomplete:
        if (unit.Length >= limit)
        {
            XmlThrow.PolicyViolation(headerOnly ? "The stream header is too large." : "The stanza is too large.");
        }

        state.Offset = (int)resumeAt;
        length = 0;
        return false;
    }

    private static BangKind ClassifyBang(ref SequenceReader<byte> reader)
    {
        ReadOnlySpan<byte> unread = reader.UnreadSpan;
        if (unread.Length >= XmlMarkup.BangLookahead)
        {
            return XmlMarkup.ClassifyBang(unread.Slice(0, XmlMarkup.BangLookahead));
        }

        Span<byte> head = stackalloc byte[XmlMarkup.BangLookahead];
        int n = (int)Math.Min(reader.Remaining, head.Length);
        reader.UnreadSequence.Slice(0, n).CopyTo(head);
        return XmlMarkup.ClassifyBang(head.Slice(0, n));
    }
}
