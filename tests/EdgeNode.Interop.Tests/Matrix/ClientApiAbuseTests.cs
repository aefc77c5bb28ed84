using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using EdgeNode.Interop.Tests.Support;

namespace EdgeNode.Interop.Tests.Matrix;

/// <summary>
/// What a hostile or careless client tries against the client-server API over real HTTP: sending faster than a
/// person (Matrix:MessagesPerSecond), the access token in the query string, media fetched without a login, a forged
/// Host header for /.well-known, and media a browser might sniff into a page.
/// </summary>
public class ClientApiAbuseTests
{
    private const string Password = "correct horse battery";
    private const string V3 = "/_matrix/client/v3";

    private static async Task<(TestNode Node, MatrixHttp Alice, MatrixHttp Bob)> StartAsync(params string[] settings)
    {
        var node = await TestNode.StartAsync("matrix.test", "127.0.0.1", settings);
        await node.AddUserAsync("alice", Password);
        await node.AddUserAsync("bob", Password);
        var url = $"http://{node.Address}:{node.Port("Http:Port")}";
        var alice = new MatrixHttp(url);
        var bob = new MatrixHttp(url);
        await alice.LoginAsync("alice", Password);
        await bob.LoginAsync("bob", Password);
        return (node, alice, bob);
    }

    private static async Task<string> SharedRoomAsync(MatrixHttp alice, MatrixHttp bob)
    {
        var room = (string)(await alice.OkAsync("POST", V3 + "/createRoom", """{"preset":"private_chat","invite":["@bob:matrix.test"]}"""))["room_id"]!;
        await bob.OkAsync("POST", $"{V3}/rooms/{Uri.EscapeDataString(room)}/join", "{}");
        return Uri.EscapeDataString(room);
    }

    private static Task<(int Status, JsonObject Body)> SendTextAsync(MatrixHttp who, string room, string txn) =>
        who.SendAsync("PUT", $"{V3}/rooms/{room}/send/m.room.message/{txn}", $$"""{"msgtype":"m.text","body":"{{txn}}"}""");

