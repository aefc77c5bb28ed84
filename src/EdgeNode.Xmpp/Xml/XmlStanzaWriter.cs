using System.Buffers;

namespace EdgeNode.Xmpp.Xml;

/// <summary>
/// Writes XML straight into an <see cref="IBufferWriter{T}"/> (a PipeWriter is one). Values are escaped
/// and refused when XML 1.0 cannot carry them; names are checked to be XML names. Attribute values are
/// quoted with apostrophes. Nothing here allocates for UTF-8 input.
/// </summary>
public ref struct XmlStanzaWriter
{
    private readonly IBufferWriter<byte> _output;
    private bool _startTagOpen;
    private int _depth;

    public XmlStanzaWriter(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
    }

    /// <summary>Elements started and not yet ended by this writer.</summary>
    public readonly int Depth => _depth;

    public void WriteStartElement(ReadOnlySpan<byte> qualifiedName)
    {
        CheckName(qualifiedName, nameof(qualifiedName));
        CloseStartTag();
        _output.Write("<"u8);
        _output.Write(qualifiedName);
        _startTagOpen = true;
        _depth++;
    }

    /// <summary>Starts an element and declares <paramref name="namespaceUri"/> as its default namespace.</summary>
    public void WriteStartElement(ReadOnlySpan<byte> qualifiedName, ReadOnlySpan<byte> namespaceUri)
    {
        WriteStartElement(qualifiedName);
        WriteAttribute("xmlns"u8, namespaceUri);
    }

    public void WriteAttribute(ReadOnlySpan<byte> qualifiedName, ReadOnlySpan<byte> value)
    {
        BeginAttribute(qualifiedName);
        XmlEscaping.WriteEscaped(_output, value, attribute: true, nameof(value));
        _output.Write("'"u8);
    }

    public void WriteAttribute(ReadOnlySpan<byte> qualifiedName, ReadOnlySpan<char> value)
    {
        BeginAttribute(qualifiedName);
        XmlEscaping.WriteEscaped(_output, value, attribute: true, nameof(value));
        _output.Write("'"u8);
    }

    public void WriteText(ReadOnlySpan<byte> value)
    {
        BeginContent();
        XmlEscaping.WriteEscaped(_output, value, attribute: false, nameof(value));
    }

    public void WriteText(ReadOnlySpan<char> value)
    {
        BeginContent();
        XmlEscaping.WriteEscaped(_output, value, attribute: false, nameof(value));
    }

    /// <summary>
    /// An attribute whose value comes from another protocol: characters XML 1.0 cannot carry become U+FFFD instead of
    /// being refused.
    /// </summary>
    public void WriteAttributeReplacingInvalid(ReadOnlySpan<byte> qualifiedName, ReadOnlySpan<byte> value)
    {
        BeginAttribute(qualifiedName);
        XmlEscaping.WriteEscapedReplacing(_output, value, attribute: true);
        _output.Write("'"u8);
    }

    /// <summary>Text from another protocol: characters XML 1.0 cannot carry become U+FFFD instead of being refused.</summary>
    public void WriteTextReplacingInvalid(ReadOnlySpan<byte> value)
    {
        BeginContent();
        XmlEscaping.WriteEscapedReplacing(_output, value, attribute: false);
    }

    /// <summary><see cref="WriteTextReplacingInvalid(ReadOnlySpan{byte})"/> for UTF-16.</summary>
    public void WriteTextReplacingInvalid(ReadOnlySpan<char> value)
    {
        BeginContent();
        XmlEscaping.WriteEscapedReplacing(_output, value, attribute: false);
    }

    /// <summary>Ends the innermost element, as "/&gt;" when it has no content.</summary>
    public void WriteEndElement(ReadOnlySpan<byte> qualifiedName)
    {
        if (_depth == 0)
        {
            XmlThrow.InvalidWriterState("There is no element to end.");
        }

        _depth--;
        if (_startTagOpen)
        {
            _startTagOpen = false;
            _output.Write("/>"u8);
            return;
        }

        CheckName(qualifiedName, nameof(qualifiedName));
        _output.Write("</"u8);
        _output.Write(qualifiedName);
        _output.Write(">"u8);
    }

    /// <summary>Writes an element with text content only, such as &lt;body&gt;.</summary>
    public void WriteElementWithText(ReadOnlySpan<byte> qualifiedName, ReadOnlySpan<byte> text)
    {
        WriteStartElement(qualifiedName);
        WriteText(text);
        WriteEndElement(qualifiedName);
    }

    /// <summary>Writes a parsed element as content, standing alone (see <see cref="XmlElement.WriteTo"/>).</summary>
    public void WriteElement(XmlElement element)
    {
        BeginContent();
        element.WriteTo(_output);
    }

    /// <summary>
    /// Finishes a start tag that stays open past this writer, such as the stream header; the writer
    /// forgets the element, and its end is later written with <see cref="WriteRaw"/>.
    /// </summary>
    public void CloseStartTagAndForget()
    {
        if (!_startTagOpen)
        {
            XmlThrow.InvalidWriterState("No start tag is open.");
        }

        CloseStartTag();
        _depth--;
    }

    /// <summary>Writes trusted, already serialized markup (a stream's end tag, a forwarded stanza). Not checked.</summary>
    public void WriteRaw(ReadOnlySpan<byte> markup)
    {
        CloseStartTag();
        _output.Write(markup);
    }

    private void BeginAttribute(ReadOnlySpan<byte> qualifiedName)
    {
        if (!_startTagOpen)
        {
            XmlThrow.InvalidWriterState("Attributes must follow a start element.");
        }

        CheckName(qualifiedName, nameof(qualifiedName));
        _output.Write(" "u8);
        _output.Write(qualifiedName);
        _output.Write("='"u8);
    }

    private void BeginContent()
    {
        if (_depth == 0)
        {
            XmlThrow.InvalidWriterState("Content must be inside an element.");
        }

        CloseStartTag();
    }

    private void CloseStartTag()
    {
        if (_startTagOpen)
        {
            _startTagOpen = false;
            _output.Write(">"u8);
        }
    }

    private static void CheckName(ReadOnlySpan<byte> name, string paramName)
    {
        if (!XmlChars.IsName(name))
        {
            XmlThrow.InvalidArgumentName(paramName);
        }
    }
}
