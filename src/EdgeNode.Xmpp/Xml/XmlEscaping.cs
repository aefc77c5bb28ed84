using System.Buffers;
using System.Text.Unicode;

namespace EdgeNode.Xmpp.Xml;

/// <summary>Escapes values for output. Characters XML 1.0 cannot carry are refused, never dropped.</summary>
internal static class XmlEscaping
{
    private static readonly SearchValues<byte> s_textSpecials = SearchValues.Create(BuildSpecials("&<>"u8));
    private static readonly SearchValues<byte> s_attributeSpecials = SearchValues.Create(BuildSpecials("&<>\"'"u8));

    public static void WriteEscaped(IBufferWriter<byte> output, ReadOnlySpan<byte> value, bool attribute, string paramName)
    {
        if (!Utf8.IsValid(value))
        {
            XmlThrow.InvalidArgumentText(paramName);
        }

        WriteValid(output, value, attribute, paramName);
    }

    /// <summary>
    /// Escapes text from a sender that does not speak XML (a Matrix client): what XML 1.0 cannot carry (C0 controls
    /// other than tab, LF and CR, U+FFFE, U+FFFF, invalid UTF-8 such as lone surrogates) becomes U+FFFD, so the text
    /// always arrives, marked where it was damaged.
    /// </summary>
    public static void WriteEscapedReplacing(IBufferWriter<byte> output, ReadOnlySpan<byte> value, bool attribute)
    {
        if (Utf8.IsValid(value))
        {
            WriteValid(output, value, attribute, paramName: null);
            return;
        }

        // Rare and hostile: the decoder's own fallback already puts U+FFFD for each invalid sequence.
        WriteEscapedReplacing(output, System.Text.Encoding.UTF8.GetString(value), attribute);
    }

    /// <summary><see cref="WriteEscapedReplacing(IBufferWriter{byte}, ReadOnlySpan{byte}, bool)"/> for UTF-16 (a lone surrogate becomes U+FFFD).</summary>
    public static void WriteEscapedReplacing(IBufferWriter<byte> output, ReadOnlySpan<char> value, bool attribute)
    {
        Span<byte> chunk = stackalloc byte[512];
        while (true)
        {
            OperationStatus status = Utf8.FromUtf16(value, chunk, out int read, out int written, replaceInvalidSequences: true, isFinalBlock: true);
            WriteValid(output, chunk.Slice(0, written), attribute, paramName: null);
            value = value.Slice(read);
            if (status == OperationStatus.Done)
            {
                return;
            }
        }
    }

    private static ReadOnlySpan<byte> Replacement => "\uFFFD"u8;

    // Valid UTF-8 escaped; a character XML cannot carry is refused (paramName given) or replaced with U+FFFD (null).
    private static void WriteValid(IBufferWriter<byte> output, ReadOnlySpan<byte> value, bool attribute, string? paramName)
    {
        SearchValues<byte> specials = attribute ? s_attributeSpecials : s_textSpecials;
        while (true)
        {
            int i = value.IndexOfAny(specials);
            if (i < 0)
            {
                output.Write(value);
                return;
            }

            output.Write(value.Slice(0, i));
            byte b = value[i];
            switch (b)
            {
                case (byte)'&':
                    output.Write("&amp;"u8);
                    break;
                case (byte)'<':
                    output.Write("&lt;"u8);
                    break;
                case (byte)'>':
                    output.Write("&gt;"u8);
                    break;
                case (byte)'"':
                    output.Write("&quot;"u8);
                    break;
                case (byte)'\'':
                    output.Write("&apos;"u8);
                    break;
                case 0xEF:
                    // Valid UTF-8, so two continuation bytes follow; only U+FFFE and U+FFFF are not XML characters.
                    if (value[i + 1] == 0xBF && value[i + 2] is 0xBE or 0xBF)
                    {
                        Forbidden(output, paramName);
                    }
                    else
                    {
                        output.Write(value.Slice(i, 3));
                    }

                    value = value.Slice(i + 3);
                    continue;
                default:
                    Forbidden(output, paramName);
                    break;
            }

            value = value.Slice(i + 1);
        }
    }

    private static void Forbidden(IBufferWriter<byte> output, string? paramName)
    {
        if (paramName is not null)
        {
            XmlThrow.InvalidArgumentText(paramName);
        }

        output.Write(Replacement);
    }

    /// <summary>Transcodes UTF-16 in stack-sized chunks and escapes each, so strings never allocate.</summary>
    public static void WriteEscaped(IBufferWriter<byte> output, ReadOnlySpan<char> value, bool attribute, string paramName)
    {
        Span<byte> chunk = stackalloc byte[512];
        while (true)
        {
            OperationStatus status = Utf8.FromUtf16(value, chunk, out int read, out int written, replaceInvalidSequences: false, isFinalBlock: true);
            if (status is OperationStatus.InvalidData)
            {
                XmlThrow.InvalidArgumentText(paramName);
            }

            WriteEscaped(output, chunk.Slice(0, written), attribute, paramName);
            value = value.Slice(read);
            if (status == OperationStatus.Done)
            {
                return;
            }
        }
    }

    private static byte[] BuildSpecials(ReadOnlySpan<byte> markup)
    {
        var bytes = new List<byte>(40);
        for (int b = 0; b < 0x20; b++)
        {
            if (b is not ('\t' or '\n' or '\r'))
            {
                bytes.Add((byte)b);
            }
        }

        bytes.Add(0xEF);
        foreach (byte b in markup)
        {
            bytes.Add(b);
        }

        return bytes.ToArray();
    }
}
