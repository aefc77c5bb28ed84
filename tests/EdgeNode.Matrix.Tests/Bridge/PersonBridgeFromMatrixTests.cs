using System.Text.Json.Nodes;
using EdgeNode.Core.Routing;
using EdgeNode.Matrix.Bridge;
using static EdgeNode.Matrix.Tests.Bridge.BridgeNode;

namespace EdgeNode.Matrix.Tests.Bridge;

public class PersonBridgeFromMatrixTests : IDisposable
{
    private readonly BridgeNode _node = new();

    public void Dispose() => _node.Dispose();

    /// <summary>bob opens a direct chat with carol as a Matrix client does: his room, carol invited with is_direct.</summary>
    private string DirectChat(string creator, string invitee)
    {
        var server = _node.Server;
        return server.Write(db =>
        {
            string room = server.Rooms.CreateRoom(db, server.DefaultRoomVersion, creator, new JsonObject());
            server.Actions.SetMembership(db, room, creator, creator, "join");
            server.Actions.SetMembership(db, room, creator, invitee, "invite", isDirect: true);
            return room;
        });
    }

    [Fact]
    public async Task Observe_MatrixUserOpensDirectChat_BecomesPairRoom_MessagesReachXmppAndAnswersComeBack()
    {
        _node.LogIn(Bob);
        var carol = _node.Online("carol@hs.test");
        string room = DirectChat(Bob, Carol);
        Assert.Equal(room, _node.PairRoom(Bob, Carol));

        string eventId = _node.Send(room, Bob, "m.room.message", TextContent("hi carol"));
        var got = Assert.Single(carol.Messages);
        Assert.Equal(("bob@hs.test", "carol@hs.test", eventId, "hi carol", StanzaOrigin.Matrix), (got.From, got.To, got.Id, got.Body, got.Origin));

        // carol answers from XMPP: the same room, not a second one; she is joined by the node and posts as herself.
        Assert.Equal(AccountReach.Kept, await _node.FromXmppAsync("carol@hs.test", "bob@hs.test", "c1", "hi bob"));
        Assert.Equal(room, _node.PairRoom(Bob, Carol));
        Assert.Equal("join", _node.Membership(room, Carol));
        Assert.Equal([(Bob, "hi carol"), (Carol, "hi bob")], _node.Timeline(room).Select(e => (e.Sender, (string)e.Content["body"]!)));
        Assert.Single(carol.Messages);
    }

    [Fact]
    public void Observe_SecondDirectChatOfAPair_FirstStaysThePairsRoom()
    {
        string first = DirectChat(Bob, Carol);
        DirectChat(Carol, Bob);
        Assert.Equal(first, _node.PairRoom(Bob, Carol));
    }

    [Fact]
    public void Observe_RoomWithThreeMembersOrNotDirect_NothingRouted()
    {
        var carol = _node.Online("carol@hs.test");
        var server = _node.Server;
        string group = server.Write(db =>
        {
            string room = server.Rooms.CreateRoom(db, server.DefaultRoomVersion, Bob, new JsonObject());
            server.Actions.SetMembership(db, room, Bob, Bob, "join");
            server.Actions.SetMembership(db, room, Bob, Carol, "invite");
            return room;
        });
        _node.Send(group, Bob, "m.room.message", TextContent("not direct"));
        Assert.Empty(carol.Messages);
    }

    [Fact]
    public void Observe_TwoLocalPeopleInADirectRoomNotYetKnown_AdoptedAndRouted()
    {
        var carol = _node.Online("carol@hs.test");
        string room = DirectChat(Bob, Carol);
        _node.Server.Write(db => db.Execute("DELETE FROM matrix_person_rooms"));
        _node.Send(room, Bob, "m.room.message", TextContent("found again"));
        Assert.Equal("found again", Assert.Single(carol.Messages).Body);
        Assert.Equal(room, _node.PairRoom(Bob, Carol));
    }