    [Fact]
    public async Task Send_BeyondTheBurst_LimitExceededWithRetryAfterWhileOthersAreServed()
    {
        // One event every 20 s after the default burst of 10: the refill cannot hide the limit on a slow machine.
        var (node, alice, bob) = await StartAsync("--Matrix:MessagesPerSecond=0.05");
        await using var _node = node;
        var room = await SharedRoomAsync(alice, bob);
        var first = "";
        for (var i = 0; i < 10; i++)
        {
            var (status, body) = await SendTextAsync(alice, room, "a" + i);
            Assert.True(status == 200, $"send {i}: {status} {body.ToJsonString()}");
            if (i == 0) first = (string)body["event_id"]!;
        }

        using var request = new HttpRequestMessage(HttpMethod.Put, $"{V3}/rooms/{room}/send/m.room.message/a10")
        {
            Content = new StringContent("""{"msgtype":"m.text","body":"one too many"}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", alice.Token);
        using var refused = await alice.Raw.SendAsync(request);
        var refusal = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!.AsObject();
        Assert.Equal((429, "M_LIMIT_EXCEEDED"), ((int)refused.StatusCode, (string)refusal["errcode"]!));
        var retryMs = (long)refusal["retry_after_ms"]!;
        Assert.InRange(retryMs, 1, 20_000);
        Assert.Equal(TimeSpan.FromSeconds((retryMs + 999) / 1000), refused.Headers.RetryAfter?.Delta);
        // State and redactions count too; another device of the same user shares the bucket.
        var (state, stateBody) = await alice.SendAsync("PUT", $"{V3}/rooms/{room}/state/m.room.topic/", """{"topic":"spam"}""");
        Assert.Equal((429, "M_LIMIT_EXCEEDED"), (state, (string?)stateBody["errcode"]));
        using var secondDevice = new MatrixHttp(alice.Raw.BaseAddress!.ToString());
        await secondDevice.LoginAsync("alice", Password);
        Assert.Equal(429, (await SendTextAsync(secondDevice, room, "b0")).Status);

        // A retried transaction is answered with its event, not refused; bob is served meanwhile.
        var (retried, retriedBody) = await SendTextAsync(alice, room, "a0");
        Assert.Equal((200, first), (retried, (string?)retriedBody["event_id"]));
        var (bobs, bobBody) = await SendTextAsync(bob, room, "from-bob");
        Assert.True(bobs == 200, bobBody.ToJsonString());
        var history = await bob.OkAsync("GET", $"{V3}/rooms/{room}/messages?dir=b&limit=100");
        var bodies = history["chunk"]!.AsArray().Select(e => (string?)e!["content"]?["body"]).ToList();
        Assert.Contains("from-bob", bodies);
        Assert.DoesNotContain("one too many", bodies);
        Assert.DoesNotContain("spam", history["chunk"]!.AsArray().Select(e => (string?)e!["content"]?["topic"]));
        Assert.Equal(10, bodies.Count(b => b is not null && b.StartsWith('a')));
    }

    [Fact]
    public async Task Send_LimitOff_ManyEventsFromOneUserPass()
    {
        var (node, alice, bob) = await StartAsync("--Matrix:MessagesPerSecond=0");
        await using var _node = node;
        var room = await SharedRoomAsync(alice, bob);
        for (var i = 0; i < 30; i++) Assert.Equal(200, (await SendTextAsync(alice, room, "n" + i)).Status);
    }

    [Fact]
    public async Task AccessToken_InTheQueryString_RefusedUnlessAllowed()
    {
        var (node, alice, _) = await StartAsync();
        await using (node)
        {
            var path = V3 + "/account/whoami?access_token=" + Uri.EscapeDataString(alice.Token!);
            var (status, body) = await alice.SendAsync("GET", path, token: "");
            Assert.Equal((401, "M_MISSING_TOKEN"), (status, (string?)body["errcode"]));
            Assert.Contains("Authorization header", (string?)body["error"]);
            // The header is honoured whatever the query string says.
            Assert.Equal("@alice:matrix.test", (string?)(await alice.OkAsync("GET", V3 + "/account/whoami?access_token=nonsense"))["user_id"]);
        }

        var r0 = "/_matrix/client/r0/account/whoami?access_token=";
        var (lenient, lenientAlice, _) = await StartAsync();
        await using (lenient)
        {
            // The pre-v1.0 r0 paths keep the old form by default, for the clients that still send it there.
            var (status, body) = await lenientAlice.SendAsync("GET", r0 + Uri.EscapeDataString(lenientAlice.Token!), token: "");
            Assert.Equal((200, "@alice:matrix.test"), (status, (string?)body["user_id"]));
        }

        var (strict, strictAlice, _) = await StartAsync("--Matrix:AllowQueryTokenOnR0=false");
        await using (strict)
        {
            var (status, body) = await strictAlice.SendAsync("GET", r0 + Uri.EscapeDataString(strictAlice.Token!), token: "");
            Assert.Equal((401, "M_MISSING_TOKEN"), (status, (string?)body["errcode"]));
        }

        var (allowing, client, _) = await StartAsync("--Matrix:AllowQueryToken=true");
        await using (allowing)
        {
            var (status, body) = await client.SendAsync("GET", V3 + "/account/whoami?access_token=" + Uri.EscapeDataString(client.Token!), token: "");
            Assert.Equal((200, "@alice:matrix.test"), (status, (string?)body["user_id"]));
        }
    }

    private static async Task<string> UploadAsync(MatrixHttp who, byte[] bytes, string type)
    {
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(type);
        using var upload = new HttpRequestMessage(HttpMethod.Post, "/_matrix/media/v3/upload") { Content = content };
        upload.Headers.Authorization = new AuthenticationHeaderValue("Bearer", who.Token);
        using var answer = await who.Raw.SendAsync(upload);
        Assert.Equal(200, (int)answer.StatusCode);
        return ((string)JsonNode.Parse(await answer.Content.ReadAsStringAsync())!["content_uri"]!)["mxc://matrix.test/".Length..];
    }

    private static HttpRequestMessage Get(string path, string? token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    [Fact]
    public async Task Media_LegacyUnauthenticatedPaths_NotFoundByDefaultAuthenticatedServedWithNosniff()
    {
        var (node, alice, bob) = await StartAsync();
        await using var _node = node;
        // HTML disguised as an image: a browser that sniffed it could run it as a page of the node's origin.
        var html = "<html><script>alert(1)</script></html>"u8.ToArray();
        var mediaId = await UploadAsync(alice, html, "image/png");

        foreach (var legacy in new[] { "/_matrix/media/v3/download", "/_matrix/media/r0/download", "/_matrix/media/v3/thumbnail" })
        {
            var (status, body) = await bob.SendAsync("GET", $"{legacy}/matrix.test/{mediaId}", token: "");
            Assert.True((status, (string?)body["errcode"]) == (404, "M_NOT_FOUND"), $"{legacy}: {status} {body.ToJsonString()}");
        }

        foreach (var path in new[] { "download", "thumbnail" })
        {
            using var request = Get($"/_matrix/client/v1/media/{path}/matrix.test/{mediaId}", bob.Token);
            using var answer = await bob.Raw.SendAsync(request);
            Assert.Equal(200, (int)answer.StatusCode);
            Assert.Equal(html, await answer.Content.ReadAsByteArrayAsync());
            Assert.Equal("nosniff", answer.Headers.GetValues("X-Content-Type-Options").Single());
        }
        using var anonymous = await bob.Raw.SendAsync(Get($"/_matrix/client/v1/media/download/matrix.test/{mediaId}", null));
        Assert.Equal(401, (int)anonymous.StatusCode);
        // Every answer carries it, errors included.
        Assert.Equal("nosniff", anonymous.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Fact]
    public async Task Media_LegacyDownloadsOn_ServedWithoutLoginAndNosniff()
    {
        var (node, alice, bob) = await StartAsync("--Matrix:LegacyMediaDownloads=true");
        await using var _node = node;
        var bytes = Enumerable.Range(0, 300).Select(i => (byte)i).ToArray();
        var mediaId = await UploadAsync(alice, bytes, "application/octet-stream");

        using var answer = await bob.Raw.SendAsync(Get($"/_matrix/media/r0/download/matrix.test/{mediaId}", null));

        Assert.Equal(200, (int)answer.StatusCode);
        Assert.Equal(bytes, await answer.Content.ReadAsByteArrayAsync());
        Assert.Equal("nosniff", answer.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Fact]
    public async Task WellKnown_ForgedHostHeader_BaseUrlFromConfigurationOnly()
    {
        var (node, alice, _) = await StartAsync();
        await using (node)
        {
            using var forged = Get("/.well-known/matrix/client", null);
            forged.Headers.Host = "evil.example";
            using var answer = await alice.Raw.SendAsync(forged);
            var baseUrl = (string)JsonNode.Parse(await answer.Content.ReadAsStringAsync())!["m.homeserver"]!["base_url"]!;
            Assert.Equal($"http://matrix.test:{node.Port("Http:Port")}", baseUrl);
        }

        var (configured, client, _) = await StartAsync("--Matrix:PublicBaseUrl=https://matrix.example.org/");
        await using (configured)
        {
            using var forged = Get("/.well-known/matrix/client", null);
            forged.Headers.Host = "evil.example";
            using var answer = await client.Raw.SendAsync(forged);
            Assert.Equal("https://matrix.example.org", (string)JsonNode.Parse(await answer.Content.ReadAsStringAsync())!["m.homeserver"]!["base_url"]!);
        }
    }
}
