namespace EdgeNode.Matrix.Json;

/// <summary>
/// Reads a JSON number token exactly (no floating point) and returns it as an integer when its value
/// is one inside the canonical range. This is why 1e10 becomes 10000000000 and -0 becomes 0, while
/// 1.5 or 2^53 are refused: a double would round 9007199254740993 silently.
/// </summary>
internal static class CanonicalInteger
{
    public const long Max = (1L << 53) - 1;
    public const long Min = -Max;

    public static long Parse(ReadOnlySpan<byte> token)
    {
        int i = 0;
        bool negative = false;
        if (i < token.Length && token[i] == (byte)'-') { negative = true; i++; }

        // Significant digits of the integer and fraction parts, without leading zeros.
        Span<byte> digits = stackalloc byte[20];
        int digitCount = 0;
        long exponent = 0;
        bool sawDigit = false, tooPrecise = false;

        for (; i < token.Length && IsDigit(token[i]); i++)
        {
            sawDigit = true;
            AppendDigit(token[i], digits, ref digitCount, ref exponent, ref tooPrecise, fraction: false);
        }
        if (i < token.Length && token[i] == (byte)'.')
        {
            i++;
            for (; i < token.Length && IsDigit(token[i]); i++)
            {
                sawDigit = true;
                AppendDigit(token[i], digits, ref digitCount, ref exponent, ref tooPrecise, fraction: true);
            }
        }
        if (!sawDigit) Throw(token, "is not a number");
        if (i < token.Length && (token[i] == (byte)'e' || token[i] == (byte)'E'))
        {
            i++;
            bool expNegative = false;
            if (i < token.Length && (token[i] == (byte)'+' || token[i] == (byte)'-')) { expNegative = token[i] == (byte)'-'; i++; }
            long exp = 0;
            bool any = false;
            for (; i < token.Length && IsDigit(token[i]); i++)
            {
                any = true;
                // Anything beyond a few digits is out of range or zero either way; cap to avoid overflow.
                if (exp < 1_000_000) exp = exp * 10 + (token[i] - '0');
            }
            if (!any) Throw(token, "is not a number");
            exponent += expNegative ? -exp : exp;
        }
        if (i != token.Length) Throw(token, "is not a number");

        // Drop trailing zeros of the significand into the exponent.
        while (digitCount > 0 && digits[digitCount - 1] == 0) { digitCount--; exponent++; }
        if (tooPrecise) Throw(token, "is not an integer in the canonical range");
        if (digitCount == 0) return 0; // -0, 0.0, 0e5 all mean zero.
        if (digitCount + exponent > 16) Throw(token, "is out of the canonical integer range");
        if (exponent < 0) Throw(token, "is not an integer (canonical JSON has no fractions)");

        long value = 0;
        for (int d = 0; d < digitCount; d++) value = value * 10 + digits[d];
        for (long e = 0; e < exponent; e++) value *= 10;
        if (value > Max) Throw(token, "is out of the canonical integer range");
        return negative ? -value : value;
    }

    private static void AppendDigit(byte c, Span<byte> digits, ref int count, ref long exponent, ref bool tooPrecise, bool fraction)
    {
        int d = c - '0';
        if (count == 0 && d == 0)
        {
            // A leading zero carries no value; in the fraction it still shifts the scale.
            if (fraction) exponent--;
            return;
        }
        if (count == digits.Length)
        {
            // Beyond 20 significant digits a non-zero digit means the value is either above 2^53 or
            // has a fraction; zeros only scale an integer part (or are trailing fraction zeros).
            if (d != 0) tooPrecise = true;
            else if (!fraction) exponent++;
            return;
        }
        digits[count++] = (byte)d;
        if (fraction) exponent--;
    }

    private static bool IsDigit(byte c) => c is >= (byte)'0' and <= (byte)'9';

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void Throw(ReadOnlySpan<byte> token, string why) =>
        throw new CanonicalJsonException($"The number {System.Text.Encoding.UTF8.GetString(token)} {why}.");
}
