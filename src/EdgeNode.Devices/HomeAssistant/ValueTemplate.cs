using System.Globalization;
using System.Text.Json;

namespace EdgeNode.Devices;

/// <summary>
/// The simple Jinja value templates most discovery payloads use: {{ value }}, {{ value_json.a.b }},
/// {{ value_json['a'] }}, followed by | float, | int and | round(n). Anything else is not evaluated
/// (<see cref="TryApply"/> returns false) and the caller keeps the raw payload.
/// </summary>
public static class ValueTemplate
{
    /// <returns>false when the template is beyond the subset; <paramref name="result"/> is null when the payload lacks the value.</returns>
    public static bool TryApply(string template, string payload, out string? result)
    {
        result = null;
        var text = template.Trim();
        if (!text.StartsWith("{{", StringComparison.Ordinal) || !text.EndsWith("}}", StringComparison.Ordinal)) return false;
        var body = text[2..^2];
        if (body.Contains("{{", StringComparison.Ordinal) || body.Contains("}}", StringComparison.Ordinal) || body.Contains('%')) return false;
        var stages = body.Split('|');
        var path = stages[0].Trim();
        string? value;
        if (path == "value")
        {
            value = payload;
        }
        else if (path.StartsWith("value_json", StringComparison.Ordinal))
        {
            if (!TryPath(path["value_json".Length..], out var keys)) return false;
            value = Navigate(payload, keys);
        }
        else
        {
            return false;
        }
        foreach (var stage in stages.Skip(1))
        {
            if (!TryFilter(stage.Trim(), ref value)) return false;
        }
        result = value;
        return true;
    }

    private static bool TryPath(string rest, out List<string> keys)
    {
        keys = [];
        var i = 0;
        while (i < rest.Length)
        {
            if (rest[i] == '.')
            {
                var end = i + 1;
                while (end < rest.Length && (char.IsLetterOrDigit(rest[end]) || rest[end] == '_')) end++;
                if (end == i + 1) return false;
                keys.Add(rest[(i + 1)..end]);
                i = end;
            }
            else if (rest[i] == '[' && i + 1 < rest.Length && rest[i + 1] is '\'' or '"')
            {
                var quote = rest[i + 1];
                var close = rest.IndexOf(quote, i + 2);
                if (close < 0 || close + 1 >= rest.Length || rest[close + 1] != ']') return false;
                keys.Add(rest[(i + 2)..close]);
                i = close + 2;
            }
            else if (char.IsWhiteSpace(rest[i]))
            {
                i++;
            }
            else
            {
                return false;
            }
        }
        return keys.Count > 0;
    }

    private static string? Navigate(string payload, List<string> keys)
    {
        try
        {
            using var document = JsonDocument.Parse(payload, new JsonDocumentOptions { MaxDepth = 16 });
            var element = document.RootElement;
            foreach (var key in keys)
            {
                if (element.Property(key) is not { } next) return null;
                element = next;
            }
            return element.AsString();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool TryFilter(string filter, ref string? value)
    {
        if (filter is "float" or "float(0)" or "int" or "int(0)")
        {
            var number = JsonPayload.ParseNumber(value);
            value = number is null ? null : filter.StartsWith("int", StringComparison.Ordinal)
                ? ((long)Math.Truncate(number.Value)).ToString(CultureInfo.InvariantCulture)
                : JsonPayload.Format(number.Value);
            return true;
        }
        if (filter == "round" || (filter.StartsWith("round(", StringComparison.Ordinal) && filter.EndsWith(')')))
        {
            var digits = 0;
            if (filter != "round" && !int.TryParse(filter.AsSpan(6, filter.Length - 7), NumberStyles.None, CultureInfo.InvariantCulture, out digits)) return false;
            if (digits > 15) return false;
            var number = JsonPayload.ParseNumber(value);
            value = number is null ? null : JsonPayload.Format(Math.Round(number.Value, digits, MidpointRounding.ToEven));
            return true;
        }
        return false;
    }
}
