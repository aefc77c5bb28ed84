using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeNode.Matrix.Json;

namespace EdgeNode.Matrix.ClientApi;

/// <summary>Typed reads of request JSON: a field of the wrong type is M_BAD_JSON, a missing required one M_MISSING_PARAM.</summary>
public static class JsonBody
{
    public static string? OptString(JsonObject o, string name)
    {
        if (!o.TryGetPropertyValue(name, out var node) || node is null) return null;
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.String) return v.GetValue<string>();
        throw MatrixException.BadJson($"{name} must be a string");
    }

    public static string String(JsonObject o, string name) => OptString(o, name) ?? throw MatrixException.MissingParam($"{name} is required");

    public static JsonObject? OptObject(JsonObject o, string name)
    {
        if (!o.TryGetPropertyValue(name, out var node) || node is null) return null;
        return node as JsonObject ?? throw MatrixException.BadJson($"{name} must be an object");
    }

    public static JsonArray? OptArray(JsonObject o, string name)
    {
        if (!o.TryGetPropertyValue(name, out var node) || node is null) return null;
        return node as JsonArray ?? throw MatrixException.BadJson($"{name} must be an array");
    }

    public static bool? OptBool(JsonObject o, string name)
    {
        if (!o.TryGetPropertyValue(name, out var node) || node is null) return null;
        return node.GetValueKind() switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw MatrixException.BadJson($"{name} must be true or false"),
        };
    }

    public static long? OptLong(JsonObject o, string name)
    {
        if (!o.TryGetPropertyValue(name, out var node) || node is null) return null;
        return JsonIntegers.TryGet(node, out var value) ? value : throw MatrixException.BadJson($"{name} must be an integer");
    }

    public static List<string> StringList(JsonArray? array, string name)
    {
        var list = new List<string>();
        if (array is null) return list;
        foreach (var item in array)
        {
            if (item is JsonValue v && v.GetValueKind() == JsonValueKind.String) list.Add(v.GetValue<string>());
            else throw MatrixException.BadJson($"{name} must hold only strings");
        }
        return list;
    }

    /// <summary>A deep copy, for taking content from a request into an event without sharing nodes.</summary>
    public static JsonObject Copy(JsonObject o) => (JsonObject)o.DeepClone();

    public static JsonObject Parse(string json) => JsonNode.Parse(json)!.AsObject();
}
