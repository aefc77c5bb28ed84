using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using EdgeNode.Core.Addressing;
using EdgeNode.Matrix.Users;
using Microsoft.AspNetCore.Http;

namespace EdgeNode.Matrix.ClientApi;

/// <summary>One client API request: the caller's session, the route values, the JSON body and the answer.</summary>
public sealed class MatrixRequest(HttpContext http, Homeserver server)
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonDocumentOptions ParseOptions = new() { MaxDepth = 64 };
    private Session? _session;
    private string? _remoteAddress;

    public HttpContext Http { get; } = http;
    public Homeserver Server { get; } = server;

    public Session Session => _session ?? throw new InvalidOperationException("the endpoint does not require a login");
    public string UserId => Session.UserId;
    public string DeviceId => Session.DeviceId;
    public CancellationToken Aborted => Http.RequestAborted;

    /// <summary>
    /// The access token from the Authorization header; from the query string (?access_token=, deprecated since spec
    /// v1.11: it ends up in proxy logs, browser history and Referer headers) only when Matrix:AllowQueryToken is on, or
    /// on the pre-v1.0 r0 paths while Matrix:AllowQueryTokenOnR0 is (the clients that still send it use those paths).
    /// </summary>
    public string? AccessToken()
    {
        var header = Http.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return header[7..].Trim();
        if (Http.Request.Query["access_token"].ToString() is not { Length: > 0 } query) return null;
        if (Server.Options.AllowQueryToken || (Server.Options.AllowQueryTokenOnR0 && IsR0Path(Http.Request.Path))) return query;
        if (Server.FirstQueryTokenRefusal()) MatrixLog.QueryTokenRefused(Server.Logger, Http.Request.Path.ToString(), RemoteAddress);
        else MatrixLog.QueryTokenRefusedAgain(Server.Logger, Http.Request.Path.ToString(), RemoteAddress);
        throw new MatrixException(401, "M_MISSING_TOKEN",
            "Access tokens in the query string are not accepted here: send it in the Authorization header (Authorization: Bearer <token>)");
    }

    private static bool IsR0Path(PathString path) =>
        path.StartsWithSegments("/_matrix/client/r0") || path.StartsWithSegments("/_matrix/media/r0");

    public void Authenticate()
    {
        var token = AccessToken() ?? throw new MatrixException(401, "M_MISSING_TOKEN", "Missing access token");
        _session = Server.Read(db => Sessions.Find(db, token)) ?? throw new MatrixException(401, "M_UNKNOWN_TOKEN", "Unknown or expired access token");
    }

    /// <summary>Counts one event the user writes against Matrix:MessagesPerSecond: 429 M_LIMIT_EXCEEDED when over it.</summary>
    public void TakeSend()
    {
        if (Server.Sends.TryTake(UserId) is { } wait)
            throw new MatrixException(429, "M_LIMIT_EXCEEDED", "Too many events sent; slow down") { RetryAfterMs = (long)Math.Ceiling(wait.TotalMilliseconds) };
    }

    public string Route(string name)
    {
        var value = Http.Request.RouteValues[name] as string;
        return value is null ? throw MatrixException.MissingParam($"Missing {name}") : Uri.UnescapeDataString(value);
    }

    public string? Query(string name) => Http.Request.Query.TryGetValue(name, out var v) && v.Count > 0 ? v[0] : null;

    public int QueryInt(string name, int fallback, int min, int max)
    {
        var text = Query(name);
        if (text is null) return fallback;
        if (!int.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var value))
            throw MatrixException.InvalidParam($"{name} must be an integer");
        return Math.Clamp(value, min, max);
    }

    /// <summary>Reads the body as one JSON object within the size limit: M_TOO_LARGE, M_NOT_JSON or M_BAD_JSON otherwise.</summary>
    public async Task<JsonObject> JsonBodyAsync(bool emptyIsObject = false)
    {
        var bytes = await BodyAsync(Server.Options.MaxRequestBytes).ConfigureAwait(false);
        if (bytes.Length == 0 && emptyIsObject) return [];
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(bytes, documentOptions: ParseOptions);
            // JsonObject finds duplicate keys only when first enumerated: do it here, where it still is a parse error.
            if (node is JsonObject o) _ = o.Count;
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException)
        {
            throw MatrixException.NotJson("The request body is not valid JSON");
        }
        return node as JsonObject ?? throw MatrixException.BadJson("The request body must be a JSON object");
    }

    public async Task<byte[]> BodyAsync(int limit)
    {
        if (Http.Request.ContentLength > limit) throw MatrixException.TooLarge($"The request body is larger than {limit} bytes");
        var buffer = new ArrayBufferWriter<byte>(4096);
        var stream = Http.Request.Body;
        while (true)
        {
            var memory = buffer.GetMemory(8192);
            var read = await stream.ReadAsync(memory, Aborted).ConfigureAwait(false);
            if (read == 0) break;
            buffer.Advance(read);
            if (buffer.WrittenCount > limit) throw MatrixException.TooLarge($"The request body is larger than {limit} bytes");
        }
        return buffer.WrittenSpan.ToArray();
    }

    public async Task JsonAsync(JsonNode body, int status = 200)
    {
        Http.Response.StatusCode = status;
        Http.Response.ContentType = "application/json";
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions)) body.WriteTo(writer);
        Http.Response.ContentLength = buffer.WrittenCount;
        await Http.Response.Body.WriteAsync(buffer.WrittenMemory, Aborted).ConfigureAwait(false);
    }

    public Task JsonAsync<T>(T value, JsonTypeInfo<T> type, int status = 200) => WriteTyped(Http, value, type, status);

    public Task EmptyAsync() => JsonAsync(new JsonObject());

    public static async Task WriteTyped<T>(HttpContext http, T value, JsonTypeInfo<T> type, int status)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        var bytes = JsonSerializer.SerializeToUtf8Bytes(value, type);
        http.Response.ContentLength = bytes.Length;
        await http.Response.Body.WriteAsync(bytes, http.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>
    /// The client's address: the TCP peer's, or behind a trusted reverse proxy (Http:TrustedProxies) the one its
    /// forwarding headers name (<see cref="ForwardedClient"/>).
    /// </summary>
    public string RemoteAddress => _remoteAddress ??= Http.Connection.RemoteIpAddress is { } peer
        ? ForwardedClient.Resolve(peer, Server.TrustedProxies, Http.Request.Headers["X-Forwarded-For"], Http.Request.Headers["Forwarded"]).ToString()
        : "?";
}
