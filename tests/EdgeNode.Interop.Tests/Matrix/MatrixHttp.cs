using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace EdgeNode.Interop.Tests.Matrix;

/// <summary>A bare HTTP client for the client-server API: every answer as status and JSON, nothing interpreted.</summary>
internal sealed class MatrixHttp(string baseUrl) : IDisposable
{
    private readonly HttpClient _client = new() { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(60) };

    public string? Token { get; set; }

    public async Task<(int Status, JsonObject Body)> SendAsync(string method, string path, string? json = null, string? token = null)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        if ((token ?? Token) is { } t) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", t);
        using var response = await _client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var body = text.Length == 0 ? new JsonObject() : JsonNode.Parse(text) as JsonObject ?? new JsonObject { ["_array"] = JsonNode.Parse(text) };
        return ((int)response.StatusCode, body);
    }

    public async Task<JsonObject> OkAsync(string method, string path, string? json = null)
    {
        var (status, body) = await SendAsync(method, path, json);
        Assert.True(status == 200, $"{method} {path}: {status} {body.ToJsonString()}");
        return body;
    }

    public async Task<string> LoginAsync(string user, string password)
    {
        var body = await OkAsync("POST", "/_matrix/client/v3/login",
            $$"""{"type":"m.login.password","identifier":{"type":"m.id.user","user":"{{user}}"},"password":"{{password}}"}""");
        Token = (string)body["access_token"]!;
        return Token;
    }

    public HttpClient Raw => _client;

    public void Dispose() => _client.Dispose();
}
