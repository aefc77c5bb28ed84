using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using EdgeNode.Interop.Tests.Support;

namespace EdgeNode.Interop.Tests.Matrix;

/// <summary>
/// The client-server API's bounds over real HTTP: to-device queues (delivery across syncs, unknown devices, full
/// queues), per-user media and filter quotas, device addresses that registration must not take, and history visibility.
/// </summary>
public class ClientApiLimitsTests
{
    private const string Password = "correct horse battery";
    private const string V3 = "/_matrix/client/v3";

    private static async Task<(TestNode Node, MatrixHttp Alice, MatrixHttp Bob, string BobDevice)> StartAsync(params string[] settings)
    {
        var node = await TestNode.StartAsync("matrix.test", "127.0.0.1", settings);
        await node.AddUserAsync("alice", Password);
        await node.AddUserAsync("bob", Password);
        var url = $"http://{node.Address}:{node.Port("Http:Port")}";
        var alice = new MatrixHttp(url);
        var bob = new MatrixHttp(url);
        await alice.LoginAsync("alice", Password);
        var login = await bob.OkAsync("POST", V3 + "/login",
            $$"""{"type":"m.login.password","identifier":{"type":"m.id.user","user":"bob"},"password":"{{Password}}"}""");
        bob.Token = (string)login["access_token"]!;
        return (node, alice, bob, (string)login["device_id"]!);
    }

    private static Task SendToDeviceAsync(MatrixHttp from, string txn, string user, string device, int n) =>
        from.OkAsync("PUT", $"{V3}/sendToDevice/org.example.test/{txn}", $"{{\"messages\":{{\"{user}\":{{\"{device}\":{{\"n\":{n}}}}}}}}}");

    /// <summary>Syncs as a client does, each time with the previous next_batch, until a response brings no to-device message.</summary>
    private static async Task<List<int>> ToDeviceNumbersAsync(MatrixHttp who)
    {
        var numbers = new List<int>();
        string? since = null;
        for (var round = 0; round < 10; round++)
        {
            var sync = await who.OkAsync("GET", V3 + "/sync?timeout=0" + (since is null ? "" : "&since=" + Uri.EscapeDataString(since)));
            since = (string)sync["next_batch"]!;
            var events = sync["to_device"]!["events"]!.AsArray();
            if (events.Count == 0) break;
            numbers.AddRange(events.Select(e => (int)e!["content"]!["n"]!));
        }
        return numbers;
    }

    [Fact]
    public async Task ToDevice_MoreThanOneSyncsWorth_EachArrivesOnceAcrossSyncs()
    {
        var (node, alice, bob, device) = await StartAsync();
        await using var _node = node;
        for (var i = 0; i < 150; i++) await SendToDeviceAsync(alice, "k" + i, "@bob:matrix.test", device, i);

        var numbers = await ToDeviceNumbersAsync(bob);

        Assert.Equal(Enumerable.Range(0, 150), numbers);
    }

    [Fact]
    public async Task ToDevice_UnknownDevicesAndAFullQueue_NothingKeptForThem()
    {
        var (node, alice, bob, device) = await StartAsync("--Matrix:MaxPendingToDevicePerDevice=100");
        await using var _node = node;
        await SendToDeviceAsync(alice, "ghost", "@bob:matrix.test", "GHOST", 1);
        await SendToDeviceAsync(alice, "nobody", "@nobody:matrix.test", "ANY", 2);
        for (var i = 0; i < 105; i++) await SendToDeviceAsync(alice, "q" + i, "@bob:matrix.test", device, i);

        // A device that logs in later under the ID the message named finds nothing: it was never queued.
        var ghost = await bob.OkAsync("POST", V3 + "/login",
            $$"""{"type":"m.login.password","identifier":{"type":"m.id.user","user":"bob"},"password":"{{Password}}","device_id":"GHOST"}""");
        using var ghostClient = new MatrixHttp($"http://{node.Address}:{node.Port("Http:Port")}") { Token = (string)ghost["access_token"]! };
        Assert.Empty(await ToDeviceNumbersAsync(ghostClient));
        Assert.Equal(Enumerable.Range(0, 100), await ToDeviceNumbersAsync(bob));
    }

