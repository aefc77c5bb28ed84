using EdgeNode.Core.Routing;
using EdgeNode.Xmpp.Stanzas;

namespace EdgeNode.Xmpp.Tests.Stanzas;

/// <summary>XMPP to the neutral model: what another protocol's front-end is told about each extension of a message.</summary>
public class MessageExtensionsTests
{
    private static SeenMessage Route(string children, string attributes = "type='chat' id='m1'")
    {
        var fixture = new RoutingFixture();
        var frontEnd = new RecordingFrontEnd();
        fixture.Router.AddFrontEnd(frontEnd);
        fixture.Route($"<message to='juliet@pi.example' {attributes}>{children}</message>", fixture.Sender);
        return Assert.Single(frontEnd.Messages);
    }

    [Fact]
    public void Handle_PlainChat_IsXmppOriginWithBodyAndNothingElse()
    {
        SeenMessage seen = Route("<body>hi &amp; bye</body>");
        Assert.Equal(StanzaOrigin.Xmpp, seen.Origin);
        Assert.Equal(("romeo@pi.example/orchard", "juliet@pi.example", "m1", "hi & bye"), (seen.From, seen.To, seen.Id, seen.Body));
        Assert.Equal(("romeo@pi.example", "juliet@pi.example"), (seen.FromBare, seen.ToBare));
        Assert.Equal(MessageRelation.None, seen.Relation);
        Assert.Equal(ChatState.None, seen.ChatState);
        Assert.False(seen.Encrypted);
        Assert.Empty(seen.Reactions);
        Assert.Empty(seen.Attachments);
        Assert.Equal("", seen.Thread);
    }

    [Fact]
    public void Handle_Correction_IsReplaceOfTheNamedId()
    {
        SeenMessage seen = Route("<body>fixed</body><replace xmlns='urn:xmpp:message-correct:0' id='old-1'/>");
        Assert.Equal((MessageRelation.Replace, "old-1", "fixed"), (seen.Relation, seen.RelatesTo, seen.Body));
    }

    [Fact]
    public void Handle_Reply_NamesTheMessageAndItsSendersBareAddress()
    {
        SeenMessage seen = Route("<reply xmlns='urn:xmpp:reply:0' to='juliet@pi.example/balcony' id='q&amp;1'/><body>yes</body>");
        Assert.Equal((MessageRelation.Reply, "q&1", "juliet@pi.example"), (seen.Relation, seen.RelatesTo, seen.RelatesToSender));
    }

    [Fact]
    public void Handle_CorrectionWithReply_StaysACorrection()
    {
        SeenMessage seen = Route("<reply xmlns='urn:xmpp:reply:0' to='juliet@pi.example' id='q1'/><body>x</body>"
            + "<replace xmlns='urn:xmpp:message-correct:0' id='old-1'/>");
        Assert.Equal((MessageRelation.Replace, "old-1"), (seen.Relation, seen.RelatesTo));
    }

    [Fact]
    public void Handle_Reactions_GiveTheWholeSetOnce()
    {
        SeenMessage seen = Route("<reactions xmlns='urn:xmpp:reactions:0' id='m7'><reaction>👍</reaction><reaction>❤️</reaction>"
            + "<reaction>👍</reaction></reactions><store xmlns='urn:xmpp:hints'/>");
        Assert.Equal((MessageRelation.Reaction, "m7"), (seen.Relation, seen.RelatesTo));
        Assert.Equal(["👍", "❤️"], seen.Reactions);
    }

    [Fact]
    public void Handle_EmptyReactions_WithdrawAll()
    {
        SeenMessage seen = Route("<reactions xmlns='urn:xmpp:reactions:0' id='m7'/>");
        Assert.Equal(MessageRelation.Reaction, seen.Relation);
        Assert.Empty(seen.Reactions);
    }

    [Fact]
    public void Handle_MalformedReactions_KeepOnlyWellFormedKeys()
    {
        string tooLong = new('x', MessageExtensions.MaxReactionBytes + 1);
        string many = string.Concat(Enumerable.Range(0, 100).Select(i => $"<reaction>r{i}</reaction>"));
        SeenMessage seen = Route($"<reactions xmlns='urn:xmpp:reactions:0' id='m7'><reaction/><reaction>  </reaction><reaction>{tooLong}</reaction>"
            + $"<reaction><b xmlns='x'>no</b></reaction><other>o</other>{many}</reactions>");
        Assert.Equal(MessageExtensions.MaxReactions, seen.Reactions.Length);
        Assert.Equal("r0", seen.Reactions[0]);

        SeenMessage noId = Route("<reactions xmlns='urn:xmpp:reactions:0'><reaction>👍</reaction></reactions>");
        Assert.Equal(MessageRelation.None, noId.Relation);
        Assert.Empty(noId.Reactions);
    }

    [Fact]
    public void Handle_DisplayedMarker_WithoutBody_IsRoutedAsDisplayed()
    {
        SeenMessage seen = Route("<displayed xmlns='urn:xmpp:chat-markers:0' id='m3'/>");
        Assert.Equal((MessageRelation.Displayed, "m3", ""), (seen.Relation, seen.RelatesTo, seen.Body));
    }

    [Theory]
    [InlineData("active", ChatState.Active)]
    [InlineData("composing", ChatState.Composing)]
    [InlineData("paused", ChatState.Paused)]
    [InlineData("inactive", ChatState.Inactive)]
    [InlineData("gone", ChatState.Gone)]
    [InlineData("dancing", ChatState.None)]
    public void Handle_ChatState_IsCarried(string element, ChatState expected)
    {
        SeenMessage seen = Route($"<{element} xmlns='http://jabber.org/protocol/chatstates'/>");
        Assert.Equal(expected, seen.ChatState);
    }

    [Theory]
    [InlineData("<encrypted xmlns='eu.siacs.conversations.axolotl'><header sid='1'/></encrypted>")]
    [InlineData("<encrypted xmlns='urn:xmpp:omemo:2'><header sid='1'/></encrypted>")]
    [InlineData("<openpgp xmlns='urn:xmpp:openpgp:0'>AAAA</openpgp>")]
    [InlineData("<x xmlns='jabber:x:encrypted'>AAAA</x>")]
    [InlineData("<encryption xmlns='urn:xmpp:eme:0' namespace='urn:example' name='Other'/>")]
    public void Handle_EncryptedPayload_IsEncrypted(string payload)
    {
        SeenMessage seen = Route($"<body>I sent you an encrypted message</body>{payload}");
        Assert.True(seen.Encrypted);
    }

    [Fact]
    public void Handle_OutOfBandUrl_IsAnAttachment_OnlyForWebUrls()
    {
        SeenMessage seen = Route("<body>https://up.pi.example/a.jpg</body><x xmlns='jabber:x:oob'><url> https://up.pi.example/a.jpg </url></x>"
            + "<x xmlns='jabber:x:oob'><url>javascript:alert(1)</url></x><x xmlns='jabber:x:oob'><url>not a url</url></x>");
        Assert.Equal(["https://up.pi.example/a.jpg"], seen.Attachments);
    }

    [Fact]
    public void Handle_ThreadAndOriginId_AreCarried()
    {
        SeenMessage seen = Route("<body>b</body><thread>th&amp;1</thread><origin-id xmlns='urn:xmpp:sid:0' id='origin-9'/>");
        Assert.Equal(("th&1", "origin-9"), (seen.Thread, seen.Id));
    }
}
