using System.Text.Json.Nodes;
using EdgeNode.Core.Routing;
using EdgeNode.Matrix.Bridge;
using static EdgeNode.Matrix.Tests.Bridge.BridgeNode;

namespace EdgeNode.Matrix.Tests.Bridge;

public class PersonBridgeFromXmppTests : IDisposable
{
    private readonly BridgeNode _node = new();

    public void Dispose() => _node.Dispose();

    [Fact]
    public async Task Deliver_NeitherUsesMatrix_NotUsedAndNoRoom()
    {
        Assert.Equal(AccountReach.NotUsed, await _node.FromXmppAsync("alice@hs.test", "carol@hs.test", "m1", "hello"));
        Assert.Null(_node.PairRoom(Alice, Carol));
    }

    [Fact]
    public void Deliver_NeitherUsesMatrix_AllocatesNothing()
    {
        _node.LogIn(Bob);
        byte[] from = "alice@hs.test/laptop"u8.ToArray(), to = "carol@hs.test"u8.ToArray(), id = "m1"u8.ToArray(), body = "hello"u8.ToArray();
        var reach = AccountReach.Reached;
        for (int i = 0; i < 100; i++) reach = Deliver(from, to, id, body);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) reach = Deliver(from, to, id, body);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(AccountReach.NotUsed, reach);

