using System.Text;
using EdgeNode.Core.Routing;

using EdgeNode.Xmpp.Routing;

namespace EdgeNode.Xmpp.Tests.Routing;

/// <summary>RFC 6121 section 8 delivery rules as the XMPP library hands them to the router, and the router's session registry.</summary>
public class XmppSessionRulesTests
{
    private readonly Router _router = new("pi.example");
    private readonly FakeOffline _offline = new();

    public XmppSessionRulesTests()
    {
        _router.UseSessionRules(new XmppSessionRules(_offline, new FakeAccounts("alice@pi.example", "bob@pi.example")));
    }

    private RouteOutcome Message(string to, MessageType type = MessageType.Chat, string body = "hi", IRouteTarget? sender = null, bool copies = true) =>
        _router.Route(RoutedStanza.Message(type, "x@pi.example/r"u8, Encoding.UTF8.GetBytes(to), "m1"u8, Encoding.UTF8.GetBytes(body),
            Encoding.UTF8.GetBytes($"<message to='{to}'><body>{body}</body></message>")), sender, copies);

    [Fact]
    public void Route_BareAddress_GoesToHighestNonNegativePriority()
    {
        var low = Add(new FakeTarget("alice@pi.example", "low", priority: 1));
        var high = Add(new FakeTarget("alice@pi.example", "high", priority: 5));
        Assert.Equal(RouteOutcome.Delivered, Message("alice@pi.example"));
        Assert.Single(high.Delivered);
        Assert.Empty(low.Delivered);
    }

    [Fact]
    public void Route_BareAddressTiedPriorities_GoesToAll()
    {
        var one = Add(new FakeTarget("alice@pi.example", "one", priority: 3));
        var two = Add(new FakeTarget("alice@pi.example", "two", priority: 3));
        Message("alice@pi.example");
        Assert.Single(one.Delivered);
        Assert.Single(two.Delivered);
    }

    [Fact]
    public void Route_BareAddressCaseFolded_FindsTheSession()
    {
        var target = Add(new FakeTarget("alice@pi.example", "r"));
        Assert.Equal(RouteOutcome.Delivered, Message("Alice@PI.Example."));
        Assert.Single(target.Delivered);
    }

    [Fact]
    public void Route_OnlyNegativePriority_StoresOffline()
    {
        var negative = Add(new FakeTarget("alice@pi.example", "r", priority: -1));
        Assert.Equal(RouteOutcome.StoredOffline, Message("alice@pi.example"));
        Assert.Empty(negative.Delivered);
        Assert.Single(_offline.Stored);
    }

    [Fact]
    public void Route_FullAddressWithNegativePriority_IsDelivered()
    {
        var negative = Add(new FakeTarget("alice@pi.example", "r", priority: -5));
        Assert.Equal(RouteOutcome.Delivered, Message("alice@pi.example/r"));
        Assert.Single(negative.Delivered);
    }

    [Fact]
    public void Route_UnavailableSessionOnly_StoresOffline()
    {
        Add(new FakeTarget("alice@pi.example", "r", available: false));
        Assert.Equal(RouteOutcome.StoredOffline, Message("alice@pi.example"));
    }

    [Theory]
    [InlineData(MessageType.Chat, RouteOutcome.StoredOffline)]
    [InlineData(MessageType.Normal, RouteOutcome.StoredOffline)]
    [InlineData(MessageType.Groupchat, RouteOutcome.ServiceUnavailable)]
    [InlineData(MessageType.Headline, RouteOutcome.Ignored)]
    [InlineData(MessageType.Error, RouteOutcome.Ignored)]
    public void Route_NoSessionAtAll_FollowsTheTypeRules(MessageType type, RouteOutcome expected) =>
        Assert.Equal(expected, Message("alice@pi.example", type));

    [Fact]
    public void Route_NoSessionAndNoBody_IsNotKept()
    {
        Assert.Equal(RouteOutcome.Ignored, Message("alice@pi.example", body: ""));
        Assert.Empty(_offline.Stored);
    }

