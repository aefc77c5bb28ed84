using static EdgeNode.Interop.Tests.Bridge.BridgeScenario;

namespace EdgeNode.Interop.Tests.Bridge;

/// <summary>
/// Issue 17: what maps between the protocols beyond plain text (XEP-0308 corrections and <c>m.replace</c>, XEP-0461
/// replies and <c>m.in_reply_to</c>, XEP-0444 reactions and <c>m.annotation</c>, XEP-0333 displayed markers and
/// <c>m.read</c> receipts, XEP-0085 chat states and typing, <c>m.emote</c> and "/me ", notices and links), and encrypted messages, which cannot cross: the other side
/// gets one notice per conversation and minute instead, never the ciphertext's fallback text.
/// </summary>
public class XmppMatrixRelationTests
{
    private const string OmemoFallback = "I sent you an OMEMO encrypted message but your client doesn't seem to support that.";

    [Fact]
    public async Task XmppToMatrix_CorrectionReplyReactionsAndDisplayedMarker_BecomeRelationsAndReceipt()
    {
        await using var node = await StartNodeAsync();
        var r = await RunAsync(node, "relations_to_matrix");
        var start = r.Str("start_event");   // alice's first message (XMPP id "first-contact") as a Matrix event
        var bobs = r.Str("bob_event");      // bob's first message, which XMPP clients know by its event id

        // XMPP -> Matrix
        var edit = r.At("edit");
        Assert.Equal(Mxid("alice"), edit.Str("sender"));
        Assert.Equal(start, edit.Str("content", "m.relates_to", "event_id"));
        Assert.Equal("relations start, corrected", edit.Str("content", "m.new_content", "body"));
        Assert.Equal("* relations start, corrected", edit.Str("content", "body"));

        var reply = r.At("reply");
        Assert.Equal(Mxid("alice"), reply.Str("sender"));
        Assert.Equal(bobs, reply.Str("content", "m.relates_to", "m.in_reply_to", "event_id"));

        var reaction = r.At("reaction");
        Assert.Equal(("m.reaction", Mxid("alice")), (reaction.Str("type"), reaction.Str("sender")));
        Assert.Equal("m.annotation", reaction.Str("content", "m.relates_to", "rel_type"));
        Assert.Equal(bobs, reaction.Str("content", "m.relates_to", "event_id"));
        Assert.Equal("\U0001F44D", reaction.Str("content", "m.relates_to", "key"));
        // The key gone from alice's next (empty) set redacts that reaction.
        Assert.Equal(reaction.Str("event_id"), r.Str("unreaction", "redacts"));

        Assert.Equal((bobs, "m.read"), (r.Str("receipt", "event_id"), r.Str("receipt", "type")));
    }

    [Fact]
    public async Task MatrixToXmpp_ReplaceReplyAnnotationAndReadReceipt_BecomeCorrectionReplyReactionsAndDisplayed()
    {
        await using var node = await StartNodeAsync();
        var r = await RunAsync(node, "relations_to_xmpp");
        var bobs = r.Str("bob_event");

        // Relations name alice's own XMPP id, or the event id of bob's messages.
        var aliceEdit = r.At("alice_edit");
        Assert.Equal(Jid("bob"), aliceEdit.Str("from"));
        Assert.Equal(bobs, aliceEdit.Str("replace"));
        Assert.Equal("bob's first, edited", aliceEdit.Str("body"));
        Assert.Equal(r.Str("edit_event"), aliceEdit.Str("id"));

        var aliceReply = r.At("alice_reply");
        Assert.Equal("first-contact", aliceReply.Str("reply", "id"));
        Assert.Equal("replying to alice", aliceReply.Str("body"));

        Assert.Equal("first-contact", r.Str("alice_reaction", "reactions", "id"));
        Assert.Equal(["\U0001F389"], r.Strings("alice_reaction", "reactions", "keys"));
        Assert.Equal("first-contact", r.Str("alice_unreaction", "reactions", "id"));
        Assert.Empty(r.Strings("alice_unreaction", "reactions", "keys"));

        Assert.Equal("first-contact", r.Str("alice_displayed", "displayed"));
    }

    [Fact]
    public async Task ChatStatesAndTyping_MapBothWays()
    {
        await using var node = await StartNodeAsync();
        var r = await RunAsync(node, "typing");

        // Matrix typing -> composing, then a stop state, from bob's bare address; alice's composing/paused -> typing
        // on and off (the scenario waited for each).
        Assert.Equal((Jid("bob"), "chat"), (r.Str("alice_composing", "from"), r.Str("alice_composing", "type")));
        Assert.Equal(Jid("bob"), r.Str("alice_stopped", "from"));
        Assert.True(r.At("typing").GetBoolean());
    }

    [Fact]
    public async Task EmotesNoticesAndLinks_MapBothWays()
    {
        await using var node = await StartNodeAsync();
        var r = await RunAsync(node, "formats");

        Assert.Equal((Jid("bob"), "chat", "/me waves"), (r.Str("alice_emote", "from"), r.Str("alice_emote", "type"), r.Str("alice_emote", "body")));
        Assert.Equal((Jid("bob"), "chat"), (r.Str("alice_notice", "from"), r.Str("alice_notice", "type")));
        Assert.Equal(("m.emote", "nods"), (r.Str("bob_emote", "content", "msgtype"), r.Str("bob_emote", "content", "body")));
        Assert.Equal(Mxid("alice"), r.Str("bob_link", "sender"));
        Assert.Contains(r.Str("url")!, r.Str("bob_link", "content", "body"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EncryptedEitherWay_OtherSideGetsOneNoticePerConversation_NeverTheFallbackText()
    {
        await using var node = await StartNodeAsync();
        var r = await RunAsync(node, "encrypted");

        // Three OMEMO messages from alice within a minute: one m.notice from her, no m.text of the fallback body.
        var room = r.Items("bob_room");
        var notice = $"{Jid("alice")} sent an encrypted message (OMEMO) that Matrix clients cannot read. Open an XMPP client to read it.";
        var notices = room.Where(e => e.Maybe("content", "msgtype") == "m.notice" && (e.Maybe("content", "body") ?? "").Contains("encrypted", StringComparison.Ordinal)).ToArray();
        var only = Assert.Single(notices);
        Assert.Equal((Mxid("alice"), notice), (only.Str("sender"), only.Str("content", "body")));
        Assert.DoesNotContain(room, e => e.Maybe("content", "body") == OmemoFallback);
        Assert.Contains(room, e => e.Maybe("content", "msgtype") == "m.text" && e.Maybe("content", "body") == "after encrypting");

        // Three Megolm events from bob: one chat from bob@domain with the notice text.
        var text = $"{Mxid("bob")} sent an end-to-end encrypted Matrix message that this client cannot read. Open a Matrix client to read it.";
        var told = Assert.Single(r.Items("alice_messages"), m => m.Maybe("body") == text);
        Assert.Equal((Jid("bob"), "chat"), (told.Str("from"), told.Str("type")));
        Assert.Empty(r.Items("alice_errors"));
    }
}
