using System.Buffers;

namespace EdgeNode.Xmpp.Xml;

/// <summary>
/// Reads an XMPP stream from a connection's buffered bytes: the optional XML declaration, the stream
/// header, complete first-level elements one at a time, and the stream's end. It never consumes part of
/// a unit: when <see cref="Read"/> returns false, pass <see cref="Consumed"/> and <see cref="Examined"/>
/// to <c>PipeReader.AdvanceTo</c> and keep <see cref="State"/> for the next reader.
/// </summary>
/// <remarks>
/// Malformed or forbidden input throws <see cref="XmlStreamException"/>, whose condition is the stream
/// error to send before closing. Views from <see cref="Element"/> are valid until the next
/// <see cref="Read"/> or until the buffer is advanced, whichever comes first.
/// </remarks>
public ref struct XmlStreamReader
{
    private const int MaxDeclarationBytes = 256;

    private readonly ReadOnlySequence<byte> _data;
    private readonly XmlStreamContext _context;
    private XmlStreamState _state;
    private SequencePosition _consumed;
    private bool _needMore;
    private XmlStreamEvent _event;
    private ReadOnlySpan<byte> _unit;

    public XmlStreamReader(ReadOnlySequence<byte> data, XmlStreamState state, XmlStreamContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _data = data;
        _state = state;
        _context = context;
        _consumed = data.Start;
    }

    /// <summary>The state to give the reader of the next read.</summary>
    public readonly XmlStreamState State => _state;

    /// <summary>Everything before this is done with and may be released.</summary>
    public readonly SequencePosition Consumed => _consumed;

    /// <summary>Everything before this has been looked at; when the last read needed more, that is all of it.</summary>
    public readonly SequencePosition Examined => _needMore ? _data.End : _consumed;

    public readonly XmlStreamEvent Event => _event;

    /// <summary>The stream header or stanza the last <see cref="Read"/> produced.</summary>
    public readonly XmlElement Element
    {
        get
        {
            if (_event is not (XmlStreamEvent.StreamHeader or XmlStreamEvent.Stanza))
            {
                XmlThrow.NoElement();
            }

            return new XmlElement(_unit, _context, 0);
        }
    }

    /// <summary>Reads the next unit. False means the buffered bytes hold no complete unit.</summary>
    public bool Read()
    {
        _event = XmlStreamEvent.None;
        _unit = default;
        _needMore = false;
        _context.TrimAfterUnit();

        while (true)
        {
            ReadOnlySequence<byte> rest = _data.Slice(_consumed);
            switch (_state.Phase)
            {
                case StreamPhase.Start:
                    if (!TryReadDeclaration(rest))
                    {
                        return NeedMore();
                    }

                    _state.Phase = StreamPhase.Prolog;
                    break;

                case StreamPhase.Prolog:
                    if (_state.Mode == ScanMode.None && !TryBeginHeader(ref rest))
                    {
                        return NeedMore();
                    }

                    return TryReadHeader(rest) || NeedMore();

                case StreamPhase.InStream:
                    if (_state.Mode == ScanMode.None)
                    {
                        if (!SkipWhitespace(ref rest))
                        {
                            return NeedMore();
                        }

                        if (PeekFirst(rest) != '<')
                        {
                            XmlThrow.BadFormat("Character data between stanzas.");
                        }

                        if (!TryPeekTwo(rest, out byte next))
                        {
                            return NeedMore();
                        }

                        if (next == '/')
                        {
                            return TryReadStreamEnd(rest) || NeedMore();
                        }

                        if (!TryBeginStanza(rest, next))
                        {
                            return NeedMore();
                        }
                    }

                    return TryReadStanza(rest) || NeedMore();

                default:
                    if (SkipWhitespace(ref rest))
                    {
                        XmlThrow.NotWellFormed("Data after the end of the stream.");
                    }

                    return NeedMore();
            }
        }
    }

    private bool NeedMore()
    {
        _needMore = true;
        return false;
    }

    /// <summary>Consumes the declaration if there is one; false when too few bytes to tell.</summary>
    private bool TryReadDeclaration(ReadOnlySequence<byte> rest)
    {
        ReadOnlySpan<byte> open = "<?xml"u8;
        Span<byte> head = stackalloc byte[6];
        int n = (int)Math.Min(rest.Length, head.Length);
        rest.Slice(0, n).CopyTo(head);
        int compared = Math.Min(n, open.Length);
        if (!head.Slice(0, compared).SequenceEqual(open.Slice(0, compared)))
        {
            return true;
        }

        if (n < head.Length)
        {
            return false;
        }

        if (!XmlChars.IsWhitespace(head[5]))
        {
            // "<?xml-stylesheet" and friends: a processing instruction, refused when the header is read.
            return true;
        }

        var reader = new SequenceReader<byte>(rest);
        if (!reader.TryReadTo(out ReadOnlySequence<byte> _, "?>"u8, advancePastDelimiter: true))
        {
            if (rest.Length > MaxDeclarationBytes)
            {
                XmlThrow.NotWellFormed("The XML declaration is not closed.");
            }

            return false;
        }

        if (reader.Consumed > MaxDeclarationBytes)
        {
            XmlThrow.NotWellFormed("The XML declaration is too long.");
        }

        Span<byte> declaration = stackalloc byte[MaxDeclarationBytes];
        int length = (int)reader.Consumed;
        rest.Slice(0, length).CopyTo(declaration);
        XmlDeclarationParser.Validate(declaration.Slice(0, length));
        _consumed = reader.Position;
        return true;
    }

    private bool TryBeginHeader(ref ReadOnlySequence<byte> rest)
    {
        if (!SkipWhitespace(ref rest))
        {
            return false;
        }

        if (PeekFirst(rest) != '<')
        {
            XmlThrow.NotWellFormed("Text before the stream header.");
        }

        if (!TryPeekTwo(rest, out byte next))
        {
            return false;
        }

        if (next == '?')
        {
            XmlThrow.RestrictedXml("Processing instructions are not allowed in XMPP.");
        }

        if (next == '!')
        {
            BangKind kind = ClassifyBang(rest);
            if (kind == BangKind.NeedMore)
            {
                return false;
            }

            XmlMarkup.ThrowForBang(kind == BangKind.CData ? BangKind.Malformed : kind);
        }

        _state.Mode = ScanMode.Text;
        _state.Depth = 0;
        _state.Offset = 0;
        return true;
    }

    private bool TryReadHeader(ReadOnlySequence<byte> rest)
    {
        XmlStreamOptions options = _context.Options;
        if (!XmlUnitScanner.TryScan(rest, ref _state, options.MaxHeaderBytes, maxDepth: 1, headerOnly: true, out long length))
        {
            return false;
        }

        ReadOnlySequence<byte> unit = rest.Slice(0, length);
        ReadOnlySpan<byte> bytes = unit.IsSingleSegment ? unit.FirstSpan : _context.CopyUnit(unit);
        XmlTreeParser.ParseHeader(bytes, _context);
        ValidateHeader(new XmlElement(bytes, _context, 0));

        _state.Phase = StreamPhase.InStream;
        _consumed = unit.End;
        _unit = bytes;
        _event = XmlStreamEvent.StreamHeader;
        return true;
    }

    private readonly void ValidateHeader(XmlElement header)
    {
        if (!header.NamespaceUri.SequenceEqual(XmlNamespaces.Streams))
        {
            XmlThrow.InvalidNamespace("The stream header is not in the stream namespace.");
        }

        if (!header.LocalName.SequenceEqual(XmppNames.Stream))
        {
            XmlThrow.BadFormat("The root element is not a stream.");
        }

        ReadOnlySpan<byte> content = default;
        bool declared = false;
        for (int i = 0; i < _context.HeaderBindingCount; i++)
        {
            ref XmlNamespaceBinding binding = ref _context.HeaderBindings[i];
            if (binding.Prefix.Length == 0)
            {
                content = _context.Resolve(binding.Uri, default);
                declared = true;
            }
        }

        if (declared && content.SequenceEqual(XmlNamespaces.Streams))
        {
            XmlThrow.InvalidNamespace("The content namespace is the stream namespace.");
        }

        ReadOnlySpan<byte> expected = _context.Options.ContentNamespace.Span;
        if (!expected.IsEmpty && (!declared || !content.SequenceEqual(expected)))
        {
            XmlThrow.InvalidNamespace("The stream's content namespace is not the one this service uses.");
        }
    }

    private bool TryBeginStanza(ReadOnlySequence<byte> rest, byte next)
    {
        if (next == '?')
        {
            XmlThrow.RestrictedXml("Processing instructions are not allowed in XMPP.");
        }

        if (next == '!')
        {
            BangKind kind = ClassifyBang(rest);
            if (kind == BangKind.NeedMore)
            {
                return false;
            }

            if (kind == BangKind.CData)
            {
                XmlThrow.BadFormat("Character data between stanzas.");
            }

            XmlMarkup.ThrowForBang(kind);
        }

        _state.Mode = ScanMode.Text;
        _state.Depth = 0;
        _state.Offset = 0;
        return true;
    }

    private bool TryReadStanza(ReadOnlySequence<byte> rest)
    {
        XmlStreamOptions options = _context.Options;
        if (!XmlUnitScanner.TryScan(rest, ref _state, options.MaxStanzaBytes, options.MaxDepth, headerOnly: false, out long length))
        {
            return false;
        }

        ReadOnlySequence<byte> unit = rest.Slice(0, length);
        ReadOnlySpan<byte> bytes = unit.IsSingleSegment ? unit.FirstSpan : _context.CopyUnit(unit);
        XmlTreeParser.ParseStanza(bytes, _context);

        _consumed = unit.End;
        _unit = bytes;
        _event = XmlStreamEvent.Stanza;
        return true;
    }

    private bool TryReadStreamEnd(ReadOnlySequence<byte> rest)
    {
        ReadOnlySpan<byte> name = _context.Resolve(_context.HeaderQualifiedName, default);
        int limit = name.Length + 2 + 64;
        var reader = new SequenceReader<byte>(rest);
        if (!reader.TryAdvanceTo((byte)'>', advancePastDelimiter: true))
        {
            if (rest.Length > limit)
            {
                XmlThrow.NotWellFormed("A malformed end tag at stream level.");
            }

            return false;
        }

        if (reader.Consumed > limit)
        {
            XmlThrow.NotWellFormed("A malformed end tag at stream level.");
        }

        Span<byte> tag = stackalloc byte[limit];
        tag = tag.Slice(0, (int)reader.Consumed);
        rest.Slice(0, tag.Length).CopyTo(tag);
        ReadOnlySpan<byte> inner = tag.Slice(2, tag.Length - 3);
        if (!inner.StartsWith(name) || inner.Slice(name.Length).IndexOfAnyExcept(XmlChars.Whitespace) >= 0)
        {
            XmlThrow.NotWellFormed("The stream's end tag does not match its header.");
        }

        XmlChars.ValidateDocumentText(tag);
        _consumed = reader.Position;
        _state.Phase = StreamPhase.Ended;
        _event = XmlStreamEvent.StreamEnd;
        return true;
    }

    /// <summary>Consumes whitespace; true when a byte other than whitespace follows.</summary>
    private bool SkipWhitespace(ref ReadOnlySequence<byte> rest)
    {
        var reader = new SequenceReader<byte>(rest);
        reader.AdvancePastAny(XmlChars.Whitespace);
        if (reader.Consumed > 0)
        {
            _consumed = reader.Position;
            rest = rest.Slice(reader.Position);
        }

        return !reader.End;
    }

    private static byte PeekFirst(in ReadOnlySequence<byte> rest)
    {
        var reader = new SequenceReader<byte>(rest);
        reader.TryPeek(out byte first);
        return first;
    }

    private static bool TryPeekTwo(in ReadOnlySequence<byte> rest, out byte second)
    {
        var reader = new SequenceReader<byte>(rest);
        return reader.TryPeek(1, out second);
    }

    private static BangKind ClassifyBang(in ReadOnlySequence<byte> rest)
    {
        Span<byte> head = stackalloc byte[XmlMarkup.BangLookahead];
        int n = (int)Math.Min(rest.Length, head.Length);
        rest.Slice(0, n).CopyTo(head);
        return XmlMarkup.ClassifyBang(head.Slice(0, n));
    }
}
