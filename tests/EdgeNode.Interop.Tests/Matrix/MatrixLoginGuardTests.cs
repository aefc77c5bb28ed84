using System.Text;
using System.Text.Json.Nodes;
using EdgeNode.Interop.Tests.Support;

namespace EdgeNode.Interop.Tests.Matrix;

/// <summary>
/// The login guard over real HTTP: behind a trusted reverse proxy (loopback configured in Http:TrustedProxies) each
/// client counts by the address the proxy forwards; from anyone else the forwarding headers are ignored.
/// </summary>
public class MatrixLoginGuardTests
{
    private const string Password = "correct horse battery";

    private sealed record Answer(int Status, JsonObject Body, string? RetryAfter);

    private static async Task<(TestNode Node, HttpClient Http)> StartAsync(params string[] settings)
    {
        var node = await TestNode.StartAsync("matrix.test", "127.0.0.1", settings);
        await node.AddUserAsync("bob", Password);
        return (node, new HttpClient { BaseAddress = new Uri($"http://{node.Address}:{node.Port("Http:Port")}") });
    }

    private static async Task<Answer> LoginAsync(HttpClient http, string user, string password, string? xForwardedFor = null, string? forwarded = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/_matrix/client/v3/login")
        {
            Content = new StringContent(
                new JsonObject { ["type"] = "m.login.password", ["identifier"] = new JsonObject { ["type"] = "m.id.user", ["user"] = user }, ["password"] = password }.ToJsonString(),
                Encoding.UTF8, "application/json"),
        };
        if (xForwardedFor is not null) request.Headers.Add("X-Forwarded-For", xForwardedFor);
        if (forwarded is not null) request.Headers.Add("Forwarded", forwarded);
        using var response = await http.SendAsync(request);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        return new Answer((int)response.StatusCode, body, response.Headers.TryGetValues("Retry-After", out var values) ? values.Single() : null);
    }

    /// <summary>Made-up names, each from another forwarded address, until the first 429 (or none within 12).</summary>
    private static async Task<bool> MadeUpNamesHitTheLimitAsync(HttpClient http)
    {
        for (int i = 0; i < 12; i++)
        {
            var answer = await LoginAsync(http, $"nobody{i}", "guess", xForwardedFor: $"192.0.2.{i + 1}");
            if (answer.Status == 429) return true;
            Assert.Equal(403, answer.Status);
        }

        return false;
    }

    [Fact]
    public async Task UntrustedPeer_ForwardingHeadersAreIgnored()
    {
        var (node, http) = await StartAsync("--Login:FailuresPerAddress=3");
        await using var _ = node;
        using var __ = http;
        // Every guess counts against the peer's own address, whatever the headers claim, so the limit comes.
        Assert.True(await MadeUpNamesHitTheLimitAsync(http));
    }

    [Fact]
    public async Task TrustedProxy_ForwardedClientsCountApart_AndA429SaysHowLong()
    {
        var (node, http) = await StartAsync("--Http:TrustedProxies=127.0.0.1", "--Login:FailuresPerAddress=3", "--Login:FailuresPerAccount=1");
        await using var _ = node;
        using var __ = http;
        Assert.False(await MadeUpNamesHitTheLimitAsync(http));

        // bob has logged in from twelve addresses; one wrong password from each passes the account's four free
        // failures from everywhere by eight: a wait of 2^7 s for every address he never used.
        string[] known = Enumerable.Range(2, 12).Select(i => $"198.51.100.{i}").ToArray();
        foreach (string address in known) Assert.Equal(200, (await LoginAsync(http, "bob", Password, address)).Status);
        foreach (string address in known) Assert.Equal(403, (await LoginAsync(http, "bob", "guess " + address, address)).Status);

        var limited = await LoginAsync(http, "bob", Password, "1.2.3.4, 203.0.113.50");
        Assert.Equal((429, "M_LIMIT_EXCEEDED"), (limited.Status, (string?)limited.Body["errcode"]));
        long retryAfterMs = (long)limited.Body["retry_after_ms"]!;
        Assert.InRange(retryAfterMs, 60_000, 128_000);
        Assert.Equal((retryAfterMs / 1000).ToString(System.Globalization.CultureInfo.InvariantCulture), limited.RetryAfter);
        Assert.StartsWith("Too many failed logins; try again in ", (string?)limited.Body["error"]);

        // The peer itself (no header) is a new address too; the addresses bob used are served, by either header.
        Assert.Equal(429, (await LoginAsync(http, "bob", Password)).Status);
        Assert.Equal(200, (await LoginAsync(http, "bob", Password, known[0])).Status);
        Assert.Equal(200, (await LoginAsync(http, "bob", Password, forwarded: $"for={known[1]};proto=https")).Status);

        var (code, output, error) = await node.VerbAsync("", "user", "unlock", "bob@matrix.test");
        Assert.True(code == 0, error);
        Assert.Contains("unlocked bob@matrix.test", output);
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        int status;
        while ((status = (await LoginAsync(http, "bob", Password, "203.0.113.50")).Status) != 200 && DateTime.UtcNow < until) await Task.Delay(200);
        Assert.Equal(200, status);
    }
}
