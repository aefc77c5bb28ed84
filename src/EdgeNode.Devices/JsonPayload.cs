using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace EdgeNode.Devices;

/// <summary>
/// Payload reading shared by the adapters. Devices disagree on types (numbers as strings, "ON" for true), so the
/// helpers accept every common spelling and answer null for anything else instead of throwing.
/// </summary>
internal static class JsonPayload
{
    // Real device payloads nest a handful of levels; a deeper document is hostile or broken.
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 16 };

    public static bool TryParse(ReadOnlyMemory<byte> payload, [NotNullWhen(true)] out JsonDocument? document)
    {
        // JsonDocument checks the UTF-8 of a string only when the string is read, and then throws
        // InvalidOperationException from whichever helper reads it: refuse such a payload here, as malformed JSON.
        if (!System.Text.Unicode.Utf8.IsValid(payload.Span))
        {
            document = null;
            return false;
        }

        try
        {
            document = JsonDocument.Parse(payload, Options);
            return true;
        }
        catch (JsonException)
        {
            document = null;
            return false;
        }
    }

    public static string Text(ReadOnlyMemory<byte> payload) => Encoding.UTF8.GetString(payload.Span).Trim();

    public static JsonElement? Property(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) ? value : null;

    public static JsonElement? Object(this JsonElement element, string name) =>
        element.Property(name) is { ValueKind: JsonValueKind.Object } value ? value : null;

    public static string? String(this JsonElement element, string name) => element.Property(name)?.AsString();

    public static string? AsString(this JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => null,
    };

    public static double? Number(this JsonElement element, string name) => element.Property(name)?.AsNumber();

    public static double? AsNumber(this JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Number when element.TryGetDouble(out var n) && double.IsFinite(n) => n,
        JsonValueKind.String => ParseNumber(element.GetString()),
        _ => null,
    };

    public static double? ParseNumber(string? text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && double.IsFinite(n) ? n : null;

    public static bool? Bool(this JsonElement element, string name) => element.Property(name)?.AsFlag();

    /// <summary>true/false, "ON"/"OFF", "true"/"false", 1/0; anything else is not a flag.</summary>
    public static bool? AsFlag(this JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.String => ParseFlag(element.GetString()),
        JsonValueKind.Number when element.TryGetDouble(out var n) => n switch { 1 => true, 0 => false, _ => null },
        _ => null,
    };

    public static bool? ParseFlag(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "on" or "true" or "1" or "online" => true,
        "off" or "false" or "0" or "offline" => false,
        _ => null,
    };

    public static string Format(double value) => value.ToString("0.######", CultureInfo.InvariantCulture);

    public static int Round(double value) => (int)Math.Round(value, MidpointRounding.AwayFromZero);
}
