using System.Text.Json;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;

namespace EdgeNode.Matrix.Json;

/// <summary>
/// Reads JSON integers as received events must carry them (v10+ rules, canonical JSON): a JSON number written
/// as an integer, -?(0|[1-9][0-9]*), inside the canonical range, never a string. 1.0 or 1e1 is a float here
/// even though its value is whole: other servers reject such events, so accepting them would split the room.
/// </summary>
internal static class JsonIntegers
{
    public static bool TryGet(JsonNode? node, out long value)
    {
        value = 0;
        if (node is not JsonValue v || v.GetValueKind() != JsonValueKind.Number) return false;
        if (v.TryGetValue(out JsonElement element))
            return TryParse(JsonMarshal.GetRawUtf8Value(element), out value);
        // A value built in code rather than parsed: only an integer type holds an integer.
        if (v.TryGetValue(out long l)) value = l;
        else if (v.TryGetValue(out int i)) value = i;
        else return false;
        // Outside the range a negation overflows, and long.MaxValue would tie with infinite creator power.
        return value is >= CanonicalInteger.Min and <= CanonicalInteger.Max;
    }

    /// <summary>Parses -?(0|[1-9][0-9]*) within the canonical range; anything else is not an integer on receipt.</summary>
    internal static bool TryParse(ReadOnlySpan<byte> token, out long value)
    {
        value = 0;
        ReadOnlySpan<byte> digits = token.Length > 0 && token[0] == (byte)'-' ? token[1..] : token;
        // The canonical range has at most 16 digits; the limit keeps the accumulation below from overflowing.
        if (digits.IsEmpty || digits.Length > 16 || (digits[0] == (byte)'0' && digits.Length > 1)) return false;
        long magnitude = 0;
        foreach (byte c in digits)
        {
            if (c is < (byte)'0' or > (byte)'9') return false;
            magnitude = magnitude * 10 + (c - '0');
        }
        if (magnitude > CanonicalInteger.Max) return false;
        value = digits.Length == token.Length ? magnitude : -magnitude;
        return true;
    }
}
