namespace EdgeNode.Matrix.Json;

/// <summary>
/// Orders strings by Unicode code point, which canonical JSON requires for object keys.
/// Ordinal comparison of UTF-16 units differs from it only where a surrogate pair (U+10000 and up)
/// meets a unit in U+E000..U+FFFF: UTF-16 puts the pair first, code point order puts it last.
/// </summary>
public sealed class CodePointComparer : IComparer<string>
{
    public static readonly CodePointComparer Instance = new();

    private CodePointComparer() { }

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x is null) return -1;
        if (y is null) return 1;
        int length = Math.Min(x.Length, y.Length);
        for (int i = 0; i < length; i++)
        {
            char a = x[i], b = y[i];
            if (a != b) return Fix(a) - Fix(b);
        }
        return x.Length - y.Length;
    }

    // Moves surrogates (0xD800..0xDFFF) above every other BMP unit, keeping order within each group.
    private static int Fix(char c) => c < 0xD800 ? c : c < 0xE000 ? c + 0x2000 : c - 0x800;
}
