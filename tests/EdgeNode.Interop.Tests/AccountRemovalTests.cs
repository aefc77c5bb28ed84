using EdgeNode.Interop.Tests.Matrix;
using EdgeNode.Interop.Tests.Support;
using EdgeNode.Interop.Tests.Xmpp;

namespace EdgeNode.Interop.Tests;

/// <summary>
/// Removing an account ends it everywhere at once: its other XMPP connections, its Matrix tokens and room
/// memberships, its place in other people's rosters; whichever door the removal came through.
/// </summary>
public class AccountRemovalTests
{
    private const string V3 = "/_matrix/client/v3";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private sealed record Scene(TestNode Node, MatrixHttp AliceMatrix, MatrixHttp BobMatrix, string Room, RawXmppClient Bob) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            AliceMatrix.Dispose();
            BobMatrix.Dispose();
            await Bob.DisposeAsync();
            await Node.DisposeAsync();
        }
    }

    /// <summary>Alice and Bob share a Matrix room, and Bob has Alice in his XMPP roster with his roster loaded.</summary>
    private static async Task<Scene> SceneAsync()
    {
        var node = await TestNode.StartAsync();
        await node.AddUserAsync("alice", "pw-alice");
        await node.AddUserAsync("bob", "pw-bob");
        string url = $"http://{node.Address}:{node.Port("Http:Port")}";
        var aliceMatrix = new MatrixHttp(url);
        var bobMatrix = new MatrixHttp(url);
        await aliceMatrix.LoginAsync("alice", "pw-alice");
        await bobMatrix.LoginAsync("bob", "pw-bob");
        string room = (string)(await aliceMatrix.OkAsync("POST", V3 + "/createRoom", """{"preset":"private_chat","invite":["@bob:localhost"]}"""))["room_id"]!;
        await bobMatrix.OkAsync("POST", $"{V3}/rooms/{room}/join", "{}");

        var (bob, _) = await RawXmppClient.LoginAsync(node.Address, node.Port("Xmpp:C2sPort"), "bob", "pw-bob", "desk");
        await bob.SendAsync("<iq type='set' id='r1'><query xmlns='jabber:iq:roster'><item jid='alice@localhost' name='Alice'/></query></iq>");
        await bob.ReadUntilAsync("id='r1'");
        await bob.SendAsync("<iq type='get' id='r2'><query xmlns='jabber:iq:roster'/></iq>");
        await bob.ReadUntilAsync("id='r2'");
        return new Scene(node, aliceMatrix, bobMatrix, room, bob);
    }

    private static async Task AssertAliceIsGoneAsync(Scene scene)
    {
        var (status, body) = await scene.AliceMatrix.SendAsync("GET", V3 + "/account/whoami");
        Assert.Equal((401, "M_UNKNOWN_TOKEN"), (status, (string)body["errcode"]!));
        var member = await scene.BobMatrix.OkAsync("GET", $"{V3}/rooms/{scene.Room}/state/m.room.member/@alice:localhost");
        Assert.Equal("leave", (string)member["membership"]!);
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            RawXmppClient.LoginAsync(scene.Node.Address, scene.Node.Port("Xmpp:C2sPort"), "alice", "pw-alice"));
        // Bob is still served.
        await scene.Bob.PingAsync("still-here");
    }

    [Fact]
    public async Task InBandRemoval_EndsTheOtherSessionsTellsContactsAndLeavesRooms()
    {
        await using var scene = await SceneAsync();
        int port = scene.Node.Port("Xmpp:C2sPort");
        var (phone, _) = await RawXmppClient.LoginAsync(scene.Node.Address, port, "alice", "pw-alice", "phone");
        await using var _phone = phone;
        var (laptop, _) = await RawXmppClient.LoginAsync(scene.Node.Address, port, "alice", "pw-alice", "laptop");
        await using var _laptop = laptop;

        await laptop.SendAsync("<iq type='set' id='rm1'><query xmlns='jabber:iq:register'><remove/></query></iq>");
        string answer = await laptop.ReadToCloseAsync(Wait);
        Assert.Matches("<iq[^>]*(type='result'[^>]*id='rm1'|id='rm1'[^>]*type='result')", answer);

        Assert.Contains("<not-authorized", await phone.ReadToCloseAsync(Wait));
        string push = await scene.Bob.ReadUntilAsync("subscription='remove'", Wait);
        Assert.Contains("jid='alice@localhost'", push);
        await AssertAliceIsGoneAsync(scene);
    }

    [Fact]
    public async Task MatrixDeactivation_RemovesTheXmppAccountToo()
    {
        await using var scene = await SceneAsync();
        var (alice, _) = await RawXmppClient.LoginAsync(scene.Node.Address, scene.Node.Port("Xmpp:C2sPort"), "alice", "pw-alice", "phone");
        await using var _alice = alice;

        var (challenge, _) = await scene.AliceMatrix.SendAsync("POST", V3 + "/account/deactivate", "{}");
        Assert.Equal(401, challenge);
        var done = await scene.AliceMatrix.OkAsync("POST", V3 + "/account/deactivate",
            """{"auth":{"type":"m.login.password","identifier":{"type":"m.id.user","user":"alice"},"password":"pw-alice"}}""");
        Assert.Equal("no-support", (string)done["id_server_unbind_result"]!);

        Assert.Contains("<not-authorized", await alice.ReadToCloseAsync(Wait));
        await AssertAliceIsGoneAsync(scene);
    }

    [Fact]
    public async Task CommandLineRemovalWhileRunning_TheNodeEndsWhatIsLive()
    {
        await using var scene = await SceneAsync();
        var (alice, _) = await RawXmppClient.LoginAsync(scene.Node.Address, scene.Node.Port("Xmpp:C2sPort"), "alice", "pw-alice", "phone");
        await using var _alice = alice;

        var removed = await scene.Node.VerbAsync("", "user", "remove", "alice@localhost");
        Assert.Equal(0, removed.ExitCode);

        // The node's sweep notices within seconds.
        Assert.Contains("<not-authorized", await alice.ReadToCloseAsync(Wait));
        for (int i = 0; i < 100; i++)
        {
            var member = await scene.BobMatrix.OkAsync("GET", $"{V3}/rooms/{scene.Room}/state/m.room.member/@alice:localhost");
            if ((string)member["membership"]! == "leave") break;
            await Task.Delay(100);
        }

        await AssertAliceIsGoneAsync(scene);
    }
}
