using System.Text.Json.Nodes;
using EdgeNode.Interop.Tests.Support;
using EdgeNode.Interop.Tests.Xmpp;

namespace EdgeNode.Interop.Tests.Matrix;

/// <summary>
/// A person on XMPP writes to a person on Matrix, on one real node: the first message makes their direct room (an
/// is_direct invite from the sender, listed in m.direct, the message sent by the sender's Matrix user), later ones
/// land in the same room, and a message too large for a Matrix event is refused to the XMPP sender with
/// not-acceptable while the conversation goes on.
/// </summary>
public sealed class PersonRoomInteropTests
{
    [Fact]
    public async Task XmppToMatrix_FirstContact_DirectRoomWithTheMessage_TooLargeRefused_ConversationGoesOn()
    {
        await using var node = await TestNode.StartAsync();
        await node.AddUserAsync("alice", "pw-alice");
        await node.AddUserAsync("bob", "pw-bob");
        using var bob = new MatrixHttp($"http://{node.Address}:{node.Port("Http:Port")}");
        await bob.LoginAsync("bob", "pw-bob");
        var (alice, _) = await RawXmppClient.LoginAsync(node.Address, node.Port("Xmpp:C2sPort"), "alice", "pw-alice");
        await using var _ = alice;

        await alice.SendAsync("<message to='bob@localhost' type='chat' id='x1'><body>hello bob</body></message>");
        var (roomId, invite) = await InviteAsync(bob);
        Assert.Equal("@alice:localhost", (string)invite["sender"]!);
        Assert.True((bool)invite["content"]!["is_direct"]!);
        var direct = await bob.OkAsync("GET", "/_matrix/client/v3/user/@bob:localhost/account_data/m.direct");
        Assert.Equal(roomId, (string)direct["@alice:localhost"]![0]!);

        await bob.OkAsync("POST", $"/_matrix/client/v3/join/{Uri.EscapeDataString(roomId)}", "{}");
        string tooLarge = new('x', 70_000);
        await alice.SendAsync($"<message to='bob@localhost' type='chat' id='x2'><body>{tooLarge}</body></message>");
        string refusal = await alice.ReadUntilAsync("</message>", TimeSpan.FromSeconds(20));
        Assert.Contains("type='error'", refusal.Replace('"', '\''), StringComparison.Ordinal);
        Assert.Contains("not-acceptable", refusal, StringComparison.Ordinal);
        await alice.SendAsync("<message to='bob@localhost' type='chat' id='x3'><body>still here</body></message>");

        var bodies = await MessagesAsync(bob, roomId, count: 2);
        Assert.Equal([("@alice:localhost", "hello bob"), ("@alice:localhost", "still here")], bodies);
    }

    private static async Task<(string RoomId, JsonObject Invite)> InviteAsync(MatrixHttp http)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        string since = "";
        while (true)
        {
            Assert.True(DateTime.UtcNow < deadline, "no invite to a direct room");
            var sync = await http.OkAsync("GET", "/_matrix/client/v3/sync?timeout=2000" + (since.Length > 0 ? "&since=" + since : ""));
            since = (string)sync["next_batch"]!;
            foreach (var (roomId, room) in sync["rooms"]?["invite"]?.AsObject() ?? [])
            {
                var invite = room!["invite_state"]!["events"]!.AsArray().Select(e => e!.AsObject())
                    .FirstOrDefault(e => (string?)e["type"] == "m.room.member" && (string?)e["state_key"] == "@bob:localhost");
                if (invite is not null) return (roomId, invite);
            }
        }
    }

    // Reads the room until it holds count messages, long-polling /sync in between (it returns when the room changes).
    private static async Task<List<(string Sender, string Body)>> MessagesAsync(MatrixHttp http, string roomId, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        string since = (string)(await http.OkAsync("GET", "/_matrix/client/v3/sync"))["next_batch"]!;
        while (true)
        {
            var page = await http.OkAsync("GET", $"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/messages?dir=f&limit=50");
            var bodies = page["chunk"]!.AsArray().Select(e => e!.AsObject()).Where(e => (string?)e["type"] == "m.room.message")
                .Select(e => ((string)e["sender"]!, (string)e["content"]!["body"]!)).ToList();
            if (bodies.Count >= count || DateTime.UtcNow > deadline) return bodies;
            since = (string)(await http.OkAsync("GET", "/_matrix/client/v3/sync?timeout=5000&since=" + since))["next_batch"]!;
        }
    }
}
