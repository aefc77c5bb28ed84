using System.Text;

namespace EdgeNode.Fuzz.Targets;

/// <summary>Ways targets cut one fuzz input into the several values a parser takes.</summary>
internal static class Inputs
{
    /// <summary>The input cut at its first NUL byte; the second part is empty when there is none.</summary>
    public static (ReadOnlyMemory<byte> First, ReadOnlyMemory<byte> Second) AtNul(ReadOnlySpan<byte> input)
    {
        byte[] copy = input.ToArray();
        int nul = Array.IndexOf(copy, (byte)0);
        return nul < 0 ? (copy, ReadOnlyMemory<byte>.Empty) : (copy.AsMemory(0, nul), copy.AsMemory(nul + 1));
    }

    /// <summary>The input as text (invalid UTF-8 becomes U+FFFD, as an HTTP or configuration layer would decode it).</summary>
    public static string Text(ReadOnlySpan<byte> input) => Encoding.UTF8.GetString(input);
}
