using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using EdgeNode.Interop.Tests.Support;

namespace EdgeNode.Interop.Tests.Matrix;

/// <summary>The client-server API over real HTTP on an in-process node: discovery, auth, errors, bad input, rooms.</summary>
public class ClientApiHttpTests
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
        return room;
    }

    [Fact]
    public async Task Discovery_VersionsWellKnownCapabilities_Answer()
    {
        var (node, alice, _) = await StartAsync();
        await using var _node = node;
        var versions = await alice.OkAsync("GET", "/_matrix/client/versions");
        Assert.Contains("v1.1", versions["versions"]!.AsArray().Select(v => (string)v!));
        var wellKnown = await alice.OkAsync("GET", "/.well-known/matrix/client");
        Assert.StartsWith("http://", (string)wellKnown["m.homeserver"]!["base_url"]!);
        var caps = await alice.OkAsync("GET", V3 + "/capabilities");
        Assert.Equal("12", (string)caps["capabilities"]!["m.room_versions"]!["default"]!);
        var who = await alice.OkAsync("GET", "/_matrix/client/r0/account/whoami");
        Assert.Equal("@alice:matrix.test", (string)who["user_id"]!);
    }

    [Fact]
    public async Task UnknownPathsAndMethods_AnswerUnrecognized()
    {
        var (node, alice, _) = await StartAsync();
        await using var _node = node;
        var (status, body) = await alice.SendAsync("GET", V3 + "/no/such/endpoint");
        Assert.Equal((404, "M_UNRECOGNIZED"), (status, (string)body["errcode"]!));
        (status, body) = await alice.SendAsync("DELETE", V3 + "/sync");
        Assert.Equal((405, "M_UNRECOGNIZED"), (status, (string)body["errcode"]!));
        (status, body) = await alice.SendAsync("GET", V3 + "/room_keys/version");
        Assert.Equal((404, "M_NOT_FOUND"), (status, (string)body["errcode"]!));

        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
        using var tls = new HttpClient(handler);
        var federation = await tls.GetAsync($"https://{node.Address}:{node.Port("Http:FederationPort")}{V3}/account/whoami");
        Assert.Equal(HttpStatusCode.NotFound, federation.StatusCode);
        Assert.Contains("M_UNRECOGNIZED", await federation.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Cors_PreflightAndAnswers_CarryTheHeaders()
    {
        var (node, alice, _) = await StartAsync();
        await using var _node = node;
        using var preflight = new HttpRequestMessage(HttpMethod.Options, V3 + "/sync");
        preflight.Headers.Add("Origin", "https://app.example");
        preflight.Headers.Add("Access-Control-Request-Method", "GET");
        using var answer = await alice.Raw.SendAsync(preflight);
        Assert.True(answer.IsSuccessStatusCode);
        Assert.Equal("*", answer.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("Authorization", answer.Headers.GetValues("Access-Control-Allow-Headers").Single());
        using var versions = await alice.Raw.GetAsync("/_matrix/client/versions");
        Assert.Equal("*", versions.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }

    [Fact]
    public async Task Login_WrongPasswords_ForbiddenThenRateLimited()
    {
        var (node, alice, _) = await StartAsync("--Login:FailuresPerAccount=1");
        await using var _node = node;
        // A client repeating the one wrong password it stored counts once: forbidden every time, never limited.
        var wrong = """{"type":"m.login.password","identifier":{"type":"m.id.user","user":"bob"},"password":"wrong"}""";
        for (var i = 0; i < 4; i++)
        {
            var (status, body) = await alice.SendAsync("POST", V3 + "/login", wrong, token: "");
            Assert.Equal((403, "M_FORBIDDEN"), (status, (string)body["errcode"]!));
        }
        // Different passwords each count; the waits double from one second, so a 429 soon comes.
        JsonObject? limitBody = null;
        for (var i = 0; i < 12 && limitBody is null; i++)
        {
            var (status, body) = await alice.SendAsync("POST", V3 + "/login",
                $$"""{"type":"m.login.password","identifier":{"type":"m.id.user","user":"bob"},"password":"wrong {{i}}"}""", token: "");
            if (status == 429) limitBody = body;
            else Assert.Equal((403, "M_FORBIDDEN"), (status, (string)body["errcode"]!));
        }
        Assert.NotNull(limitBody);
        Assert.Equal("M_LIMIT_EXCEEDED", (string)limitBody["errcode"]!);
        Assert.True((long)limitBody["retry_after_ms"]! >= 1000);
    }

    [Theory]
    [InlineData("bob")]
    [InlineData("@bob:matrix.test")]
    [InlineData("bob@matrix.test")]
    [InlineData("Bob@Matrix.Test")]
    public async Task Login_EveryFormOfTheAccountName_LogsInAsThatUser(string name)
    {
        var (node, alice, _) = await StartAsync();
        await using var _node = node;
        var login = $$"""{"type":"m.login.password","identifier":{"type":"m.id.user","user":"{{name}}"},"password":"{{Password}}"}""";
        var (status, body) = await alice.SendAsync("POST", V3 + "/login", login, token: "");
        Assert.Equal(200, status);
        Assert.Equal("@bob:matrix.test", (string)body["user_id"]!);
    }

    [Fact]
    public async Task Login_AccountFormOfAnotherDomain_Forbidden()
    {
        var (node, alice, _) = await StartAsync();
        await using var _node = node;
        var login = $$"""{"type":"m.login.password","identifier":{"type":"m.id.user","user":"bob@elsewhere.test"},"password":"{{Password}}"}""";
        var (status, body) = await alice.SendAsync("POST", V3 + "/login", login, token: "");
        Assert.Equal((403, "M_FORBIDDEN"), (status, (string)body["errcode"]!));
    }

    [Fact]
    public async Task Logout_TokenNoLongerWorks()
    {
        var (node, alice, _) = await StartAsync();
        await using var _node = node;
        var (missing, missingBody) = await alice.SendAsync("GET", V3 + "/account/whoami", token: "");
        Assert.Equal((401, "M_MISSING_TOKEN"), (missing, (string)missingBody["errcode"]!));
        await alice.OkAsync("POST", V3 + "/logout", "{}");
        var (status, body) = await alice.SendAsync("GET", V3 + "/account/whoami");
        Assert.Equal((401, "M_UNKNOWN_TOKEN"), (status, (string)body["errcode"]!));
        var second = await alice.LoginAsync("alice", Password);
        await alice.LoginAsync("alice", Password);
        await alice.OkAsync("POST", V3 + "/logout/all", "{}");
        Assert.Equal(401, (await alice.SendAsync("GET", V3 + "/account/whoami", token: second)).Status);
    }

    [Fact]
    public async Task Register_DisabledByDefault_OpenWithToken()
    {
        var (node, alice, _) = await StartAsync();
        await using (node)
        {
            var (status, body) = await alice.SendAsync("POST", V3 + "/register", """{"username":"carol","password":"pw carol 1"}""", token: "");
            Assert.Equal((403, "M_FORBIDDEN"), (status, (string)body["errcode"]!));
        }
        var (open, client, _) = await StartAsync("--Matrix:RegistrationTokens=let-me-in");
        await using var _open = open;
        var (challenge, flows) = await client.SendAsync("POST", V3 + "/register", """{"username":"carol","password":"pw carol 1"}""", token: "");
        Assert.Equal(401, challenge);
        Assert.Equal("m.login.registration_token", (string)flows["flows"]![0]!["stages"]![0]!);
        var (bad, _) = await client.SendAsync("POST", V3 + "/register", """{"username":"carol","password":"pw carol 1","auth":{"type":"m.login.registration_token","token":"nope"}}""", token: "");
        Assert.Equal(401, bad);
        var registered = await client.OkAsync("POST", V3 + "/register", """{"username":"carol","password":"pw carol 1","auth":{"type":"m.login.registration_token","token":"let-me-in"}}""");
        Assert.Equal("@carol:matrix.test", (string)registered["user_id"]!);
        await client.LoginAsync("carol", "pw carol 1");
        var (taken, takenBody) = await client.SendAsync("POST", V3 + "/register", """{"username":"carol","password":"pw carol 2","auth":{"type":"m.login.registration_token","token":"let-me-in"}}""");
        Assert.Equal((400, "M_USER_IN_USE"), (taken, (string)takenBody["errcode"]!));
    }

    [Fact]
    public async Task BadInput_RightErrorCodesAndNothingStored()
    {
        var (node, alice, bob) = await StartAsync("--Matrix:MaxRequestBytes=65536");
        await using var _node = node;
        var room = await SharedRoomAsync(alice, bob);
        var r = Uri.EscapeDataString(room);

        async Task Expect(int status, string errcode, MatrixHttp who, string method, string path, string? json)
        {
            var (s, body) = await who.SendAsync(method, path, json);
            Assert.True(s == status && (string?)body["errcode"] == errcode, $"{method} {path}: expected {status} {errcode}, got {s} {body.ToJsonString()}");
        }

        await Expect(400, "M_NOT_JSON", alice, "POST", V3 + "/createRoom", "{\"name\": ");
        await Expect(400, "M_NOT_JSON", alice, "PUT", $"{V3}/rooms/{r}/send/m.room.message/t1", "{\"a\":1,\"a\":2}");
        await Expect(400, "M_BAD_JSON", alice, "POST", V3 + "/createRoom", """{"name":5}""");
        await Expect(400, "M_BAD_JSON", alice, "PUT", $"{V3}/rooms/{r}/send/m.room.message/t2", "[1,2]");
        await Expect(400, "M_BAD_JSON", alice, "PUT", $"{V3}/rooms/{r}/send/m.room.message/t3", """{"body":"x","n":1.5}""");
        await Expect(413, "M_TOO_LARGE", alice, "PUT", $"{V3}/rooms/{r}/send/m.room.message/t4", $$"""{"body":"{{new string('x', 70000)}}"}""");
        await Expect(413, "M_TOO_LARGE", alice, "PUT", $"{V3}/rooms/{r}/send/m.room.message/t5", $$"""{"body":"{{new string('x', 60000)}}","more":"{{new string('y', 6000)}}"}""");
        await Expect(400, "M_INVALID_PARAM", alice, "PUT", $"{V3}/rooms/not-a-room/send/m.room.message/t6", """{"body":"x"}""");
        await Expect(404, "M_NOT_FOUND", alice, "PUT", $"{V3}/rooms/{Uri.EscapeDataString("!nope:matrix.test")}/send/m.room.message/t7", """{"body":"x"}""");
        await Expect(400, "M_INVALID_PARAM", alice, "POST", $"{V3}/rooms/{r}/invite", """{"user_id":"not a user"}""");
        await Expect(400, "M_INVALID_PARAM", alice, "POST", V3 + "/createRoom", """{"invite":["bob"]}""");
        await Expect(404, "M_NOT_FOUND", alice, "POST", $"{V3}/rooms/{r}/invite", """{"user_id":"@nobody:matrix.test"}""");
        await Expect(400, "M_UNSUPPORTED_ROOM_VERSION", alice, "POST", V3 + "/createRoom", """{"room_version":"1"}""");
        // bob is a member at power 0: changing the power levels breaks the authorisation rules.
        await Expect(403, "M_FORBIDDEN", bob, "PUT", $"{V3}/rooms/{r}/state/m.room.power_levels/", """{"users":{"@bob:matrix.test":100}}""");
        await Expect(403, "M_FORBIDDEN", bob, "PUT", $"{V3}/rooms/{r}/state/m.room.name/", """{"name":"bob's now"}""");

        var levels = await alice.OkAsync("GET", $"{V3}/rooms/{r}/state/m.room.power_levels/");
        Assert.Null(levels["users"]!["@bob:matrix.test"]);
        var history = await alice.OkAsync("GET", $"{V3}/rooms/{r}/messages?dir=b&limit=100");
        var events = history["chunk"]!.AsArray();
        Assert.DoesNotContain(events, e => (string?)e!["type"] == "m.room.message");
        Assert.DoesNotContain(events, e => (string?)e!["type"] == "m.room.name");
        Assert.Single(events, e => (string?)e!["type"] == "m.room.power_levels");
        // The node keeps serving after all that.
        await alice.OkAsync("PUT", $"{V3}/rooms/{r}/send/m.room.message/ok1", """{"msgtype":"m.text","body":"still fine"}""");
    }

    [Fact]
    public async Task Send_SameTransactionTwice_OneEvent()
    {
        var (node, alice, bob) = await StartAsync();
        await using var _node = node;
        var r = Uri.EscapeDataString(await SharedRoomAsync(alice, bob));
        var first = await alice.OkAsync("PUT", $"{V3}/rooms/{r}/send/m.room.message/txn-1", """{"msgtype":"m.text","body":"once"}""");
        var again = await alice.OkAsync("PUT", $"/_matrix/client/r0/rooms/{r}/send/m.room.message/txn-1", """{"msgtype":"m.text","body":"once"}""");
        Assert.Equal((string)first["event_id"]!, (string)again["event_id"]!);
        var history = await bob.OkAsync("GET", $"{V3}/rooms/{r}/messages?dir=b&limit=50");
        Assert.Single(history["chunk"]!.AsArray(), e => (string?)e!["content"]?["body"] == "once");
    }

    [Fact]
    public async Task Sync_LongPoll_ReturnsTheNewMessage()
    {
        var (node, alice, bob) = await StartAsync();
        await using var _node = node;
        var room = await SharedRoomAsync(alice, bob);
        var initial = await bob.OkAsync("GET", V3 + "/sync");
        var since = (string)initial["next_batch"]!;
        Assert.NotNull(initial["rooms"]!["join"]![room]);
        var poll = bob.OkAsync("GET", $"{V3}/sync?since={since}&timeout=30000");
        await alice.OkAsync("PUT", $"{V3}/rooms/{Uri.EscapeDataString(room)}/send/m.room.message/lp", """{"msgtype":"m.text","body":"wake up"}""");
        var next = await poll;
        var timeline = next["rooms"]!["join"]![room]!["timeline"]!["events"]!.AsArray();
        Assert.Contains(timeline, e => (string?)e!["content"]?["body"] == "wake up");
        Assert.NotEqual(since, (string)next["next_batch"]!);
    }

    [Fact]
    public async Task Media_UploadAndDownload_AuthenticatedWithLimit()
    {
        var (node, alice, bob) = await StartAsync("--Matrix:MaxUploadBytes=2048");
        await using var _node = node;
        var bytes = Enumerable.Range(0, 1500).Select(i => (byte)i).ToArray();
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        using var upload = new HttpRequestMessage(HttpMethod.Post, "/_matrix/media/v3/upload?filename=a.png") { Content = content };
        upload.Headers.Authorization = new AuthenticationHeaderValue("Bearer", alice.Token);
        using var uploaded = await alice.Raw.SendAsync(upload);
        Assert.Equal(HttpStatusCode.OK, uploaded.StatusCode);
        var uri = (string)JsonNode.Parse(await uploaded.Content.ReadAsStringAsync())!["content_uri"]!;
        Assert.StartsWith("mxc://matrix.test/", uri);
        var mediaId = uri["mxc://matrix.test/".Length..];

        // Downloads without a login are off by default (Matrix:LegacyMediaDownloads; ClientApiAbuseTests has them on).
        Assert.Equal(404, (await bob.SendAsync("GET", $"/_matrix/media/r0/download/matrix.test/{mediaId}", token: "")).Status);
        using var authed = new HttpRequestMessage(HttpMethod.Get, $"/_matrix/client/v1/media/download/matrix.test/{mediaId}");
        authed.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bob.Token);
        using var authedAnswer = await bob.Raw.SendAsync(authed);
        Assert.Equal(bytes, await authedAnswer.Content.ReadAsByteArrayAsync());
        Assert.Equal(401, (await bob.SendAsync("GET", $"/_matrix/client/v1/media/download/matrix.test/{mediaId}", token: "")).Status);

        using var big = new ByteArrayContent(new byte[4096]);
        using var tooBig = new HttpRequestMessage(HttpMethod.Post, "/_matrix/media/v3/upload") { Content = big };
        tooBig.Headers.Authorization = new AuthenticationHeaderValue("Bearer", alice.Token);
        using var refused = await alice.Raw.SendAsync(tooBig);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
        Assert.Contains("M_TOO_LARGE", await refused.Content.ReadAsStringAsync());
        Assert.Equal(2048, (long)(await alice.OkAsync("GET", "/_matrix/client/v1/media/config"))["m.upload.size"]!);
    }

    [Fact]
    public async Task Directory_AliasJoinAndPublicRooms()
    {
        var (node, alice, bob) = await StartAsync();
        await using var _node = node;
        var room = (string)(await alice.OkAsync("POST", V3 + "/createRoom", """{"preset":"public_chat","visibility":"public","room_alias_name":"lobby","name":"Lobby","topic":"hello"}"""))["room_id"]!;
        var alias = Uri.EscapeDataString("#lobby:matrix.test");
        Assert.Equal(room, (string)(await bob.OkAsync("GET", $"{V3}/directory/room/{alias}"))["room_id"]!);
        Assert.Equal(room, (string)(await bob.OkAsync("POST", $"{V3}/join/{alias}", "{}"))["room_id"]!);
        var listed = await bob.OkAsync("GET", V3 + "/publicRooms");
        var entry = listed["chunk"]!.AsArray().Single()!;
        Assert.Equal(("Lobby", "#lobby:matrix.test", 2), ((string)entry["name"]!, (string)entry["canonical_alias"]!, (int)entry["num_joined_members"]!));
        var (status, body) = await bob.SendAsync("POST", V3 + "/createRoom", """{"room_alias_name":"lobby"}""");
        Assert.Equal((400, "M_ROOM_IN_USE"), (status, (string)body["errcode"]!));
        var joined = await bob.OkAsync("GET", V3 + "/joined_rooms");
        Assert.Equal([room], joined["joined_rooms"]!.AsArray().Select(x => (string)x!));
    }

    [Fact]
    public async Task AccountDataProfilePushRules_RoundTrip()
    {
        var (node, alice, bob) = await StartAsync();
        await using var _node = node;
        var room = await SharedRoomAsync(alice, bob);
        await alice.OkAsync("PUT", V3 + "/user/@alice:matrix.test/account_data/org.example.settings", """{"theme":"dark"}""");
        Assert.Equal("dark", (string)(await alice.OkAsync("GET", V3 + "/user/@alice:matrix.test/account_data/org.example.settings"))["theme"]!);
        Assert.Equal(403, (await bob.SendAsync("GET", V3 + "/user/@alice:matrix.test/account_data/org.example.settings")).Status);
        await alice.OkAsync("PUT", $"{V3}/user/@alice:matrix.test/rooms/{Uri.EscapeDataString(room)}/account_data/m.tag", """{"tags":{"u.work":{}}}""");
        var sync = await alice.OkAsync("GET", V3 + "/sync");
        Assert.Contains(sync["account_data"]!["events"]!.AsArray(), e => (string?)e!["type"] == "org.example.settings");
        Assert.Contains(sync["rooms"]!["join"]![room]!["account_data"]!["events"]!.AsArray(), e => (string?)e!["type"] == "m.tag");

        await alice.OkAsync("PUT", V3 + "/profile/@alice:matrix.test/displayname", """{"displayname":"Alice A."}""");
        Assert.Equal("Alice A.", (string)(await bob.OkAsync("GET", V3 + "/profile/@alice:matrix.test"))["displayname"]!);
        var members = await bob.OkAsync("GET", $"{V3}/rooms/{Uri.EscapeDataString(room)}/joined_members");
        Assert.Equal("Alice A.", (string)members["joined"]!["@alice:matrix.test"]!["display_name"]!);

        var rules = await alice.OkAsync("GET", V3 + "/pushrules/");
        Assert.Contains(rules["global"]!["override"]!.AsArray(), r => (string?)r!["rule_id"] == ".m.rule.master");
        Assert.Empty((await alice.OkAsync("GET", V3 + "/pushers"))["pushers"]!.AsArray());
    }
}
