using System.Buffers.Text;

namespace EdgeNode.Matrix.Text;

/// <summary>
/// Base64 as Matrix writes it (spec appendix "Unpadded Base64"): RFC 4648 without '=' padding, in the
/// standard alphabet for keys, signatures and hashes and the URL-safe alphabet for event and room IDs.
/// Decoding accepts input with or without padding, as the spec asks.
/// </summary>
public static class UnpaddedBase64
{
    public static string Encode(ReadOnlySpan<byte> data)
    {
        string padded = Convert.ToBase64String(data);
        int end = padded.Length;
        while (end > 0 && padded[end - 1] == '=') end--;
        return end == padded.Length ? padded : padded[..end];
    }

    public static string EncodeUrlSafe(ReadOnlySpan<byte> data) => Base64Url.EncodeToString(data);

    public static bool TryDecode(string text, out byte[] data)
    {
        ArgumentNullException.ThrowIfNull(text);
        string padded = Pad(text);
        if (padded.Length % 4 != 0)
        {
            data = [];
            return false;
        }
        data = new byte[padded.Length / 4 * 3];
        if (!Convert.TryFromBase64String(padded, data, out int written))
        {
            data = [];
            return false;
        }
        data = data[..written];
        return true;
    }

    public static byte[] Decode(string text) =>
        TryDecode(text, out byte[] data) ? data : throw new FormatException("The text is not valid base64.");

    public static bool TryDecodeUrlSafe(string text, out byte[] data)
    {
        ArgumentNullException.ThrowIfNull(text);
        // Base64Url tolerates whitespace and both with and without padding; Matrix IDs never contain whitespace.
        if (text.AsSpan().ContainsAny(" \t\r\n") || !Base64Url.IsValid(text.AsSpan(), out int length))
        {
            data = [];
            return false;
        }
        data = new byte[length];
        return Base64Url.TryDecodeFromChars(text, data, out _);
    }

    private static string Pad(string text)
    {
        // Standard base64 text never contains whitespace in Matrix; Convert would skip it, so refuse it here.
        if (text.AsSpan().ContainsAny(" \t\r\n")) return "?";
        return (text.Length % 4) switch
        {
            2 => text + "==",
            3 => text + "=",
            _ => text,
        };
    }
}