    [Fact]
    public void Observe_EmoteNoticeHtmlAndEncrypted_Translated()
    {
        var alice = _node.Online("alice@hs.test");
        string room = DirectChat(Bob, Alice);
        _node.Send(room, Bob, "m.room.message", new JsonObject { ["msgtype"] = "m.emote", ["body"] = "waves" });
        _node.Send(room, Bob, "m.room.message", new JsonObject { ["msgtype"] = "m.notice", ["body"] = "beep" });
        _node.Send(room, Bob, "m.room.message", new JsonObject
        {
            ["msgtype"] = "m.text", ["body"] = "bold", ["format"] = "org.matrix.custom.html", ["formatted_body"] = "<b>bold</b>",
        });
        var encrypted = new JsonObject { ["algorithm"] = "m.megolm.v1.aes-sha2", ["ciphertext"] = "AwgAEn..." };
        _node.Send(room, Bob, "m.room.encrypted", encrypted.DeepClone().AsObject());
        _node.Send(room, Bob, "m.room.encrypted", encrypted.DeepClone().AsObject());
        _node.Time.Advance(TimeSpan.FromMinutes(1));
        _node.Send(room, Bob, "m.room.encrypted", encrypted.DeepClone().AsObject());

        var got = alice.Messages;
        Assert.Equal(("/me waves", false), (got[0].Body, got[0].Notice));
        Assert.Equal(("beep", true), (got[1].Body, got[1].Notice));
        Assert.Equal(("bold", "<b>bold</b>"), (got[2].Body, got[2].FormattedBody));
        Assert.Equal(5, got.Count);
        Assert.All(got.Skip(3), m => Assert.Equal((EncryptedNotices.ForXmpp(Bob), true), (m.Body, m.Encrypted)));
        Assert.StartsWith("@bob:hs.test sent an end-to-end encrypted Matrix message that this client cannot read.", got[3].Body);
    }

    [Fact]
    public async Task Observe_EditReplyReactionsRedactionAndReceipt_RelateByTheIdsXmppKnows()
    {
        _node.LogIn(Bob);
        var alice = _node.Online("alice@hs.test");
        await _node.FromXmppAsync("alice@hs.test", "bob@hs.test", "xmpp-id-1", "from xmpp");
        string room = _node.PairRoom(Alice, Bob)!;
        string fromXmpp = _node.Timeline(room)[0].EventId;
        _node.Server.Write(db => _node.Server.Actions.Join(db, room, Bob));

        string mine = _node.Send(room, Bob, "m.room.message", TextContent("typo"));
        _node.Send(room, Bob, "m.room.message", new JsonObject
        {
            ["msgtype"] = "m.text", ["body"] = "* fixed",
            ["m.new_content"] = new JsonObject { ["msgtype"] = "m.text", ["body"] = "fixed" },
            ["m.relates_to"] = new JsonObject { ["rel_type"] = "m.replace", ["event_id"] = mine },
        });
        _node.Send(room, Bob, "m.room.message", new JsonObject
        {
            ["msgtype"] = "m.text", ["body"] = "> <@alice:hs.test> from xmpp\n\nanswer",
            ["m.relates_to"] = new JsonObject { ["m.in_reply_to"] = new JsonObject { ["event_id"] = fromXmpp } },
        });
        string thumbs = _node.Send(room, Bob, "m.reaction", Annotation(fromXmpp, "👍"));
        _node.Send(room, Bob, "m.reaction", Annotation(fromXmpp, "🎉"));
        _node.Server.Write(db => _node.Server.Actions.Redact(db, room, Bob, thumbs, new JsonObject(), null, null));
        _node.Server.Write(db => EdgeNode.Matrix.Users.Sessions.Create(db, Bob, "X", null, 0));

        var got = alice.Messages;
        Assert.Equal(6, got.Count);
        Assert.Equal((MessageRelation.Replace, mine, "fixed"), (got[1].Relation, got[1].RelatesTo, got[1].Body));
        Assert.Equal((MessageRelation.Reply, "xmpp-id-1", "alice@hs.test", "answer"), (got[2].Relation, got[2].RelatesTo, got[2].RelatesToSender, got[2].Body));
        Assert.Equal((MessageRelation.Reaction, "xmpp-id-1"), (got[3].Relation, got[3].RelatesTo));
        Assert.Equal(["👍"], got[3].Reactions);
        Assert.Equal(["👍", "🎉"], got[4].Reactions);
        Assert.Equal(["🎉"], got[5].Reactions);
        Assert.All(got, m => Assert.Equal(("bob@hs.test", StanzaOrigin.Matrix), (m.From, m.Origin)));
    }

