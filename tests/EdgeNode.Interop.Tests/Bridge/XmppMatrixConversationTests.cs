using System.Text.Json;
using static EdgeNode.Interop.Tests.Bridge.BridgeScenario;

namespace EdgeNode.Interop.Tests.Bridge;

/// <summary>
/// Issue 17, "XMPP &lt;-&gt; Matrix, one node": an XMPP person (slixmpp) and a Matrix person (matrix-nio) of the same
/// node are one conversation: a direct room made on first contact from either side and found again, the person on
/// both protocols seeing every message once on each client, and the offline store used only when no client had it.
/// </summary>
public class XmppMatrixConversationTests
{
    [Fact]
    public async Task XmppToMatrix_FirstContact_CreatesDirectRoomInBothMDirect_AndTheAnswerComesBackAsChatFromBareAddress()
    {
        await using var node = await StartNodeAsync();
        var r = await RunAsync(node, "xmpp_first");

        var room = r.Str("invite", "room")!;
        Assert.Equal(Mxid("alice"), r.Str("invite", "sender"));
        Assert.True(r.At("invite", "is_direct").GetBoolean());

        var message = r.At("message");
        Assert.Equal("m.room.message", message.Str("type"));
        Assert.Equal(Mxid("alice"), message.Str("sender"));
        Assert.Equal("m.text", message.Str("content", "msgtype"));
        Assert.Equal("hello bob, from XMPP", message.Str("content", "body"));

        Assert.Contains(room, r.Strings("bob_direct", Mxid("alice")));
        Assert.Contains(room, r.Strings("alice_direct", Mxid("bob")));

        // The room: invite-only, history shared, alice joined (the node made it as her), bob joined now.
        Assert.Equal(200, r.At("room_state_status").GetInt32());
        var state = r.Items("room_state");
        Assert.Equal("invite", StateContent(state, "m.room.join_rules", "").Str("join_rule"));
        Assert.Equal("shared", StateContent(state, "m.room.history_visibility", "").Str("history_visibility"));
        Assert.Equal("join", StateContent(state, "m.room.member", Mxid("alice")).Str("membership"));
        Assert.Equal("join", StateContent(state, "m.room.member", Mxid("bob")).Str("membership"));

        // Bob's answer reaches alice as a chat from the bare address, its id the Matrix event id.
        var got = r.At("alice_got");
        Assert.Equal(Jid("bob"), got.Str("from"));
        Assert.Equal("chat", got.Str("type"));
        Assert.Equal(r.Str("answer_event_id"), got.Str("id"));

        // Found again, not duplicated: the second exchange is in the same room, and bob was invited once.
        Assert.Equal(room, r.Str("second_room"));
        Assert.Single(r.Items("bob_invites"));
        Assert.Equal([room], r.Strings("bob_joined_rooms"));
        var senders = r.Items("alice_room_messages").Where(m => m.Maybe("content", "msgtype") == "m.text").Select(m => (m.Str("sender"), m.Str("content", "body"))).ToArray();
        Assert.Equal([(Mxid("alice"), "hello bob, from XMPP"), (Mxid("bob"), "hello alice, from Matrix"),
            (Mxid("alice"), "second from XMPP"), (Mxid("bob"), "second from Matrix")], senders);
    }

    [Fact]
    public async Task MatrixToXmpp_BobOpensDirectChatWithXmppOnlyCarol_HerAnswersAppearInThatRoomSentByHer()
    {
        await using var node = await StartNodeAsync();
        var r = await RunAsync(node, "matrix_first");

        var room = r.Str("room")!;
        var got = r.At("carol_got");
        Assert.Equal(Jid("bob"), got.Str("from"));
        Assert.Equal("chat", got.Str("type"));
        Assert.Equal("hello carol, from Matrix", got.Str("body"));
        Assert.Equal(r.Str("sent_event_id"), got.Str("id"));

        var answer = r.At("answer");
        Assert.Equal("m.room.message", answer.Str("type"));
        Assert.Equal(Mxid("carol"), answer.Str("sender"));
        Assert.Equal("m.text", answer.Str("content", "msgtype"));
        Assert.Equal(room, r.Str("answer_room"));
        Assert.Equal(room, r.Str("again_room"));

        // No second room: bob got no invite, carol (joined by the node for her) is in this one room only.
        Assert.Empty(r.Items("bob_invites"));
        Assert.Equal([room], r.Strings("bob_joined_rooms"));
        Assert.Contains(Mxid("carol"), r.Strings("members"));
        Assert.Equal([room], r.Strings("carol_joined_rooms"));
    }

