using EdgeNode.Core.Routing;
using EdgeNode.Matrix.Bridge;

namespace EdgeNode.Matrix.Tests.Bridge;

public class PresenceUnionTests
{
    private const string Alice = "alice@hs.test";
    private const long Now = 1_000_000;

    private static AccountPresence Xmpp(bool available, PresenceShow show = PresenceShow.None, string? status = null, long at = 0) =>
        new(Alice, StanzaOrigin.Xmpp, available, show, status, at);

    private static AccountPresence Matrix(string presence, string? status = null, long at = 0) => PresenceUnion.View(Alice, presence, status, at);

    [Fact]
    public void Of_AnyViewAvailable_IsOnline()
    {
        var shown = PresenceUnion.Of([Matrix("offline", at: 10), Xmpp(true, at: 20)], Now);
        Assert.Equal("online", shown.Presence);
        Assert.Equal(20, shown.LastActiveTs);
    }

    [Fact]
    public void Of_OnlyAwayViewsAvailable_IsUnavailable_OnePresentView_IsOnline()
    {
        Assert.Equal("unavailable", PresenceUnion.Of([Matrix("unavailable"), Xmpp(true, PresenceShow.ExtendedAway)], Now).Presence);
        Assert.Equal("unavailable", PresenceUnion.Of([Matrix("offline"), Xmpp(true, PresenceShow.Away)], Now).Presence);
        Assert.Equal("online", PresenceUnion.Of([Matrix("unavailable"), Xmpp(true, PresenceShow.DoNotDisturb)], Now).Presence);
        Assert.Equal("online", PresenceUnion.Of([Matrix("online"), Xmpp(true, PresenceShow.Away)], Now).Presence);
    }

    [Fact]
    public void Of_NoViewAvailable_IsOffline_LastActiveNowWhenUnknown()
    {
        var shown = PresenceUnion.Of([Xmpp(false)], Now);
        Assert.Equal(new ShownPresence("offline", null, Now), shown);
    }

    [Fact]
    public void Of_Status_FromTheMostRecentAvailableViewThatHasOne()
    {
        Assert.Equal("at lunch", PresenceUnion.Of([Matrix("online", "in a meeting", at: 10), Xmpp(true, status: "at lunch", at: 20)], Now).Status);
        Assert.Equal("in a meeting", PresenceUnion.Of([Matrix("online", "in a meeting", at: 30), Xmpp(true, status: "at lunch", at: 20)], Now).Status);
        // A newer view without a status does not hide an older one's.
        Assert.Equal("in a meeting", PresenceUnion.Of([Matrix("online", "in a meeting", at: 10), Xmpp(true, at: 20)], Now).Status);
        // What a view said when it went away is not shown beside another view that is present.
        Assert.Null(PresenceUnion.Of([Matrix("online", at: 10), Xmpp(false, status: "Logged out", at: 20)], Now).Status);
        Assert.Equal("Logged out", PresenceUnion.Of([Matrix("offline", at: 10), Xmpp(false, status: "Logged out", at: 20)], Now).Status);
    }

    [Fact]
    public void View_MatrixPresence_MapsToAvailabilityAndShow()
    {
        Assert.Equal(new AccountPresence(Alice, StanzaOrigin.Matrix, true, PresenceShow.None, "hi", 5), Matrix("online", "hi", 5));
        Assert.Equal(new AccountPresence(Alice, StanzaOrigin.Matrix, true, PresenceShow.Away, null, 5), Matrix("unavailable", at: 5));
        Assert.Equal(new AccountPresence(Alice, StanzaOrigin.Matrix, false, PresenceShow.None, null, 5), Matrix("offline", at: 5));
    }
}
