using EdgeNode.Interop.Tests.Support;

namespace EdgeNode.Interop.Tests.Matrix;

/// <summary>Real Matrix clients against a node: matrix-js-sdk 37.5.0 on Node 20, and Debian's matrix-nio.</summary>
public class MatrixClientTests
{
    private const string Password = "correct horse battery";

    /// <summary>Debian's matrix-nio 0.20 sends the access token in the query string, which the node refuses by default
    /// (without this every request of theirs is 401 M_MISSING_TOKEN).</summary>
    /// <summary>Nothing but the defaults: Debian's matrix-nio 0.20 sends its token in the query string of r0 paths,
    /// which Matrix:AllowQueryTokenOnR0 accepts by default.</summary>
    private static readonly string[] NioSettings = [];

    private static async Task<TestNode> NodeWithAliceAndBob(params string[] settings)
    {
        var node = await TestNode.StartAsync("matrix.test", "127.0.0.1", settings);
        await node.AddUserAsync("alice", Password);
        await node.AddUserAsync("bob", Password);
        return node;
    }

    private static string BaseUrl(TestNode node) => $"http://{node.Address}:{node.Port("Http:Port")}";

    /// <summary>The js folder in the source tree, where test.sh ran `npm ci`.</summary>
    private static string JsFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "EdgeNode.Interop.Tests", "Matrix", "js");
            if (Directory.Exists(candidate)) return candidate;
        }
        Assert.Fail("tests/EdgeNode.Interop.Tests/Matrix/js not found above the test assembly");
        return "";
    }

    [Fact]
    public async Task MatrixJsSdk_TwoUsersInARoom_SeeMessagesTypingReceiptsPresenceRedactionAndHistory()
    {
        var nodeProgram = Peer.Require("node", "nodejs");
        Peer.Require("npm", "npm");
        var folder = JsFolder();
        Assert.True(Directory.Exists(Path.Combine(folder, "node_modules", "matrix-js-sdk")),
            $"matrix-js-sdk is not installed: run `npm ci` in {folder} (./test.sh does)");
        // The script pages through 25 messages alice sends at once: more than Matrix:MessageBurst lets one user send
        // (matrix-js-sdk waits out each 429 and retries, which would take over a minute).
        await using var node = await NodeWithAliceAndBob("--Matrix:MessagesPerSecond=0");
        var result = await Peer.RunAsync(nodeProgram, [Path.Combine(folder, "chat.mjs"), BaseUrl(node), Password], TimeSpan.FromSeconds(120), workingDirectory: folder);
        Assert.True(result.ExitCode == 0, result.ToString());
        foreach (var step in new[] { "login", "invite", "join", "messages", "typing", "receipt", "presence", "redaction", "pagination" })
            Assert.Contains("ok " + step, result.Out);
    }

    [Fact]
    public async Task MatrixNio_LoginJoinSendSync_BothSeeTheOthersMessage()
    {
        Peer.Require(Peer.Python, "python3");
        await using var node = await NodeWithAliceAndBob(NioSettings);
        var result = await Peer.PythonAsync("Matrix/scripts/nio_client.py", [BaseUrl(node), Password, "basic"], TimeSpan.FromSeconds(120));
        Assert.True(result.ExitCode == 0, result.ToString() + "\n(needs the Debian package python3-matrix-nio)");
        Assert.Contains("ok alice to bob", result.Out);
        Assert.Contains("ok bob to alice", result.Out);
    }

    [Fact]
    public async Task MatrixNio_EncryptedRoom_OtherSideDecrypts()
    {
        Peer.Require(Peer.Python, "python3");
        await using var node = await NodeWithAliceAndBob(NioSettings);
        var result = await Peer.PythonAsync("Matrix/scripts/nio_client.py", [BaseUrl(node), Password, "e2ee"], TimeSpan.FromSeconds(180));
        Assert.True(result.ExitCode == 0, result.ToString() + "\n(needs the Debian packages python3-matrix-nio and python3-olm)");
        Assert.Contains("ok alice to bob decrypted", result.Out);
        Assert.Contains("ok bob to alice decrypted", result.Out);
    }

    [Fact]
    public async Task MatrixNio_InviteSomeoneWhoUsesXmppOnly_RoomToldOnceWithTheirAddress()
    {
        Peer.Require(Peer.Python, "python3");
        await using var node = await NodeWithAliceAndBob(NioSettings);
        await node.AddUserAsync("carol", Password);

        var result = await Peer.PythonAsync("Matrix/scripts/nio_client.py", [BaseUrl(node), Password, "xmpponly"], TimeSpan.FromSeconds(120));

        Assert.True(result.ExitCode == 0, result.ToString() + "\n(needs the Debian package python3-matrix-nio)");
        var notices = result.Out.Split('\n').Where(l => l.StartsWith("notice ", StringComparison.Ordinal)).ToList();
        // Three invites of carol (one a repeat while invited, one after a kick) make one notice; bob uses Matrix: none.
        var notice = Assert.Single(notices);
        Assert.Contains("carol uses XMPP only, at carol@matrix.test", notice);
        Assert.DoesNotContain(notices, n => n.Contains("bob", StringComparison.Ordinal));
    }
}
