using EdgeNode.Core.Routing;
using EdgeNode.Matrix.ClientApi.Handlers;

namespace EdgeNode.Matrix.Tests.Bridge;

public class TypingBridgeTests : IDisposable
{
    private const string Alice = "@alice:hs.test";
    private const string Bob = "@bob:hs.test";
    private const string Carol = "@carol:hs.test";
    private const string AliceBare = "alice@hs.test";
    private const string BobBare = "bob@hs.test";
    private const string CarolBare = "carol@hs.test";
    private static readonly TimeSpan Thirty = TimeSpan.FromSeconds(30);

    // Bob uses Matrix; Alice and Carol use XMPP only.
    private readonly PresenceTestNode _node = new(Bob);
    private readonly RecordingSession _alice = new(AliceBare, "phone");

    public TypingBridgeTests() => _node.Router.Register(_alice);

    public void Dispose() => _node.Dispose();

    private List<string>? TypingIn(string room) => _node.Server.Typing.ChangedSince(room, long.MinValue);

    [Fact]
    public async Task Typing_XmppComposing_SetsTypingInThePairsRoom_OtherStatesClearIt()
    {
        string room = _node.Room(Alice, [Bob], Bob);
        using var sync = EphemeralHandlers.SyncPresence(_node.Server, Bob, null);

        Assert.Equal(AccountReach.Reached, _node.Presence.Typing(AliceBare, BobBare, ChatState.Composing));
        await _node.Presence.FlushAsync();
        Assert.Equal([Alice], TypingIn(room));

        Assert.Equal(AccountReach.Reached, _node.Presence.Typing(AliceBare, BobBare, ChatState.Active));
        await _node.Presence.FlushAsync();
        Assert.Empty(TypingIn(room)!);
    }

    [Fact]
    public async Task Typing_OnlyGroupRoomsShared_NothingSet_ThePairsRoomPreferred()
    {
        string group = _node.Room(Alice, [Bob, Carol], Bob);
        _node.Presence.Typing(AliceBare, BobBare, ChatState.Composing);
        await _node.Presence.FlushAsync();
        Assert.Null(TypingIn(group));

        string pair = _node.Room(Bob, [Alice]);
        _node.Presence.Typing(AliceBare, BobBare, ChatState.Composing);
        await _node.Presence.FlushAsync();
        Assert.Equal([Alice], TypingIn(pair));
        Assert.Null(TypingIn(group));
    }

    [Fact]
    public async Task Typing_RecipientNeverUsedMatrix_NotUsed_NothingSet()
    {
        string room = _node.Room(Bob, [Carol]);
        Assert.Equal(AccountReach.NotUsed, _node.Presence.Typing(BobBare, CarolBare, ChatState.Composing));
        Assert.Equal(AccountReach.NotUsed, _node.Presence.Typing(AliceBare, BobBare, ChatState.None));
        await _node.Presence.FlushAsync();
        Assert.Null(TypingIn(room));
        // Bob uses Matrix but no client of his syncs now: set anyway, for a client that starts within the timeout.
        Assert.Equal(AccountReach.NotUsed, _node.Presence.Typing(CarolBare, BobBare, ChatState.Composing));
        await _node.Presence.FlushAsync();
        Assert.Equal([Carol], TypingIn(room));
    }

    [Fact]
    public void TypingEndpoint_InATwoPersonRoom_RoutesComposingOnceThenPaused()
    {
        string room = _node.Room(Bob, [Alice]);
        _node.Presence.TypedByClient(room, Bob, true, Thirty);
        _node.Presence.TypedByClient(room, Bob, true, Thirty);

        var composing = Assert.Single(_alice.Delivered);
        Assert.Equal(new RecordedMessage(MessageType.Chat, BobBare, AliceBare, "", ChatState.Composing, StanzaOrigin.Matrix), composing);

        _node.Presence.TypedByClient(room, Bob, false, TimeSpan.Zero);
        _node.Presence.TypedByClient(room, Bob, false, TimeSpan.Zero);
        Assert.Equal([ChatState.Composing, ChatState.Paused], _alice.Delivered.Select(m => m.ChatState));
    }

    [Fact]
    public void TypingEndpoint_TimeoutRunsOut_Paused_RepeatedTypingExtendsIt()
    {
        string room = _node.Room(Bob, [Alice]);
        _node.Presence.TypedByClient(room, Bob, true, TimeSpan.FromSeconds(10));
        _node.Time.Advance(TimeSpan.FromSeconds(8));
        _node.Presence.TypedByClient(room, Bob, true, TimeSpan.FromSeconds(10));
        _node.Time.Advance(TimeSpan.FromSeconds(8));
        Assert.Single(_alice.Delivered);

        _node.Time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal([ChatState.Composing, ChatState.Paused], _alice.Delivered.Select(m => m.ChatState));
    }

    [Fact]
    public void TypingEndpoint_RoomOfThree_NotRouted()
    {
        string room = _node.Room(Bob, [Alice, Carol]);
        _node.Presence.TypedByClient(room, Bob, true, Thirty);
        _node.Presence.TypedByClient(room, Bob, false, TimeSpan.Zero);
        Assert.Empty(_alice.Delivered);
    }

    [Fact]
    public void Typing_BetweenPeopleWhoNeverUsedMatrix_AllocatesNothing()
    {
        _node.Presence.Typing(AliceBare, CarolBare, ChatState.Active);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            _node.Presence.Typing(AliceBare, CarolBare, ChatState.Active);
            _node.Presence.Typing(CarolBare, AliceBare, ChatState.Composing);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
