using System.Text.Json;
using System.Text.Json.Nodes;

namespace EdgeNode.Matrix.Json;

/// <summary>Reads JSON integers as the v10+ rules demand them: a JSON number with an integer value, never a string.</summary>
internal static class JsonIntegers
{
    public static bool TryGet(JsonNode? node, out long value)
    {
        value = 0;
        if (node is not JsonValue v || v.GetValueKind() != JsonValueKind.Number) return false;
        if (v.TryGetValue(out long l)) { value = l; return true; }
        if (v.TryGetValue(out int i)) { value = i; return true; }
        try
        {
            value = CanonicalInteger.Parse(System.Text.Encoding.UTF8.GetBytes(v.ToJsonString()));
            return true;
        }
        catch (CanonicalJsonException)
        {
            return false;
        }
    }
}
