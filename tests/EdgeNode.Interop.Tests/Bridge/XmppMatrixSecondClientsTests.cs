using System.Text.Json;
using EdgeNode.Interop.Tests.Support;
using static EdgeNode.Interop.Tests.Bridge.BridgeScenario;

namespace EdgeNode.Interop.Tests.Bridge;

/// <summary>
/// Issue 17 with the second implementation on each side: bob in matrix-js-sdk 37.5.0, carol and alice in aioxmpp.
/// bob opens a direct chat with XMPP-only carol and she answers in it; alice writes to bob first from XMPP and he
/// answers in the direct room the node made.
/// </summary>
public class XmppMatrixSecondClientsTests
{
    private static readonly TimeSpan ClientTime = TimeSpan.FromSeconds(150);

    [Fact]
    public async Task MatrixJsSdkAndAioxmpp_DirectChatsStartedFromEitherSide_AnswersCrossInTheSameRoom()
    {
        var nodeProgram = Peer.Require("node", "nodejs");
        var source = SourceFolder();
        var sdkFolder = Path.Combine(source, "Matrix", "js");
        Assert.True(Directory.Exists(Path.Combine(sdkFolder, "node_modules", "matrix-js-sdk")),
            $"matrix-js-sdk is not installed: run `npm ci` in {sdkFolder} (./test.sh does)");
        await using var node = await StartNodeAsync();

        var port = node.Port("Xmpp:C2sPort").ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var xmpp = Peer.Start(Peer.Require(Peer.Python, "python3"),
            [Path.Combine(AppContext.BaseDirectory, "Bridge", "direct_aioxmpp.py"), node.Address, port, Domain, Password]);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!xmpp.Out.Split('\n').Contains("ready"))
        {
            Assert.True(!xmpp.HasExited && DateTime.UtcNow < deadline, $"aioxmpp never got online (needs python3-aioxmpp):\n{xmpp.Out}\n{xmpp.Error}");
            await Task.Delay(20);
        }

        var js = await Peer.RunAsync(nodeProgram, [Path.Combine(source, "Bridge", "direct_chat.mjs"), sdkFolder, MatrixUrl(node), Domain, Password],
            ClientTime, workingDirectory: sdkFolder);
        var xmppResult = await xmpp.WaitAsync(ClientTime);
        Assert.True(js.ExitCode == 0, $"matrix-js-sdk: {js}\naioxmpp: {xmppResult}");
        Assert.True(xmppResult.ExitCode == 0, $"aioxmpp: {xmppResult}\nmatrix-js-sdk: {js}");
        var bob = JsonDocument.Parse(js.Out.Trim().Split('\n')[^1]).RootElement;
        var people = JsonDocument.Parse(xmppResult.Out.Trim().Split('\n')[^1]).RootElement;

        // bob -> carol, and carol's answer in bob's room.
        Assert.Equal((Jid("bob"), "chat", "hello carol, from matrix-js-sdk"),
            (people.Str("carol_got", "from"), people.Str("carol_got", "type"), people.Str("carol_got", "body")));
        Assert.Equal(bob.Str("sent"), people.Str("carol_got", "id"));
        Assert.Equal((Mxid("carol"), bob.Str("room"), "m.text"), (bob.Str("answer", "sender"), bob.Str("answer", "room"), bob.Str("answer", "type")));

        // alice -> bob first: an is_direct invite from @alice, her message in it, bob's answer back to her.
        Assert.Equal(Mxid("alice"), bob.Str("invite", "sender"));
        Assert.True(bob.At("invite", "is_direct").GetBoolean());
        Assert.NotEqual(bob.Str("room"), bob.Str("invite", "room"));
        Assert.Equal((Mxid("alice"), bob.Str("invite", "room"), "m.text"), (bob.Str("first", "sender"), bob.Str("first", "room"), bob.Str("first", "type")));
        Assert.Equal((Jid("bob"), "chat", "hello alice, from matrix-js-sdk"),
            (people.Str("alice_got", "from"), people.Str("alice_got", "type"), people.Str("alice_got", "body")));
        Assert.Equal(bob.Str("reply"), people.Str("alice_got", "id"));
    }
}