    [Fact]
    public void Route_OfflineStoreFull_TellsTheSender()
    {
        _offline.Quota = 1;
        Assert.Equal(RouteOutcome.StoredOffline, Message("alice@pi.example"));
        Assert.Equal(RouteOutcome.OfflineStoreFull, Message("alice@pi.example"));
    }

    [Fact]
    public void Route_UnknownAccount_IsServiceUnavailable() =>
        Assert.Equal(RouteOutcome.ServiceUnavailable, Message("nobody@pi.example"));

    [Fact]
    public void Route_HeadlineToBare_GoesToEveryNonNegativeSession()
    {
        var a = Add(new FakeTarget("alice@pi.example", "a", priority: 1));
        var b = Add(new FakeTarget("alice@pi.example", "b", priority: 0));
        var c = Add(new FakeTarget("alice@pi.example", "c", priority: -1));
        Assert.Equal(RouteOutcome.Delivered, Message("alice@pi.example", MessageType.Headline));
        Assert.Single(a.Delivered);
        Assert.Single(b.Delivered);
        Assert.Empty(c.Delivered);
    }

    [Fact]
    public void Route_GroupchatToBare_IsServiceUnavailableEvenWhenOnline()
    {
        Add(new FakeTarget("alice@pi.example", "a"));
        Assert.Equal(RouteOutcome.ServiceUnavailable, Message("alice@pi.example", MessageType.Groupchat));
    }

    [Theory]
    [InlineData(MessageType.Chat, RouteOutcome.Delivered)]
    [InlineData(MessageType.Normal, RouteOutcome.ServiceUnavailable)]
    [InlineData(MessageType.Groupchat, RouteOutcome.ServiceUnavailable)]
    [InlineData(MessageType.Headline, RouteOutcome.Ignored)]
    [InlineData(MessageType.Error, RouteOutcome.Ignored)]
    public void Route_FullAddressOfMissingResource_FollowsTheTypeRules(MessageType type, RouteOutcome expected)
    {
        var other = Add(new FakeTarget("alice@pi.example", "other"));
        Assert.Equal(expected, Message("alice@pi.example/gone", type));
        Assert.Equal(expected == RouteOutcome.Delivered ? 1 : 0, other.Delivered.Count);
    }

    [Fact]
    public void Route_ChatToFullAddressOfMissingResourceWithNobodyOnline_StoresOffline() =>
        Assert.Equal(RouteOutcome.StoredOffline, Message("alice@pi.example/gone"));

    [Fact]
    public void Route_IqToMissingResource_GetIsServiceUnavailableResultIsIgnored()
    {
        Assert.Equal(RouteOutcome.ServiceUnavailable, _router.Route(RoutedStanza.Iq(IqType.Get, "x@pi.example/r"u8, "alice@pi.example/gone"u8, "1"u8, "<iq/>"u8)));
        Assert.Equal(RouteOutcome.Ignored, _router.Route(RoutedStanza.Iq(IqType.Result, "x@pi.example/r"u8, "alice@pi.example/gone"u8, "1"u8, "<iq/>"u8)));
    }

    [Fact]
    public void Route_IqToFullAddress_IsDelivered()
    {
        var target = Add(new FakeTarget("alice@pi.example", "r"));
        Assert.Equal(RouteOutcome.Delivered, _router.Route(RoutedStanza.Iq(IqType.Get, "x@pi.example/r"u8, "alice@pi.example/r"u8, "1"u8, "<iq/>"u8)));
        Assert.Single(target.Delivered);
    }

    [Fact]
    public void Route_IqToBareOrServer_IsForTheServer()
    {
        Assert.Equal(RouteOutcome.ForServer, _router.Route(RoutedStanza.Iq(IqType.Get, "x@pi.example/r"u8, "alice@pi.example"u8, "1"u8, "<iq/>"u8)));
        Assert.Equal(RouteOutcome.ForServer, _router.Route(RoutedStanza.Iq(IqType.Get, "x@pi.example/r"u8, "pi.example"u8, "1"u8, "<iq/>"u8)));
    }

    [Fact]
    public void Route_OtherDomainOrMalformed_IsReported()
    {
        Assert.Equal(RouteOutcome.RemoteDomain, Message("bob@elsewhere.example"));
        Assert.Equal(RouteOutcome.BadAddress, Message("@pi.example"));
        Assert.Equal(RouteOutcome.BadAddress, Message("alice@pi.example/"));
    }

