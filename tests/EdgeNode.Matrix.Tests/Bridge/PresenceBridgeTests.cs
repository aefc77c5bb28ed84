using EdgeNode.Core.Routing;
using EdgeNode.Matrix.ClientApi.Handlers;

namespace EdgeNode.Matrix.Tests.Bridge;

public class PresenceBridgeTests : IDisposable
{
    private const string Alice = "@alice:hs.test";
    private const string Bob = "@bob:hs.test";
    private const string Carol = "@carol:hs.test";
    private const string AliceBare = "alice@hs.test";
    private const string BobBare = "bob@hs.test";
    private const string CarolBare = "carol@hs.test";
    private readonly PresenceTestNode _node = new(Alice, Bob);

    public void Dispose() => _node.Dispose();

    private List<AccountPresence> PublishedFromMatrix => _node.Xmpp.Shown.Where(p => p.Source == StanzaOrigin.Matrix).ToList();

    [Fact]
    public void PutPresence_ChangedView_PublishedOnce_ShownAsItIs()
    {
        _node.Presence.SetByClient(Bob, "unavailable", "in a meeting");
        _node.Presence.SetByClient(Bob, "unavailable", "in a meeting");

        var view = Assert.Single(PublishedFromMatrix);
        Assert.Equal((BobBare, true, PresenceShow.Away, "in a meeting"), (view.Bare, view.Available, view.Show, view.Status));
        Assert.Equal(view, Assert.Single(_node.Router.PresenceOf(BobBare)));
        Assert.Equal(("unavailable", "in a meeting"), (_node.Shown(Bob)!.Value.Presence, _node.Shown(Bob)!.Value.Status));

        _node.Presence.SetByClient(Bob, "online", null);
        Assert.Equal(2, PublishedFromMatrix.Count);
        Assert.Equal("online", _node.Shown(Bob)!.Value.Presence);
    }

    [Fact]
    public async Task Show_XmppAvailable_MatrixShowsTheUnion_NothingPublishedBack()
    {
        _node.Presence.SetByClient(Alice, "unavailable", null);
        _node.Router.PublishPresence(new AccountPresence(AliceBare, StanzaOrigin.Xmpp, true, PresenceShow.None, "on the train", _node.Server.Now));
        await _node.Presence.FlushAsync();

        Assert.Equal(("online", "on the train"), (_node.Shown(Alice)!.Value.Presence, _node.Shown(Alice)!.Value.Status));
        // The only Matrix view the XMPP side saw is the one the user set; what came from XMPP did not come back.
        Assert.Single(PublishedFromMatrix);
        Assert.Equal([StanzaOrigin.Xmpp, StanzaOrigin.Matrix], _node.Router.PresenceOf(AliceBare).Select(p => p.Source).Order());

        _node.Router.PublishPresence(new AccountPresence(AliceBare, StanzaOrigin.Xmpp, false, LastActiveTs: _node.Server.Now));
        await _node.Presence.FlushAsync();
        Assert.Equal(("unavailable", null), (_node.Shown(Alice)!.Value.Presence, _node.Shown(Alice)!.Value.Status));
        Assert.Single(PublishedFromMatrix);
    }

    [Fact]
    public async Task Show_XmppOnlyPerson_ShownToMatrix_AwayIsUnavailable()
    {
        _node.Router.PublishPresence(new AccountPresence(CarolBare, StanzaOrigin.Xmpp, true, PresenceShow.ExtendedAway, "gone fishing", 1234));
        await _node.Presence.FlushAsync();
        Assert.Equal(("unavailable", "gone fishing", 1234L), _node.Shown(Carol));

        _node.Router.PublishPresence(new AccountPresence(CarolBare, StanzaOrigin.Xmpp, false, LastActiveTs: 5678));
        await _node.Presence.FlushAsync();
        Assert.Equal("offline", _node.Shown(Carol)!.Value.Presence);
        Assert.Empty(PublishedFromMatrix);
    }

    [Fact]
    public async Task Show_OtherDomainOrDeviceSource_Ignored()
    {
        _node.Router.PublishPresence(new AccountPresence("dave@elsewhere.test", StanzaOrigin.Remote, true));
        _node.Presence.Show(new AccountPresence("plug@hs.test", StanzaOrigin.Matrix, true));
        await _node.Presence.FlushAsync();
        Assert.Equal(0L, _node.Server.Read(db => db.Scalar("SELECT count(*) FROM matrix_presence")));
    }