    [Fact]
    public void ReadReceipt_OnTheOtherPersonsMessage_DisplayedMarkerWithItsXmppId()
    {
        var alice = _node.Online("alice@hs.test");
        var bob = _node.Online("bob@hs.test");
        string room = DirectChat(Alice, Bob);
        _node.Server.Write(db => _node.Server.Actions.Join(db, room, Bob));
        string aliceSaid = _node.Send(room, Alice, "m.room.message", TextContent("read me"));
        Assert.Single(bob.Messages);

        _node.Server.Write(db => _node.People.ReadReceipt(db, room, Bob, aliceSaid));
        var marker = Assert.Single(alice.Messages);
        Assert.Equal((MessageRelation.Displayed, aliceSaid, "bob@hs.test"), (marker.Relation, marker.RelatesTo, marker.From));

        // A receipt on one's own message is no displayed marker.
        _node.Server.Write(db => _node.People.ReadReceipt(db, room, Alice, aliceSaid));
        Assert.Single(bob.Messages);
    }

    [Fact]
    public void Observe_SixtyKilobyteBody_ReachesXmppWhole()
    {
        var alice = _node.Online("alice@hs.test");
        string room = DirectChat(Bob, Alice);
        string sixty = string.Concat(Enumerable.Repeat("0123456789abcdef", 60 * 1024 / 16));
        _node.Send(room, Bob, "m.room.message", TextContent(sixty));
        Assert.Equal(sixty, Assert.Single(alice.Messages).Body);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Observe_Image_FileNameAndUrlWhenLegacyDownloadsServeIt(bool legacy)
    {
        using var node = new BridgeNode(("Matrix:LegacyMediaDownloads", legacy ? "true" : "false"));
        var alice = node.Online("alice@hs.test");
        string room = node.Server.Write(db =>
        {
            string r = node.Server.Rooms.CreateRoom(db, node.Server.DefaultRoomVersion, Bob, new JsonObject());
            node.Server.Actions.SetMembership(db, r, Bob, Bob, "join");
            node.Server.Actions.SetMembership(db, r, Bob, Alice, "invite", isDirect: true);
            return r;
        });
        node.Send(room, Bob, "m.room.message", new JsonObject { ["msgtype"] = "m.image", ["body"] = "cat.png", ["url"] = "mxc://hs.test/AbC123" });
        var got = Assert.Single(alice.Messages);
        Assert.Equal("cat.png", got.Body);
        if (legacy) Assert.Equal(node.Server.BaseUrl + "/_matrix/media/v3/download/hs.test/AbC123", Assert.Single(got.Attachments));
        else Assert.Empty(got.Attachments);
    }

    [Fact]
    public void WithoutReplyFallback_QuotedLinesAndMxReply_Dropped()
    {
        Assert.Equal("answer", PersonEvents.WithoutReplyFallback("> <@a:b> one\n> two\n\nanswer"));
        Assert.Equal("answer", PersonEvents.WithoutReplyFallback("<mx-reply><blockquote>x</blockquote></mx-reply>answer"));
        Assert.Equal("plain > text", PersonEvents.WithoutReplyFallback("plain > text"));
    }

    private static JsonObject Annotation(string target, string key) =>
        new() { ["m.relates_to"] = new JsonObject { ["rel_type"] = "m.annotation", ["event_id"] = target, ["key"] = key } };
}
