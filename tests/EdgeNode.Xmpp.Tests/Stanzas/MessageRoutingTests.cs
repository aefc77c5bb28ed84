using System.Text;
using EdgeNode.Core.Routing;
using EdgeNode.Xmpp.Stanzas;
using Microsoft.Extensions.Time.Testing;

namespace EdgeNode.Xmpp.Tests.Stanzas;

public class MessageRoutingTests
{
    [Fact]
    public void Handle_MessageToOnlineSession_ArrivesStampedAndStandalone()
    {
        var fixture = new RoutingFixture();
        Assert.Equal(RouteOutcome.Delivered, fixture.ParseAndRoute(fixture.Single));
        string delivered = Encoding.UTF8.GetString(fixture.DrainRecipient());
        Assert.Equal(
            "<message xmlns='jabber:client' to='juliet@pi.example' type='chat' id='m1' xml:lang='en' from='romeo@pi.example/orchard'>"
            + "<body>Wherefore art thou, Romeo? &lt;3</body><thread>t1</thread>"
            + "<active xmlns='http://jabber.org/protocol/chatstates'/></message>", delivered);
    }

    [Fact]
    public void Handle_SplitAcrossTwoSegments_DeliversTheSameBytes()
    {
        var fixture = new RoutingFixture();
        fixture.ParseAndRoute(fixture.Single);
        byte[] whole = fixture.DrainRecipient().ToArray();
        fixture.ParseAndRoute(fixture.Split);
        Assert.Equal(whole, fixture.DrainRecipient().ToArray());
    }

    /// <summary>
    /// The allocation gate: after warm-up, 10,000 message stanzas parsed, counted against the sender's rate limits
    /// (as every client session's are) and routed to an online local session allocate nothing on the routing thread
    /// (whole and split buffers alike).
    /// </summary>
    // Fully optimised from the start: as tier-0 code its measured loop could be replaced on the stack (OSR)
    // mid-run, an allocation of the runtime's own that is not the routing path's.
    [Fact]
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void ParseAndRoute_TenThousandMessagesAfterWarmUp_AllocatesZeroBytes()
    {
        var fixture = new RoutingFixture();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 0, 0, 0, TimeSpan.Zero));
        var limit = new MessageRateLimit(1_000_000, 1_000_000, new PairRateTable(1_000_000, 1_000_000, clock), clock,
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, "192.0.2.1");
        for (int i = 0; i < 200; i++)
        {
            fixture.ParseAndRoute(fixture.Single, limit);
            fixture.ParseAndRoute(fixture.Split, limit);
            fixture.DrainRecipient();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        int delivered = 0;
        for (int i = 0; i < 5_000; i++)
        {
            delivered += fixture.ParseAndRoute(fixture.Single, limit) == RouteOutcome.Delivered ? 1 : 0;
            delivered += fixture.ParseAndRoute(fixture.Split, limit) == RouteOutcome.Delivered ? 1 : 0;
            fixture.DrainRecipient();
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(10_000, delivered);
        Assert.Equal(0, allocated);
    }

    /// <summary>
    /// The gate for a bodiless chat state (typing notifications are most of a chat's traffic), with an account-wide
    /// front-end registered that does not use the conversation: reading its children for the neutral model and
    /// handing it to the front-end allocate nothing either.
    /// </summary>
    [Fact]
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void ParseAndRoute_ChatStateOnlyAfterWarmUp_AllocatesZeroBytes()
    {
        var fixture = new RoutingFixture();
        fixture.Router.AddFrontEnd(new SilentFrontEnd());
        byte[] composing = Encoding.UTF8.GetBytes("<message to='juliet@pi.example' type='chat' id='c1'>"
            + "<composing xmlns='http://jabber.org/protocol/chatstates'/><thread>t1</thread></message>");
        var single = new System.Buffers.ReadOnlySequence<byte>(composing);
        for (int i = 0; i < 200; i++)
        {
            fixture.ParseAndRoute(single);
            fixture.ParseAndRoute(fixture.Single);
            fixture.DrainRecipient();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        int delivered = 0;
        for (int i = 0; i < 5_000; i++)
        {
            delivered += fixture.ParseAndRoute(single) == RouteOutcome.Delivered ? 1 : 0;
            delivered += fixture.ParseAndRoute(fixture.Single) == RouteOutcome.Delivered ? 1 : 0;
            fixture.DrainRecipient();
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(10_000, delivered);
        Assert.Equal(0, allocated);
    }

    private sealed class SilentFrontEnd : IAccountFrontEnd
    {
        public StanzaOrigin Protocol => StanzaOrigin.Matrix;

        public AccountReach Deliver(in RoutedStanza stanza, ReadOnlySpan<char> fromBare, ReadOnlySpan<char> toBare) =>
            stanza.ChatState is ChatState.Composing or ChatState.Active && !stanza.Encrypted ? AccountReach.NotUsed : AccountReach.Refused;

        public void ShowPresence(AccountPresence presence)
        {
        }

        public bool ShareConversation(string bareA, string bareB) => false;
    }
}
