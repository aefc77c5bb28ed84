using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeNode.Matrix.Json;

namespace EdgeNode.Fuzz.Targets;

/// <summary>
/// Matrix canonical JSON. Properties: canonical output canonicalises to itself; it is the same whether it came from
/// the bytes or from a parsed JsonNode; it parses as JSON again.
/// </summary>
internal static class CanonicalJsonTarget
{
    public static FuzzTarget Target { get; } = new(Check, typeof(CanonicalJsonException), typeof(JsonException));

    private static void Check(ReadOnlySpan<byte> input)
    {
        byte[] canonical = CanonicalJson.Canonicalize(input);
        byte[] again;
        try
        {
            again = CanonicalJson.Canonicalize(canonical);
        }
        catch (Exception exception) when (exception is CanonicalJsonException or JsonException)
        {
            throw new PropertyViolationException($"canonical output is refused ({exception.Message}): {Convert.ToHexString(canonical)}");
        }

        PropertyViolationException.ThrowIfNot(again.AsSpan().SequenceEqual(canonical), "canonical JSON is not a fixed point");
        JsonNode? node = JsonNode.Parse(canonical, documentOptions: new JsonDocumentOptions { MaxDepth = 256 });
        PropertyViolationException.ThrowIfNot(CanonicalJson.Serialize(node).AsSpan().SequenceEqual(canonical),
            "canonical JSON of a JsonNode differs from that of the bytes");
    }
}
