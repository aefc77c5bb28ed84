using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EdgeNode.Matrix.Json;

/// <summary>
/// Matrix canonical JSON (spec appendix "Canonical JSON"): keys sorted by code point, no insignificant
/// whitespace, minimal escaping, raw UTF-8, integers only. System.Text.Json's writer escapes non-ASCII and
/// sorts nothing, so signing and hashing go through this instead.
/// </summary>
public static class CanonicalJson
{
    // Deep enough for any event (the spec caps PDUs at 65536 bytes); shallow enough to keep recursion safe.
    private const int MaxDepth = 128;

    public static byte[] Serialize(JsonNode? node)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        Write(buffer, node);
        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] Serialize(JsonElement element)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        Write(buffer, element);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Parses UTF-8 JSON text and returns its canonical form.</summary>
    public static byte[] Canonicalize(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = MaxDepth });
        using var document = JsonDocument.ParseValue(ref reader);
        return Serialize(document.RootElement);
    }

    public static void Write(IBufferWriter<byte> output, JsonNode? node) => WriteNode(output, node, 0);

    public static void Write(IBufferWriter<byte> output, JsonElement element) => WriteElement(output, element, 0);

    private static void WriteNode(IBufferWriter<byte> output, JsonNode? node, int depth)
    {
        CheckDepth(depth);
        switch (node)
        {
            case null:
                CanonicalJsonWriter.WriteRaw(output, "null"u8);
                return;
            case JsonObject obj:
            {
                ThrowIfDuplicateKeys(obj);
                var entries = new List<KeyValuePair<string, JsonNode?>>(obj.Count);
                foreach (var entry in obj) entries.Add(entry);
                // Duplicate keys were refused above, so sorting is all that is left.
                entries.Sort(static (a, b) => CodePointComparer.Instance.Compare(a.Key, b.Key));
                WriteByte(output, (byte)'{');
                for (int i = 0; i < entries.Count; i++)
                {
                    if (i > 0) WriteByte(output, (byte)',');
                    CanonicalJsonWriter.WriteString(output, entries[i].Key);
                    WriteByte(output, (byte)':');
                    WriteNode(output, entries[i].Value, depth + 1);
                }
                WriteByte(output, (byte)'}');
                return;
            }
            case JsonArray array:
            {
                WriteByte(output, (byte)'[');
                for (int i = 0; i < array.Count; i++)
                {
                    if (i > 0) WriteByte(output, (byte)',');
                    WriteNode(output, array[i], depth + 1);
                }
                WriteByte(output, (byte)']');
                return;
            }
            case JsonValue value:
                WriteValue(output, value, depth);
                return;
        }
    }

    private static void WriteValue(IBufferWriter<byte> output, JsonValue value, int depth)
    {
        // A value parsed from text wraps a JsonElement; reuse the element path so both agree byte for byte.
        if (value.TryGetValue(out JsonElement element))
        {
            WriteElement(output, element, depth);
            return;
        }
        switch (value.GetValueKind())
        {
            case JsonValueKind.String:
                CanonicalJsonWriter.WriteString(output, value.GetValue<string>());
                return;
            case JsonValueKind.True:
                CanonicalJsonWriter.WriteRaw(output, "true"u8);
                return;
            case JsonValueKind.False:
                CanonicalJsonWriter.WriteRaw(output, "false"u8);
                return;
            case JsonValueKind.Number:
                if (value.TryGetValue(out long l) || TryGetSmaller(value, out l))
                {
                    CanonicalJsonWriter.WriteInteger(output, CheckRange(l));
                    return;
                }
                // Doubles, decimals and the like: take their JSON text and judge it exactly.
                CanonicalJsonWriter.WriteInteger(output, CanonicalInteger.Parse(System.Text.Encoding.UTF8.GetBytes(value.ToJsonString())));
                return;
            default:
                throw new CanonicalJsonException($"A JSON value of kind {value.GetValueKind()} cannot be written.");
        }
    }

    private static bool TryGetSmaller(JsonValue value, out long result)
    {
        if (value.TryGetValue(out int i)) { result = i; return true; }
        if (value.TryGetValue(out short s)) { result = s; return true; }
        if (value.TryGetValue(out byte b)) { result = b; return true; }
        if (value.TryGetValue(out uint ui)) { result = ui; return true; }
        result = 0;
        return false;
    }

    private static long CheckRange(long value) =>
        value is >= CanonicalInteger.Min and <= CanonicalInteger.Max
            ? value
            : throw new CanonicalJsonException($"The number {value} is out of the canonical integer range.");

    private static void WriteElement(IBufferWriter<byte> output, JsonElement element, int depth)
    {
        CheckDepth(depth);
        switch (element.ValueKind)
        {
            case JsonValueKind.Null:
                CanonicalJsonWriter.WriteRaw(output, "null"u8);
                return;
            case JsonValueKind.True:
                CanonicalJsonWriter.WriteRaw(output, "true"u8);
                return;
            case JsonValueKind.False:
                CanonicalJsonWriter.WriteRaw(output, "false"u8);
                return;
            case JsonValueKind.String:
                CanonicalJsonWriter.WriteString(output, GetString(element));
                return;
            case JsonValueKind.Number:
                CanonicalJsonWriter.WriteInteger(output, CanonicalInteger.Parse(JsonMarshal.GetRawUtf8Value(element)));
                return;
            case JsonValueKind.Array:
            {
                WriteByte(output, (byte)'[');
                bool first = true;
                foreach (JsonElement item in element.EnumerateArray())
                {
                    if (!first) WriteByte(output, (byte)',');
                    first = false;
                    WriteElement(output, item, depth + 1);
                }
                WriteByte(output, (byte)']');
                return;
            }
            case JsonValueKind.Object:
            {
                var entries = new List<(string Key, JsonElement Value)>();
                foreach (JsonProperty property in element.EnumerateObject())
                    entries.Add((GetName(property), property.Value));
                entries.Sort(static (a, b) => CodePointComparer.Instance.Compare(a.Key, b.Key));
                WriteByte(output, (byte)'{');
                for (int i = 0; i < entries.Count; i++)
                {
                    // JsonDocument keeps duplicate keys; their meaning is ambiguous, so no canonical form exists.
                    if (i > 0 && string.Equals(entries[i - 1].Key, entries[i].Key, StringComparison.Ordinal))
                        throw new CanonicalJsonException($"The object has the key \"{entries[i].Key}\" more than once.");
                    if (i > 0) WriteByte(output, (byte)',');
                    CanonicalJsonWriter.WriteString(output, entries[i].Key);
                    WriteByte(output, (byte)':');
                    WriteElement(output, entries[i].Value, depth + 1);
                }
                WriteByte(output, (byte)'}');
                return;
            }
            default:
                throw new CanonicalJsonException($"A JSON value of kind {element.ValueKind} cannot be written.");
        }
    }

    private static string GetString(JsonElement element)
    {
        try
        {
            return element.GetString()!;
        }
        catch (InvalidOperationException e)
        {
            throw new CanonicalJsonException($"A string is not valid Unicode: {e.Message}");
        }
    }

    private static string GetName(JsonProperty property)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException e)
        {
            throw new CanonicalJsonException($"A key is not valid Unicode: {e.Message}");
        }
    }

    /// <summary>
    /// JsonNode.Parse keeps duplicate keys and JsonObject throws ArgumentException when it is first looked into.
    /// Their meaning is ambiguous, so no canonical form exists: say so the way every other refusal here does,
    /// which signature and hash checks turn into "does not verify".
    /// </summary>
    public static void ThrowIfDuplicateKeys(JsonObject obj)
    {
        try
        {
            _ = obj.Count;
        }
        catch (ArgumentException)
        {
            throw new CanonicalJsonException("The object has a key more than once.");
        }
    }

    /// <summary>
    /// Like <see cref="ThrowIfDuplicateKeys(JsonObject)"/> for every object in the tree; also refuses text that is not
    /// valid UTF-8, which JsonNode.Parse lets through until the text is read (and then throws InvalidOperationException).
    /// </summary>
    public static void ThrowIfAnyDuplicateKeys(JsonNode? node)
    {
        try
        {
            CheckKeysDeep(node, 0);
        }
        catch (InvalidOperationException e) when (e.InnerException is System.Text.DecoderFallbackException)
        {
            throw new CanonicalJsonException("The JSON text is not valid UTF-8.");
        }
    }

    private static void CheckKeysDeep(JsonNode? node, int depth)
    {
        CheckDepth(depth);
        switch (node)
        {
            case JsonObject obj:
                ThrowIfDuplicateKeys(obj);
                foreach (var (_, child) in obj) CheckKeysDeep(child, depth + 1);
                return;
            case JsonArray array:
                foreach (JsonNode? child in array) CheckKeysDeep(child, depth + 1);
                return;
            case JsonValue value when value.TryGetValue(out JsonElement element) && element.ValueKind == JsonValueKind.String:
                _ = element.GetString();
                return;
        }
    }

    private static void CheckDepth(int depth)
    {
        if (depth > MaxDepth) throw new CanonicalJsonException($"The value nests deeper than {MaxDepth} levels.");
    }

    private static void WriteByte(IBufferWriter<byte> output, byte b)
    {
        output.GetSpan(1)[0] = b;
        output.Advance(1);
    }
}