        AccountReach Deliver(byte[] from, byte[] to, byte[] id, byte[] body) =>
            _node.People.Deliver(RoutedStanza.Message(MessageType.Chat, from, to, id, body, default), "alice@hs.test", "carol@hs.test");
    }

    [Fact]
    public async Task Deliver_FirstContact_DirectRoomMadeBySenderWithRecipientInvitedAndMessageAsSender()
    {
        _node.LogIn(Bob);

        Assert.Equal(AccountReach.Kept, await _node.FromXmppAsync("alice@hs.test", "bob@hs.test", "m1", "hello bob"));
        Assert.Equal(AccountReach.Kept, await _node.FromXmppAsync("alice@hs.test", "bob@hs.test", "m2", "still there?"));

        string room = _node.PairRoom(Alice, Bob)!;
        Assert.Equal("join", _node.Membership(room, Alice));
        Assert.Equal("invite", _node.Membership(room, Bob));
        var server = _node.Server;
        var invite = server.Read(db => server.Rooms.CurrentStateEvent(db, room, "m.room.member", Bob))!;
        Assert.True((bool)invite.Pdu["content"]!["is_direct"]!);
        Assert.Equal("shared", (string)server.Read(db => server.Rooms.CurrentStateEvent(db, room, "m.room.history_visibility", ""))!.Pdu["content"]!["history_visibility"]!);
        Assert.Equal("invite", (string)server.Read(db => server.Rooms.CurrentStateEvent(db, room, "m.room.join_rules", ""))!.Pdu["content"]!["join_rule"]!);
        foreach (var (user, other) in new[] { (Alice, Bob), (Bob, Alice) })
        {
            var direct = JsonNode.Parse((string)server.Read(db => db.Scalar(
                "SELECT content FROM matrix_account_data WHERE user_id = $u AND type = 'm.direct'", ("$u", user)))!)!;
            Assert.Equal(room, (string)direct[other]![0]!);
        }

        var timeline = _node.Timeline(room);
        Assert.Equal(["hello bob", "still there?"], timeline.Select(e => (string)e.Content["body"]!));
        Assert.All(timeline, e => Assert.Equal((Alice, "m.room.message", "m.text"), (e.Sender, e.Type, (string)e.Content["msgtype"]!)));
        // No notice that bob "uses XMPP only" or the like: the room is the conversation.
        Assert.Equal(2, timeline.Count);
    }

    [Fact]
    public async Task Deliver_RecipientSyncingOrWithinAMinute_ReachedThenKept()
    {
        _node.LogIn(Bob);
        using (_node.People.Syncing(Bob))
        {
            Assert.Equal(AccountReach.Reached, await _node.FromXmppAsync("alice@hs.test", "bob@hs.test", "m1", "one"));
        }

        _node.Time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(AccountReach.Reached, await _node.FromXmppAsync("alice@hs.test", "bob@hs.test", "m2", "two"));
        _node.Time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(AccountReach.Kept, await _node.FromXmppAsync("alice@hs.test", "bob@hs.test", "m3", "three"));
    }

    [Fact]
    public async Task Deliver_OnlySenderUsesMatrix_KeptInHerViewAndRecipientJoinedWhenAnswering()
    {
        _node.LogIn(Alice);
        Assert.Equal(AccountReach.Kept, await _node.FromXmppAsync("alice@hs.test", "carol@hs.test", "a1", "hi carol"));
        string room = _node.PairRoom(Alice, Carol)!;
        Assert.Equal("invite", _node.Membership(room, Carol));

        // carol answers from XMPP: the node joins her to the room first (she was only invited), then posts as her.
        Assert.Equal(AccountReach.Kept, await _node.FromXmppAsync("carol@hs.test", "alice@hs.test", "c1", "hi alice"));
        Assert.Equal("join", _node.Membership(room, Carol));
        Assert.Equal(room, _node.PairRoom(Carol, Alice));
        Assert.Equal([(Alice, "hi carol"), (Carol, "hi alice")], _node.Timeline(room).Select(e => (e.Sender, (string)e.Content["body"]!)));
    }

    [Fact]
    public async Task Deliver_ToUnknownAccountOrChatStateOnly_NotUsed()
    {
        _node.LogIn(Alice);
        Assert.Equal(AccountReach.NotUsed, await _node.FromXmppAsync("alice@hs.test", "nobody@hs.test", "x", "hello?"));
        Assert.Equal(AccountReach.NotUsed, _node.People.Deliver(Chat("alice@hs.test", "bob@hs.test", "", "", state: ChatState.Composing), "alice@hs.test", "bob@hs.test"));
        Assert.Equal(AccountReach.NotUsed, await _node.FromXmppAsync("alice@hs.test", "bob@other.example", "x", "hello"));
        Assert.Null(_node.PairRoom(Alice, Bob));
    }

    [Fact]
    public async Task Deliver_BodyTooLargeForAnEvent_RefusedAndNothingPosted_60KBPassesWhole()
    {
        _node.LogIn(Bob);
        string tooLarge = new('x', RoomStoreLimit - PersonMessage.EnvelopeBytes + 1);
        Assert.Equal(AccountReach.Refused, await _node.FromXmppAsync("alice@hs.test", "bob@hs.test", "big", tooLarge));
        // Quotes are escaped in the event: a body of them counts twice.
        Assert.Equal(AccountReach.Refused, await _node.FromXmppAsync("alice@hs.test", "bob@hs.test", "q", new string('"', 32_000)));
        Assert.Null(_node.PairRoom(Alice, Bob));

        string sixty = string.Concat(Enumerable.Repeat("sixty kilobytes ", 60 * 1024 / 16));
        Assert.Equal(AccountReach.Kept, await _node.FromXmppAsync("alice@hs.test", "bob@hs.test", "sixty", sixty));
        Assert.Equal(sixty, (string)Assert.Single(_node.Timeline(_node.PairRoom(Alice, Bob)!)).Content["body"]!);
    }

    private const int RoomStoreLimit = EdgeNode.Matrix.Rooms.RoomStore.MaxPduBytes;

    [Fact]
    public async Task Deliver_EmoteNoticeAndHtml_MapToMsgtypesAndFormat()
    {
        _node.LogIn(Bob);
        await _node.FromXmppAsync("alice@hs.test", "bob@hs.test", "e", "/me waves");
        await _node.FromXmppAsync("alice@hs.test", "bob@hs.test", "n", "automatic", notice: true);
        await _node.FromXmppAsync("alice@hs.test", "bob@hs.test", "h", "bold", formatted: "<b>bold</b>");
        var contents = _node.Timeline(_node.PairRoom(Alice, Bob)!).Select(e => e.Content).ToList();
        Assert.Equal(("m.emote", "waves"), ((string)contents[0]["msgtype"]!, (string)contents[0]["body"]!));
        Assert.Equal("m.notice", (string)contents[1]["msgtype"]!);
        Assert.Equal(("org.matrix.custom.html", "<b>bold</b>"), ((string)contents[2]["format"]!, (string)contents[2]["formatted_body"]!));
    }

    [Fact]
    public async Task Deliver_CorrectionReplyReactionsAndDisplayed_MapToRelationsAndReceipt()
    {
        _node.LogIn(Bob);
        await _node.FromXmppAsync("alice@hs.test", "bob@hs.test", "orig-1", "helo");
        string room = _node.PairRoom(Alice, Bob)!;
        string original = _node.Timeline(room)[0].EventId;
        _node.Server.Write(db => _node.Server.Actions.Join(db, room, Bob));
        string bobs = _node.Send(room, Bob, "m.room.message", TextContent("from matrix"));

        await _node.FromXmppAsync("alice@hs.test", "bob@hs.test", "fix-1", "hello", relation: MessageRelation.Replace, relatesTo: "orig-1");
        await _node.FromXmppAsync("alice@hs.test", "bob@hs.test", "re-1", "yes", relation: MessageRelation.Reply, relatesTo: bobs);
        await _node.FromXmppAsync("alice@hs.test", "bob@hs.test", "r1", "", relation: MessageRelation.Reaction, relatesTo: bobs, reactions: ["👍", "❤"]);
        await _node.FromXmppAsync("alice@hs.test", "bob@hs.test", "r2", "", relation: MessageRelation.Reaction, relatesTo: bobs, reactions: ["❤"]);
        await _node.FromXmppAsync("alice@hs.test", "bob@hs.test", "d1", "", relation: MessageRelation.Displayed, relatesTo: bobs);

        var timeline = _node.Timeline(room);
        var edit = timeline.Single(e => e.Content["m.new_content"] is not null).Content;
        Assert.Equal("* hello", (string)edit["body"]!);
        Assert.Equal("hello", (string)edit["m.new_content"]!["body"]!);
        Assert.Equal(("m.replace", original), ((string)edit["m.relates_to"]!["rel_type"]!, (string)edit["m.relates_to"]!["event_id"]!));
        var reply = timeline.Single(e => e.Content["body"]?.GetValue<string>() == "yes").Content;
        Assert.Equal(bobs, (string)reply["m.relates_to"]!["m.in_reply_to"]!["event_id"]!);
        var reactions = timeline.Where(e => e.Type == "m.reaction").ToList();
        Assert.Equal([("👍", true), ("❤", false)], reactions.Select(e => ((string)e.Content["m.relates_to"]!["key"]!, e.Redacted)));
        Assert.All(reactions, e => Assert.Equal((Alice, bobs), (e.Sender, (string)e.Content["m.relates_to"]!["event_id"]!)));
        Assert.Equal(bobs, _node.Server.Read(db => db.Scalar(
            "SELECT event_id FROM matrix_receipts WHERE room_id = $r AND user_id = $u AND receipt_type = 'm.read'", ("$r", room), ("$u", Alice))));
    }

    [Fact]
    public async Task Deliver_Encrypted_OneNoticePerMinuteInsteadOfTheCiphertext()
    {
        _node.LogIn(Bob);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(AccountReach.Kept, await _node.FromXmppAsync("alice@hs.test", "bob@hs.test", "o" + i, "I sent you an OMEMO encrypted message", encrypted: true));
        }

        _node.Time.Advance(TimeSpan.FromMinutes(1));
        await _node.FromXmppAsync("alice@hs.test", "bob@hs.test", "o9", "I sent you an OMEMO encrypted message", encrypted: true);

        var timeline = _node.Timeline(_node.PairRoom(Alice, Bob)!);
        Assert.Equal(2, timeline.Count);
        Assert.All(timeline, e => Assert.Equal(("m.notice", EncryptedNotices.ForMatrix("alice@hs.test")), ((string)e.Content["msgtype"]!, (string)e.Content["body"]!)));
        Assert.StartsWith("alice@hs.test sent an encrypted message (OMEMO) that Matrix clients cannot read.", timeline[0].Content["body"]!.GetValue<string>());
    }

    [Fact]
    public async Task Route_FromXmppSession_PostedAndNotRoutedBackToAnyone()
    {
        _node.LogIn(Bob);
        var alice = _node.Online("alice@hs.test");
        var bob = _node.Online("bob@hs.test");
        Assert.Equal(RouteOutcome.Delivered, _node.Router.Route(Chat("alice@hs.test", "bob@hs.test", "m1", "through the router")));
        await _node.People.IdleAsync();

        Assert.Equal("through the router", (string)Assert.Single(_node.Timeline(_node.PairRoom(Alice, Bob)!)).Content["body"]!);
        Assert.Equal("through the router", Assert.Single(bob.Messages).Body);
        Assert.Empty(alice.Messages);
    }
}