    private static async Task<(int Status, JsonObject Body)> UploadAsync(MatrixHttp who, int size)
    {
        using var content = new ByteArrayContent(new byte[size]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/_matrix/media/v3/upload") { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", who.Token);
        using var answer = await who.Raw.SendAsync(request);
        return ((int)answer.StatusCode, JsonNode.Parse(await answer.Content.ReadAsStringAsync())!.AsObject());
    }

    [Fact]
    public async Task Media_UserQuota_ResourceLimitExceededWithAdminContact()
    {
        var (node, alice, bob, _) = await StartAsync("--Matrix:MaxUploadBytes=2048", "--Matrix:MediaQuotaBytesPerUser=3000",
            "--Matrix:AdminContact=mailto:ops@matrix.test");
        await using var _node = node;
        Assert.Equal(200, (await UploadAsync(alice, 1500)).Status);
        Assert.Equal(200, (await UploadAsync(alice, 1500)).Status);

        var (status, body) = await UploadAsync(alice, 100);
        Assert.Equal((403, "M_RESOURCE_LIMIT_EXCEEDED", "mailto:ops@matrix.test"), (status, (string)body["errcode"]!, (string?)body["admin_contact"]));
        // One file over the size limit is M_TOO_LARGE whatever the quota; other users have their own quota.
        var (tooBig, tooBigBody) = await UploadAsync(bob, 4096);
        Assert.Equal((413, "M_TOO_LARGE"), (tooBig, (string)tooBigBody["errcode"]!));
        Assert.Equal(200, (await UploadAsync(bob, 1500)).Status);
        Assert.Equal(2048, (long)(await alice.OkAsync("GET", "/_matrix/client/v1/media/config"))["m.upload.size"]!);
    }

    [Fact]
    public async Task Filters_PerUserLimit_SameFilterStoredOnceThenResourceLimit()
    {
        var (node, alice, _, _) = await StartAsync("--Matrix:MaxFiltersPerUser=2", "--Node:Admins=alice@matrix.test");
        await using var _node = node;
        var path = V3 + "/user/@alice:matrix.test/filter";
        var first = (string)(await alice.OkAsync("POST", path, """{"room":{"timeline":{"limit":5}}}"""))["filter_id"]!;
        for (var i = 0; i < 3; i++)
            Assert.Equal(first, (string)(await alice.OkAsync("POST", path, """{"room":{"timeline":{"limit":5}}}"""))["filter_id"]!);
        var second = (string)(await alice.OkAsync("POST", path, """{"room":{"timeline":{"limit":6}}}"""))["filter_id"]!;
        Assert.NotEqual(first, second);

        var (status, body) = await alice.SendAsync("POST", path, """{"room":{"timeline":{"limit":7}}}""");

        Assert.Equal((403, "M_RESOURCE_LIMIT_EXCEEDED"), (status, (string)body["errcode"]!));
        // Without Matrix:AdminContact the contact is the node's first administrator.
        Assert.Equal("xmpp:alice@matrix.test", (string?)body["admin_contact"]);
        Assert.Equal(5, (int)(await alice.OkAsync("GET", $"{path}/{first}"))["room"]!["timeline"]!["limit"]!);
    }

