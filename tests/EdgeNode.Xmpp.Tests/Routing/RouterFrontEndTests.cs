using System.Text;
using EdgeNode.Core.Routing;

using EdgeNode.Xmpp.Routing;

namespace EdgeNode.Xmpp.Tests.Routing;

/// <summary>
/// Account-wide front-ends on the router: who is handed what, how their answers combine with the sessions and the
/// offline store, the sender's own front-end's reach, and account presence views.
/// </summary>
public class RouterFrontEndTests
{
    private readonly Router _router = new("pi.example");
    private readonly FakeOffline _offline = new();
    private readonly FakeFrontEnd _matrix = new(StanzaOrigin.Matrix);

    public RouterFrontEndTests()
    {
        _router.UseSessionRules(new XmppSessionRules(_offline, new FakeAccounts("alice@pi.example", "bob@pi.example")));
        _router.AddFrontEnd(_matrix);
    }

    private RouteOutcome Send(StanzaOrigin origin, string from = "bob@pi.example", string to = "alice@pi.example",
        AccountReach originReach = AccountReach.NotUsed, MessageType type = MessageType.Chat)
    {
        byte[] xmpp = origin == StanzaOrigin.Xmpp ? Encoding.UTF8.GetBytes($"<message from='{from}' to='{to}'><body>hi</body></message>") : [];
        var stanza = new RoutedStanza(StanzaKind.Message, (byte)type, Encoding.UTF8.GetBytes(from), Encoding.UTF8.GetBytes(to), "m1"u8, "hi"u8, xmpp)
        {
            Origin = origin,
            OriginReach = originReach,
        };
        return _router.Route(stanza);
    }

    [Fact]
    public void Route_FromXmpp_FrontEndGetsBothBareAddresses()
    {
        Send(StanzaOrigin.Xmpp, from: "bob@pi.example/phone", to: "Alice@Pi.Example/laptop");

        Assert.Equal([("bob@pi.example", "alice@pi.example")], _matrix.Seen);
    }

    [Fact]
    public void Route_FromTheFrontEndsOwnProtocol_IsNotHandedBack()
    {
        Send(StanzaOrigin.Matrix);

        Assert.Empty(_matrix.Seen);
    }

    [Fact]
    public void Route_FrontEndRefuses_DeliveredNowhere()
    {
        var session = Add(new FakeTarget("alice@pi.example", "phone"));
        _matrix.Answer = AccountReach.Refused;

        Assert.Equal(RouteOutcome.NotAcceptable, Send(StanzaOrigin.Xmpp));
        Assert.Empty(session.Delivered);
        Assert.Empty(_offline.Stored);
    }

    [Fact]
    public void Route_NoSessionButFrontEndReachedAClient_NotStoredOffline()
    {
        _matrix.Answer = AccountReach.Reached;

        Assert.Equal(RouteOutcome.Delivered, Send(StanzaOrigin.Xmpp));
        Assert.Empty(_offline.Stored);
    }

    [Fact]
    public void Route_NoSessionAndFrontEndOnlyKeptIt_StoredOfflineToo()
    {
        _matrix.Answer = AccountReach.Kept;

        Assert.Equal(RouteOutcome.StoredOffline, Send(StanzaOrigin.Xmpp));
        Assert.Single(_offline.Stored);
    }

    [Fact]
    public void Route_OfflineStoreFullButFrontEndKeptIt_SenderIsNotTold()
    {
        _offline.Quota = 0;
        _matrix.Answer = AccountReach.Kept;

        Assert.Equal(RouteOutcome.Delivered, Send(StanzaOrigin.Xmpp));
    }

    [Theory]
    [InlineData(AccountReach.NotUsed, RouteOutcome.StoredOffline)]
    [InlineData(AccountReach.Kept, RouteOutcome.StoredOffline)]
    [InlineData(AccountReach.Reached, RouteOutcome.Delivered)]
    public void Route_SendersOwnFrontEndReach_CountsForTheOfflineDecision(AccountReach originReach, RouteOutcome expected)
    {
        Assert.Equal(expected, Send(StanzaOrigin.Matrix, originReach: originReach));
        Assert.Equal(expected == RouteOutcome.StoredOffline ? 1 : 0, _offline.Stored.Count);
    }

    [Fact]
    public void Route_ChatFromAnotherProtocol_SendersXmppSessionsGetASentCopy()
    {
        var bobPhone = Add(new FakeTarget("bob@pi.example", "phone"));
        var alice = Add(new FakeTarget("alice@pi.example", "laptop"));

        Assert.Equal(RouteOutcome.Delivered, Send(StanzaOrigin.Matrix));

        Assert.Single(alice.Delivered);
        Assert.Equal(CopyKind.Sent, Assert.Single(bobPhone.Copies).Kind);
    }

    [Fact]
    public void PublishPresence_KeptPerSourceAndToldToTheOthers()
    {
        var xmpp = new FakeFrontEnd(StanzaOrigin.Xmpp);
        _router.AddFrontEnd(xmpp);

        _router.PublishPresence(new AccountPresence("alice@pi.example", StanzaOrigin.Xmpp, true, Status: "at work"));
        _router.PublishPresence(new AccountPresence("alice@pi.example", StanzaOrigin.Matrix, false));
        _router.PublishPresence(new AccountPresence("alice@pi.example", StanzaOrigin.Xmpp, false));

        Assert.Equal(2, _matrix.Presences.Count);
        Assert.Equal(StanzaOrigin.Matrix, Assert.Single(xmpp.Presences).Source);
        AccountPresence[] views = _router.PresenceOf("alice@pi.example");
        Assert.Equal(2, views.Length);
        Assert.All(views, view => Assert.False(view.Available));
        Assert.Empty(_router.PresenceOf("bob@pi.example"));
    }

    [Fact]
    public void ShareConversation_AnyFrontEndSaysSo()
    {
        Assert.False(_router.ShareConversation("alice@pi.example", "bob@pi.example"));
        _matrix.Shared = true;
        Assert.True(_router.ShareConversation("alice@pi.example", "bob@pi.example"));
    }

    private FakeTarget Add(FakeTarget target)
    {
        _router.Register(target);
        return target;
    }

    private sealed class FakeFrontEnd(StanzaOrigin protocol) : IAccountFrontEnd
    {
        public AccountReach Answer { get; set; } = AccountReach.NotUsed;
        public bool Shared { get; set; }
        public List<(string From, string To)> Seen { get; } = [];
        public List<AccountPresence> Presences { get; } = [];
        public StanzaOrigin Protocol => protocol;

        public AccountReach Deliver(in RoutedStanza stanza, ReadOnlySpan<char> fromBare, ReadOnlySpan<char> toBare)
        {
            Seen.Add((fromBare.ToString(), toBare.ToString()));
            return Answer;
        }

        public void ShowPresence(AccountPresence presence) => Presences.Add(presence);

        public bool ShareConversation(string bareA, string bareB) => Shared;
    }
}