    [Fact]
    public void Sync_ClientsStartAndStop_OnlineThenOfflineAfterTheTimeout()
    {
        using (EphemeralHandlers.SyncPresence(_node.Server, Bob, null))
        {
            var online = Assert.Single(PublishedFromMatrix);
            Assert.True(online.Available);
            Assert.Equal("online", _node.Shown(Bob)!.Value.Presence);
            // A second client syncing at once changes nothing; a long poll keeps the user present.
            using (EphemeralHandlers.SyncPresence(_node.Server, Bob, null)) { }
            _node.Time.Advance(TimeSpan.FromMinutes(5));
            Assert.Single(PublishedFromMatrix);
            Assert.True(_node.Presence.Syncing(BobBare));
        }

        _node.Time.Advance(TimeSpan.FromSeconds(29));
        Assert.Single(PublishedFromMatrix);
        _node.Time.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal([true, false], PublishedFromMatrix.Select(p => p.Available));
        Assert.Equal("offline", _node.Shown(Bob)!.Value.Presence);
        Assert.False(_node.Presence.Syncing(BobBare));
    }

    [Fact]
    public void Sync_StoppedWhileOnXmpp_MatrixViewOfflineButShownOnline()
    {
        _node.Router.PublishPresence(new AccountPresence(BobBare, StanzaOrigin.Xmpp, true, LastActiveTs: _node.Server.Now));
        using (EphemeralHandlers.SyncPresence(_node.Server, Bob, null)) { }
        _node.Time.Advance(TimeSpan.FromSeconds(31));

        Assert.False(PublishedFromMatrix.Last().Available);
        Assert.Equal("online", _node.Shown(Bob)!.Value.Presence);
    }

    [Fact]
    public void Sync_SetPresence_IsTheView_OfflineDoesNotCount_ChosenPresenceKept()
    {
        using (EphemeralHandlers.SyncPresence(_node.Server, Alice, "offline")) { }
        Assert.Empty(PublishedFromMatrix);
        Assert.Null(_node.Shown(Alice));

        using (EphemeralHandlers.SyncPresence(_node.Server, Alice, "unavailable")) { }
        Assert.Equal(PresenceShow.Away, Assert.Single(PublishedFromMatrix).Show);

        // A plain sync does not undo what the user chose.
        using (EphemeralHandlers.SyncPresence(_node.Server, Alice, null)) { }
        Assert.Single(PublishedFromMatrix);
        Assert.Equal("unavailable", _node.Shown(Alice)!.Value.Presence);
    }

    [Fact]
    public void Start_UserShownPresentBefore_GetsTheGraceThenGoesOffline()
    {
        _node.Server.Write(db => db.Execute("INSERT INTO matrix_presence (user_id, presence, status_msg, last_active_ts, stream) VALUES ($u, 'online', 'hi', 1, 1)",
            ("$u", Alice)));
        using var restarted = PresenceTestNode.Homeserver(_node.Store, _node.Folder, _node.Time);
        var router = new Router(PresenceTestNode.Domain);
        var xmpp = new RecordingXmppSide();
        router.AddFrontEnd(xmpp);
        using var frontEnd = new EdgeNode.Matrix.Bridge.MatrixFrontEnd(restarted, router);
        router.AddFrontEnd(frontEnd);

        Assert.True(frontEnd.Presence.Syncing(AliceBare));
        _node.Time.Advance(TimeSpan.FromSeconds(31));

        var offline = Assert.Single(xmpp.Shown);
        Assert.Equal((AliceBare, false, "hi"), (offline.Bare, offline.Available, offline.Status));
        Assert.Equal("offline", _node.Shown(Alice)!.Value.Presence);
    }

    [Fact]
    public void ShareConversation_MembersOfACommonRoom_JoinedOrInvited()
    {
        string room = _node.Room(Alice, [Bob]);
        Assert.True(_node.FrontEnd.ShareConversation(AliceBare, BobBare));
        Assert.True(_node.Router.ShareConversation(BobBare, AliceBare));
        Assert.False(_node.Router.ShareConversation(AliceBare, CarolBare));
        Assert.False(_node.Router.ShareConversation(AliceBare, "bob@elsewhere.test"));
        Assert.False(_node.Router.ShareConversation(AliceBare, AliceBare));

        _node.Server.Write(db => _node.Server.Actions.SetMembership(db, room, Bob, Bob, "leave"));
        Assert.False(_node.Router.ShareConversation(AliceBare, BobBare));
    }
}
