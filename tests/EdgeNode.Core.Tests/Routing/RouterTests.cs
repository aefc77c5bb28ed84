using System.Text;
using EdgeNode.Core.Routing;

namespace EdgeNode.Core.Tests.Routing;

/// <summary>
/// The router without any protocol's session rules (the XMPP library's RFC 6121 rules are tested there): address
/// classes, the registry, the plain rules every router starts with, and the account-wide front-ends.
/// </summary>
public class RouterTests
{
    private readonly Router _router = new("pi.example");

    private RouteOutcome Send(string to, StanzaKind kind = StanzaKind.Message, byte type = (byte)MessageType.Chat) =>
        _router.Route(new RoutedStanza(kind, type, "bob@pi.example/phone"u8, Encoding.UTF8.GetBytes(to), "m1"u8, "hi"u8, default));

    private FakeTarget Add(FakeTarget target)
    {
        _router.Register(target);
        return target;
    }

    [Fact]
    public void Route_BareAddressWithPlainRules_EveryAvailableSessionWhateverItsPriority()
    {
        var low = Add(new FakeTarget("alice@pi.example", "a", priority: -5));
        var high = Add(new FakeTarget("alice@pi.example", "b", priority: 10));
        var away = Add(new FakeTarget("alice@pi.example", "c", available: false));

        Assert.Equal(RouteOutcome.Delivered, Send("Alice@Pi.Example"));

        Assert.Single(low.Delivered);
        Assert.Single(high.Delivered);
        Assert.Empty(away.Delivered);
    }

    [Fact]
    public void Route_FullAddressWithPlainRules_OnlyThatSession()
    {
        var a = Add(new FakeTarget("alice@pi.example", "a"));
        var b = Add(new FakeTarget("alice@pi.example", "b"));

        Assert.Equal(RouteOutcome.Delivered, Send("alice@pi.example/b"));

        Assert.Empty(a.Delivered);
        Assert.Single(b.Delivered);
    }

    [Fact]
    public void Route_NobodyAndNoFrontEnd_TellsTheSender()
    {
        Assert.Equal(RouteOutcome.ServiceUnavailable, Send("alice@pi.example"));
        Assert.Equal(RouteOutcome.ForServer, Send("alice@pi.example", StanzaKind.Iq, (byte)IqType.Get));
        Assert.Equal(RouteOutcome.ServiceUnavailable, Send("alice@pi.example/gone", StanzaKind.Iq, (byte)IqType.Get));
        Assert.Equal(RouteOutcome.Ignored, Send("alice@pi.example", StanzaKind.Presence, (byte)PresenceType.Available));
    }

    [Theory]
    [InlineData("pi.example", RouteOutcome.ForServer)]
    [InlineData("alice@elsewhere.example", RouteOutcome.RemoteDomain)]
    [InlineData("@pi.example", RouteOutcome.BadAddress)]
    [InlineData("alice@pi.example/", RouteOutcome.BadAddress)]
    public void Route_AddressClasses(string to, RouteOutcome expected) => Assert.Equal(expected, Send(to));

    [Fact]
    public void Route_FrontEndKeptIt_DeliveredThoughNoSession()
    {
        var frontEnd = new KeepingFrontEnd();
        _router.AddFrontEnd(frontEnd);

        Assert.Equal(RouteOutcome.Delivered, Send("alice@pi.example"));
        Assert.Equal(1, frontEnd.Seen);
    }

    [Fact]
    public void Route_FrontEndRefuses_NotAcceptableAndNoSessionGetsIt()
    {
        var alice = Add(new FakeTarget("alice@pi.example", "a"));
        _router.AddFrontEnd(new KeepingFrontEnd { Answer = AccountReach.Refused });

        Assert.Equal(RouteOutcome.NotAcceptable, Send("alice@pi.example"));
        Assert.Empty(alice.Delivered);
    }

    [Fact]
    public void SessionsOf_CaseFoldedKey_FindsTheSessions()
    {
        var alice = Add(new FakeTarget("alice@pi.example", "a"));

        Assert.Same(alice, Assert.Single(_router.SessionsOf("alice@pi.example")));
        Assert.Empty(_router.SessionsOf("bob@pi.example"));
    }

    private sealed class KeepingFrontEnd : IAccountFrontEnd
    {
        public AccountReach Answer { get; init; } = AccountReach.Kept;
        public int Seen { get; private set; }
        public StanzaOrigin Protocol => StanzaOrigin.Matrix;

        public AccountReach Deliver(in RoutedStanza stanza, ReadOnlySpan<char> fromBare, ReadOnlySpan<char> toBare)
        {
            Seen++;
            return Answer;
        }

        public void ShowPresence(AccountPresence presence)
        {
        }

        public bool ShareConversation(string bareA, string bareB) => false;
    }
}
