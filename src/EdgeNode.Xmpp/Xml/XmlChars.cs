using System.Buffers;
using System.Text.Unicode;

namespace EdgeNode.Xmpp.Xml;

internal static class XmlChars
{
    // C0 controls other than tab, LF and CR are not XML 1.0 characters. 0xEF is here because it leads
    // U+FFFE and U+FFFF, the only other non-characters that valid UTF-8 can still carry.
    private static readonly SearchValues<byte> s_suspicious = SearchValues.Create(
    [
        0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x0B, 0x0C, 0x0E, 0x0F,
        0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x1B, 0x1C, 0x1D, 0x1E, 0x1F,
        0xEF,
    ]);

    // Bytes that may appear in a QName. Non-ASCII bytes are accepted as name bytes without checking the
    // exact Unicode name ranges: UTF-8 validity is checked elsewhere, and routing never depends on them.
    private static readonly SearchValues<byte> s_nameBytes = SearchValues.Create(BuildNameBytes());

    public static ReadOnlySpan<byte> Whitespace => " \t\r\n"u8;

    public static bool IsWhitespace(byte b) => b is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t';

    public static bool IsNameStartByte(byte b) =>
        (uint)((b | 0x20) - 'a') <= 'z' - 'a' || b == '_' || b >= 0x80;

    /// <summary>Length of the run of name bytes (colons included) at the start of <paramref name="s"/>.</summary>
    public static int NameLength(ReadOnlySpan<byte> s)
    {
        int n = s.IndexOfAnyExcept(s_nameBytes);
        return n < 0 ? s.Length : n;
    }

    public static bool IsName(ReadOnlySpan<byte> s) =>
        s.Length > 0 && IsNameStartByte(s[0]) && NameLength(s) == s.Length;

    /// <summary>True when <paramref name="s"/> is valid UTF-8 holding only XML 1.0 characters.</summary>
    public static bool IsValidText(ReadOnlySpan<byte> s) => Utf8.IsValid(s) && FindInvalidCharacter(s) < 0;

    /// <summary>Throws the stream error for invalid UTF-8 or a character XML 1.0 forbids.</summary>
    public static void ValidateDocumentText(ReadOnlySpan<byte> s)
    {
        if (!Utf8.IsValid(s))
        {
            XmlThrow.UnsupportedEncoding("The stream is not valid UTF-8.");
        }

        if (FindInvalidCharacter(s) >= 0)
        {
            XmlThrow.NotWellFormed("The stream holds a character that XML 1.0 does not allow.");
        }
    }

    /// <summary>Index of the first non-XML character in valid UTF-8, or -1.</summary>
    private static int FindInvalidCharacter(ReadOnlySpan<byte> s)
    {
        int offset = 0;
        while (true)
        {
            int i = s.Slice(offset).IndexOfAny(s_suspicious);
            if (i < 0)
            {
                return -1;
            }

            offset += i;
            if (s[offset] != 0xEF)
            {
                return offset;
            }

            // The input is valid UTF-8, so 0xEF is followed by two continuation bytes.
            if (s[offset + 1] == 0xBF && s[offset + 2] is 0xBE or 0xBF)
            {
                return offset;
            }

            offset += 3;
        }
    }

    private static byte[] BuildNameBytes()
    {
        var bytes = new List<byte>(200);
        for (int b = 0; b < 256; b++)
        {
            if (IsNameStartByte((byte)b) || (uint)(b - '0') <= 9 || b is '-' or '.' or ':')
            {
                bytes.Add((byte)b);
            }
        }

        return bytes.ToArray();
    }
}