    [Fact]
    public async Task Register_NameOfADevice_UserInUse()
    {
        await using var node = await TestNode.StartAsync("matrix.test", "127.0.0.1", "--Matrix:RegistrationTokens=let-me-in",
            "--Devices:Gpio:Chip=simulated", "--Devices:Gpio:Pins:porch:Line=GPIO17");
        using var client = new MatrixHttp($"http://{node.Address}:{node.Port("Http:Port")}");
        // The pin service adds its devices once the host runs; wait for the name to be taken (bounded).
        var (status, body) = (0, new JsonObject());
        for (var i = 0; i < 100 && status != 400; i++)
        {
            (status, body) = await client.SendAsync("GET", V3 + "/register/available?username=porch");
            if (status != 400) await Task.Delay(100);
        }
        Assert.Equal((400, "M_USER_IN_USE"), (status, (string?)body["errcode"]));

        var (taken, takenBody) = await client.SendAsync("POST", V3 + "/register",
            """{"username":"porch","password":"pw porch 1","auth":{"type":"m.login.registration_token","token":"let-me-in"}}""");
        Assert.Equal((400, "M_USER_IN_USE"), (taken, (string)takenBody["errcode"]!));
        var carol = await client.OkAsync("POST", V3 + "/register",
            """{"username":"carol","password":"pw carol 1","auth":{"type":"m.login.registration_token","token":"let-me-in"}}""");
        Assert.Equal("@carol:matrix.test", (string)carol["user_id"]!);
    }

    [Fact]
    public async Task HistoryVisibilityJoined_NewMember_SeesNothingFromBeforeTheirJoin()
    {
        var (node, alice, bob, _) = await StartAsync();
        await using var _node = node;
        var room = (string)(await alice.OkAsync("POST", V3 + "/createRoom",
            """{"preset":"private_chat","initial_state":[{"type":"m.room.history_visibility","state_key":"","content":{"history_visibility":"joined"}}]}"""))["room_id"]!;
        var r = Uri.EscapeDataString(room);
        var secret = (string)(await alice.OkAsync("PUT", $"{V3}/rooms/{r}/send/m.room.message/s1", """{"msgtype":"m.text","body":"before bob"}"""))["event_id"]!;
        await alice.OkAsync("POST", $"{V3}/rooms/{r}/invite", """{"user_id":"@bob:matrix.test"}""");
        await bob.OkAsync("POST", $"{V3}/rooms/{r}/join", "{}");
        var after = (string)(await alice.OkAsync("PUT", $"{V3}/rooms/{r}/send/m.room.message/s2", """{"msgtype":"m.text","body":"after bob"}"""))["event_id"]!;

        static List<string?> Bodies(JsonNode? events) => [.. events!.AsArray().Select(e => (string?)e!["content"]?["body"])];

        var sync = await bob.OkAsync("GET", V3 + "/sync");
        var timeline = Bodies(sync["rooms"]!["join"]![room]!["timeline"]!["events"]);
        Assert.Contains("after bob", timeline);
        Assert.DoesNotContain("before bob", timeline);
        var messages = Bodies((await bob.OkAsync("GET", $"{V3}/rooms/{r}/messages?dir=b&limit=50"))["chunk"]);
        Assert.Contains("after bob", messages);
        Assert.DoesNotContain("before bob", messages);
        Assert.Equal((404, "M_NOT_FOUND"), await ErrorAsync(bob, $"{V3}/rooms/{r}/event/{Uri.EscapeDataString(secret)}"));
        var context = await bob.OkAsync("GET", $"{V3}/rooms/{r}/context/{Uri.EscapeDataString(after)}?limit=20");
        Assert.DoesNotContain("before bob", Bodies(context["events_before"]));
        Assert.Equal((404, "M_NOT_FOUND"), await ErrorAsync(bob, $"{V3}/rooms/{r}/context/{Uri.EscapeDataString(secret)}"));

        // The room's own member sees it all.
        Assert.Contains("before bob", Bodies((await alice.OkAsync("GET", $"{V3}/rooms/{r}/messages?dir=b&limit=50"))["chunk"]));
        Assert.Equal("before bob", (string)(await alice.OkAsync("GET", $"{V3}/rooms/{r}/event/{Uri.EscapeDataString(secret)}"))["content"]!["body"]!);
    }

    private static async Task<(int, string?)> ErrorAsync(MatrixHttp who, string path)
    {
        var (status, body) = await who.SendAsync("GET", path);
        return (status, (string?)body["errcode"]);
    }
}
