using System.Buffers;
using System.Text.Unicode;

namespace EdgeNode.Matrix.Json;

/// <summary>
/// The token-level half of canonical JSON: strings with the minimal escaping of the spec's grammar
/// (only '"', '\\' and U+0000..U+001F, short forms where they exist, lowercase \u00XX otherwise),
/// everything else as raw UTF-8, and integers without sign of zero, exponent or fraction.
/// </summary>
internal static class CanonicalJsonWriter
{
    private static ReadOnlySpan<byte> Hex => "0123456789abcdef"u8;

    public static void WriteRaw(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        output.Write(bytes);
    }

    public static void WriteInteger(IBufferWriter<byte> output, long value)
    {
        Span<byte> span = output.GetSpan(20);
        value.TryFormat(span, out int written, default, System.Globalization.CultureInfo.InvariantCulture);
        output.Advance(written);
    }

    public static void WriteString(IBufferWriter<byte> output, ReadOnlySpan<char> value)
    {
        WriteByte(output, (byte)'"');
        int start = 0;
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (c >= 0x20 && c != '"' && c != '\\') continue;
            WriteUtf8(output, value[start..i]);
            WriteEscape(output, c);
            start = i + 1;
        }
        WriteUtf8(output, value[start..]);
        WriteByte(output, (byte)'"');
    }

    private static void WriteEscape(IBufferWriter<byte> output, char c)
    {
        Span<byte> span = output.GetSpan(6);
        span[0] = (byte)'\\';
        byte shortForm = c switch
        {
            '"' => (byte)'"',
            '\\' => (byte)'\\',
            '\b' => (byte)'b',
            '\f' => (byte)'f',
            '\n' => (byte)'n',
            '\r' => (byte)'r',
            '\t' => (byte)'t',
            _ => 0,
        };
        if (shortForm != 0)
        {
            span[1] = shortForm;
            output.Advance(2);
            return;
        }
        span[1] = (byte)'u';
        span[2] = (byte)'0';
        span[3] = (byte)'0';
        span[4] = Hex[c >> 4];
        span[5] = Hex[c & 0xF];
        output.Advance(6);
    }

    private static void WriteUtf8(IBufferWriter<byte> output, ReadOnlySpan<char> chars)
    {
        while (!chars.IsEmpty)
        {
            Span<byte> span = output.GetSpan(Math.Min(chars.Length * 3, 4096));
            OperationStatus status = Utf8.FromUtf16(chars, span, out int read, out int written, replaceInvalidSequences: false, isFinalBlock: true);
            output.Advance(written);
            chars = chars[read..];
            if (status == OperationStatus.InvalidData)
                throw new CanonicalJsonException("A string holds a lone UTF-16 surrogate, which has no UTF-8 form.");
        }
    }

    private static void WriteByte(IBufferWriter<byte> output, byte b)
    {
        output.GetSpan(1)[0] = b;
        output.Advance(1);
    }
}
