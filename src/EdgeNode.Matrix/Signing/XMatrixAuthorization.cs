using System.Text.Json.Nodes;
using EdgeNode.Core.Crypto;

namespace EdgeNode.Matrix.Signing;

/// <summary>
/// Federation request signing (server-server spec "Request Authentication"): the method, target URI,
/// origin, destination and parsed body are signed as a JSON object, and the signature travels in an
/// "Authorization: X-Matrix ..." header.
/// </summary>
public static class XMatrixAuthorization
{
    /// <summary>The JSON object a request signature covers; <paramref name="content"/> is null for requests without a body.</summary>
    public static JsonObject RequestJson(string method, string uri, string origin, string destination, JsonNode? content)
    {
        var request = new JsonObject
        {
            ["method"] = method,
            ["uri"] = uri,
            ["origin"] = origin,
            ["destination"] = destination,
        };
        if (content is not null) request["content"] = content.DeepClone();
        return request;
    }

    public static string ComputeSignature(string method, string uri, string origin, string destination, JsonNode? content, SigningKey key) =>
        JsonSigning.ComputeSignature(RequestJson(method, uri, origin, destination, content), key);

    /// <summary>The full header value, with lower-case names and one space after the scheme, as the spec advises for old servers.</summary>
    public static string HeaderValue(string origin, string destination, string keyId, string signature) =>
        $"X-Matrix origin=\"{origin}\",destination=\"{destination}\",key=\"{keyId}\",sig=\"{signature}\"";

    public static bool Verify(string method, string uri, string origin, string destination, JsonNode? content,
        string keyId, string signature, ReadOnlySpan<byte> publicKey)
    {
        JsonObject request = RequestJson(method, uri, origin, destination, content);
        JsonSigning.AddSignature(request, origin, keyId, signature);
        return JsonSigning.Verify(request, origin, keyId, publicKey);
    }
}