    [Fact]
    public async Task OnePersonOnBothProtocols_TwoXmppResourcesAndTwoMatrixDevices_EachClientSeesEachMessageOnce()
    {
        await using var node = await StartNodeAsync();
        var r = await RunAsync(node, "both_protocols");
        var seen = r.At("seen");

        // XMPP: what reaches alice arrives on both resources; her own messages from elsewhere come as sent carbons.
        Assert.Equal(["direct"], seen.Strings("phone", "b1 from bob"));
        Assert.Empty(seen.Strings("phone", "a1 from phone"));
        Assert.Equal(["sent"], seen.Strings("phone", "a2 from dev1"));
        Assert.Equal(["direct"], seen.Strings("phone", "fence from bob"));
        Assert.Equal(["direct"], seen.Strings("laptop", "b1 from bob"));
        Assert.Equal(["sent"], seen.Strings("laptop", "a1 from phone"));
        Assert.Equal(["sent"], seen.Strings("laptop", "a2 from dev1"));
        Assert.Equal(["direct"], seen.Strings("laptop", "fence from bob"));

        // bob (XMPP only) gets alice's messages once, whichever protocol she wrote them on.
        Assert.Equal(["direct"], seen.Strings("bob", "a1 from phone"));
        Assert.Equal(["direct"], seen.Strings("bob", "a2 from dev1"));
        Assert.Equal([Jid("alice")], seen.Strings("bob_from", "a2 from dev1"));
        Assert.Empty(seen.Strings("bob", "b1 from bob"));

        // Matrix: both devices see every message once in the one direct room, alice's as sent by her.
        foreach (var device in new[] { "dev1", "dev2" })
        {
            Assert.Equal([Mxid("bob")], seen.Strings(device, "b1 from bob"));
            Assert.Equal([Mxid("alice")], seen.Strings(device, "a1 from phone"));
            Assert.Equal([Mxid("alice")], seen.Strings(device, "a2 from dev1"));
            Assert.Equal([Mxid("bob")], seen.Strings(device, "fence from bob"));
            Assert.Equal([r.Str("room")!], seen.Strings(device + "_rooms"));
        }
        Assert.Single(r.Items("dev1_invites"));
    }

    [Fact]
    public async Task OfflineOnXmpp_OfflineStoreOnlyWhenNoMatrixClientHadIt_AndNothingDoubles()
    {
        await using var node = await StartNodeAsync();
        var r = await RunAsync(node, "offline");

        // (Offline messages and a live one sent at log-in may arrive in either order: compared as sets, each once.)
        // bob has a Matrix device that is not syncing: the room keeps the message, and so does the offline store.
        Assert.Equal(["fence for bob", "k1 for bob"], r.Strings("bob_xmpp").Order());
        Assert.Equal(1, r.Strings("bob_matrix").Count(b => b == "k1 for bob"));
        // carol's Matrix client was syncing: it reached her there, no offline copy.
        Assert.Equal(["fence for carol"], r.Strings("carol_xmpp"));
        Assert.Equal(1, r.Strings("carol_matrix").Count(b => b == "r1 for carol"));
        // dave and alice use XMPP only: the offline store as between any two XMPP users.
        Assert.Equal(["fence for dave", "n1 for dave"], r.Strings("dave_xmpp").Order());
        Assert.Empty(r.Items("alice_errors"));
    }

    [Fact]
    public async Task OfflineStoreFull_MessageStillInTheMatrixRoom_AndTheSenderGetsNoError()
    {
        await using var node = await StartNodeAsync("--Xmpp:OfflineQuotaPerSender=1");
        var r = await RunAsync(node, "store_full");

        // The quota bites between XMPP users (dave's second message is refused) ...
        var error = Assert.Single(r.Items("alice_errors"));
        Assert.Equal("d2", error.Str("id"));
        Assert.Contains("service-unavailable", error.Strings("error", "conditions"));
        // ... while bob's second, which the offline store refused too, is kept by his Matrix room.
        Assert.Equal(["fence for bob", "q1 for bob"], r.Strings("bob_xmpp").Order());
        var matrix = r.Strings("bob_matrix");
        Assert.Equal(1, matrix.Count(b => b == "q1 for bob"));
        Assert.Equal(1, matrix.Count(b => b == "q2 for bob"));
    }

    private static JsonElement StateContent(JsonElement[] state, string type, string stateKey)
    {
        var found = state.FirstOrDefault(e => e.Str("type") == type && e.Str("state_key") == stateKey);
        Assert.True(found.ValueKind == JsonValueKind.Object, $"no {type} '{stateKey}' in the room state");
        return found.At("content");
    }
}