    [Fact]
    public void Route_PresenceToBare_GoesToEveryAvailableSession()
    {
        var a = Add(new FakeTarget("alice@pi.example", "a", priority: -1));
        var b = Add(new FakeTarget("alice@pi.example", "b"));
        var c = Add(new FakeTarget("alice@pi.example", "c", available: false));
        Assert.Equal(RouteOutcome.Delivered, _router.Route(RoutedStanza.Presence(PresenceType.Available, "x@pi.example/r"u8, "alice@pi.example"u8, "<presence/>"u8)));
        Assert.Single(a.Delivered);
        Assert.Single(b.Delivered);
        Assert.Empty(c.Delivered);

        // Subscription requests skip negative priorities (RFC 6121 8.5.2.1.2).
        _router.Route(RoutedStanza.Presence(PresenceType.Subscribe, "x@pi.example"u8, "alice@pi.example"u8, "<presence type='subscribe'/>"u8));
        Assert.Single(a.Delivered);
        Assert.Equal(2, b.Delivered.Count);
    }

    [Fact]
    public void Route_PresenceWithNobodyAvailable_IsIgnored() =>
        Assert.Equal(RouteOutcome.Ignored, _router.Route(RoutedStanza.Presence(PresenceType.Available, "x@pi.example/r"u8, "alice@pi.example"u8, "<presence/>"u8)));

    [Fact]
    public void Route_ChatMessage_CopiesToOtherSessionsOfBothParties()
    {
        var aliceOne = Add(new FakeTarget("alice@pi.example", "one"));
        var aliceTwo = Add(new FakeTarget("alice@pi.example", "two"));
        var bobHigh = Add(new FakeTarget("bob@pi.example", "high", priority: 5));
        var bobLow = Add(new FakeTarget("bob@pi.example", "low", priority: 1));

        Message("bob@pi.example", sender: aliceOne);
        Assert.Single(bobHigh.Delivered);
        Assert.Equal([CopyKind.Received], bobLow.Copies.Select(c => c.Kind));
        Assert.Equal([CopyKind.Sent], aliceTwo.Copies.Select(c => c.Kind));
        Assert.Empty(aliceOne.Copies);

        // A private message (XEP-0280 <private/>) and a headline are never copied.
        Message("bob@pi.example", sender: aliceOne, copies: false);
        Message("bob@pi.example", MessageType.Headline, sender: aliceOne);
        Assert.Single(aliceTwo.Copies);
        Assert.Single(bobLow.Copies);
    }

    [Fact]
    public void Register_SameResource_ReplacesAndReturnsTheOldSession()
    {
        var old = Add(new FakeTarget("alice@pi.example", "r"));
        var fresh = new FakeTarget("alice@pi.example", "r");
        Assert.Same(old, _router.Register(fresh));
        Assert.Same(fresh, Assert.Single(_router.TargetsOf("alice@pi.example")));
        Assert.False(_router.Unregister(old));
        Assert.True(_router.Unregister(fresh));
        Assert.Empty(_router.TargetsOf("alice@pi.example"));
    }

    [Fact]
    public void TargetsOf_Utf8Address_IgnoresResourceAndCase()
    {
        var target = Add(new FakeTarget("alice@pi.example", "r"));
        Assert.Same(target, Assert.Single(_router.TargetsOf("ALICE@pi.example/whatever"u8)));
        Assert.Equal(AddressClass.Local, _router.Classify("alice@pi.example/r"u8, out bool hasResource));
        Assert.True(hasResource);
        Assert.Equal(AddressClass.Server, _router.Classify("pi.example"u8, out _));
        Assert.Equal(AddressClass.Remote, _router.Classify("a@b.example"u8, out _));
        Assert.Equal(AddressClass.Invalid, _router.Classify(new byte[] { 0xff, (byte)'@', (byte)'x' }, out _));
    }

    private FakeTarget Add(FakeTarget target)
    {
        Assert.Null(_router.Register(target));
        return target;
    }
}
