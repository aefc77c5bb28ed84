using EdgeNode.Core.Routing;
using EdgeNode.Xmpp.Streams;

namespace EdgeNode.Xmpp.Tests.Stanzas;

/// <summary>XEP-0280 section 6 eligibility and who gets which copy, through the real message handler and router.</summary>
public class CarbonsTests
{
    private const string Sent = "<sent xmlns='urn:xmpp:carbons:2'>";
    private const string Received = "<received xmlns='urn:xmpp:carbons:2'>";

    private sealed class Scene
    {
        public Scene()
        {
            Fixture = new RoutingFixture();
            Fixture.Recipient.Carbons = true;                          // juliet/balcony, priority 0
            Tablet = Fixture.Connect("juliet@pi.example", "tablet", priority: 5);
            Home = Fixture.Connect("romeo@pi.example", "home", carbons: true);
        }

        public RoutingFixture Fixture { get; }
        public C2sSession Tablet { get; }
        public C2sSession Home { get; }
        public C2sSession Balcony => Fixture.Recipient;

        public RouteOutcome Send(string message) => Fixture.Route(message, Fixture.Sender);
    }

    [Fact]
    public void Route_NormalMessageWithBody_IsCopiedToBothAccountsOtherResources()
    {
        var scene = new Scene();
        Assert.Equal(RouteOutcome.Delivered, scene.Send("<message to='juliet@pi.example' id='n1'><body>a normal note</body></message>"));

        string tablet = RoutingFixture.Drain(scene.Tablet);
        Assert.Contains("<body>a normal note</body>", tablet);
        Assert.DoesNotContain(Received, tablet);

        string balcony = RoutingFixture.Drain(scene.Balcony);
        Assert.StartsWith("<message xmlns='jabber:client' from='juliet@pi.example' to='juliet@pi.example/balcony' type='normal'>" + Received, balcony);
        Assert.Contains("<body>a normal note</body>", balcony);

        string home = RoutingFixture.Drain(scene.Home);
        Assert.StartsWith("<message xmlns='jabber:client' from='romeo@pi.example' to='romeo@pi.example/home' type='normal'>" + Sent, home);
        Assert.Contains("<body>a normal note</body>", home);
    }

    [Fact]
    public void Route_ChatToFullAddress_OtherResourcesGetOneCopyAndTheAddresseeNone()
    {
        var scene = new Scene();
        scene.Tablet.Carbons = true;
        scene.Send("<message to='juliet@pi.example/balcony' type='chat' id='c1'><body>to you only</body></message>");

        string balcony = RoutingFixture.Drain(scene.Balcony);
        Assert.DoesNotContain(Received, balcony);
        Assert.Equal(1, Count(balcony, "to you only"));
        string tablet = RoutingFixture.Drain(scene.Tablet);
        Assert.Contains(Received, tablet);
        Assert.Equal(1, Count(tablet, "to you only"));
        Assert.Contains(Sent, RoutingFixture.Drain(scene.Home));
        Assert.Empty(RoutingFixture.Drain(scene.Fixture.Sender));
    }

    [Theory]
    [InlineData("<message to='juliet@pi.example' id='r1'><received xmlns='urn:xmpp:receipts' id='n1'/></message>")]
    [InlineData("<message to='juliet@pi.example' id='r2'><displayed xmlns='urn:xmpp:chat-markers:0' id='n1'/></message>")]
    [InlineData("<message to='juliet@pi.example' id='r3'><x xmlns='jabber:x:conference' jid='room@muc.pi.example'/></message>")]
    [InlineData("<message to='juliet@pi.example' id='r4'><x xmlns='http://jabber.org/protocol/muc#user'><invite from='romeo@pi.example'/></x></message>")]
    public void Route_InstantMessagingPayloadWithoutBody_IsCopied(string message)
    {
        var scene = new Scene();
        scene.Send(message);
        Assert.Contains(Sent, RoutingFixture.Drain(scene.Home));
    }

    [Theory]
    [InlineData("<message to='juliet@pi.example' id='x1'><subject>no body, nothing for IM</subject></message>")]
    [InlineData("<message to='juliet@pi.example' type='chat' id='x2'><body>secret</body><private xmlns='urn:xmpp:carbons:2'/></message>")]
    [InlineData("<message to='juliet@pi.example' type='chat' id='x3'><body>hint</body><no-copy xmlns='urn:xmpp:hints'/></message>")]
    [InlineData("<message to='juliet@pi.example' type='headline' id='x4'><body>news</body></message>")]
    [InlineData("<message to='juliet@pi.example' type='error' id='x5'><body>bounced</body><error type='cancel'><gone xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>")]
    public void Route_IneligibleMessage_IsNotCopied(string message)
    {
        var scene = new Scene();
        scene.Send(message);
        Assert.Empty(RoutingFixture.Drain(scene.Home));
        Assert.DoesNotContain(Received, RoutingFixture.Drain(scene.Balcony));
    }

    [Fact]
    public void Route_MucPrivateMessage_GetsSentCopiesOnly()
    {
        var scene = new Scene();
        scene.Send("<message to='juliet@pi.example' type='chat' id='pm1'><body>psst</body><x xmlns='http://jabber.org/protocol/muc#user'/></message>");
        Assert.Contains(Sent, RoutingFixture.Drain(scene.Home));
        Assert.DoesNotContain(Received, RoutingFixture.Drain(scene.Balcony));
    }

    [Fact]
    public void Route_CarbonsDisabled_NoCopy()
    {
        var scene = new Scene();
        scene.Home.Carbons = false;
        scene.Balcony.Carbons = false;
        scene.Send("<message to='juliet@pi.example' type='chat' id='c2'><body>plain</body></message>");
        Assert.Empty(RoutingFixture.Drain(scene.Home));
        Assert.Empty(RoutingFixture.Drain(scene.Balcony));
    }

    private static int Count(string text, string part)
    {
        int count = 0;
        for (int at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
