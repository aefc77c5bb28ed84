using EdgeNode.Matrix.Storage;
using EdgeNode.Matrix.Tests.Rooms;

namespace EdgeNode.Matrix.Tests.Storage;

public class SyncWakeupTests
{
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task Typing_InOneRoom_WakesOnlyTheSyncsWatchingThatRoom()
    {
        using var hs = new TestHomeserver();
        using var cancel = new CancellationTokenSource();
        var position = hs.Server.Clock.Current;
        using var member = hs.Server.Wakeups.Start(["!kitchen:hs.test", "!garden:hs.test"]);
        using var stranger = hs.Server.Wakeups.Start(["!garage:hs.test"]);
        var memberWait = hs.Server.WaitForSyncAsync(member, position, Long, cancel.Token);
        var strangerWait = hs.Server.WaitForSyncAsync(stranger, position, Long, cancel.Token);
        var everyone = hs.Server.Clock.Changed;

        hs.Server.Typing.Set("!kitchen:hs.test", "@alice:hs.test", true, TimeSpan.FromSeconds(30));
        // The wake-ups are decided inside Set: a signal it did not give now is never given for this change.
        Assert.True(member.Woken.IsCompleted);
        Assert.False(stranger.Woken.IsCompleted);
        Assert.False(everyone.IsCompleted);
        await memberWait.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.False(strangerWait.IsCompleted);
        Assert.True(hs.Server.Clock.Current > position);
        Assert.Equal(["@alice:hs.test"], hs.Server.Typing.ChangedSince("!kitchen:hs.test", position));
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => strangerWait);
    }

    [Fact]
    public async Task WaitForSync_ChangeForEveryone_WakesAllWatchers()
    {
        using var hs = new TestHomeserver();
        var position = hs.Server.Clock.Current;
        using var watch = hs.Server.Wakeups.Start(["!garage:hs.test"]);
        var wait = hs.Server.WaitForSyncAsync(watch, position, Long, CancellationToken.None);

        hs.Server.Write(db => { db.NextStream(); });

        await wait.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(wait.IsCompletedSuccessfully);
    }

    [Fact]
    public void End_QuietPositionOnly_WaitersStayAsleep()
    {
        var clock = new StreamClock(10);
        var quiet = clock.Begin();
        var wait = clock.WaitAsync(10, Long, CancellationToken.None);

        clock.End(quiet, wakeAll: false);

        Assert.Equal(11, clock.Current);
        Assert.False(wait.IsCompleted);
    }

    [Fact]
    public async Task End_QuietPositionUncoversAChangeForEveryone_WakesWaiters()
    {
        var clock = new StreamClock(10);
        var quiet = clock.Begin();
        var loud = clock.Begin();
        clock.End(loud);
        // The loud change is not visible yet: the quiet position before it is still open.
        Assert.Equal(10, clock.Current);
        var wait = clock.WaitAsync(10, Long, CancellationToken.None);

        clock.End(quiet, wakeAll: false);

        await wait.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(12, clock.Current);
    }

    [Fact]
    public void Watch_Disposed_NoLongerListed()
    {
        var wakeups = new RoomWakeups();
        var watch = wakeups.Start(["!a:hs.test", "!a:hs.test", "!b:hs.test"]);
        Assert.Equal(1, wakeups.Watching("!a:hs.test"));
        watch.Dispose();
        watch.Dispose();
        Assert.Equal(0, wakeups.Watching("!a:hs.test"));
        Assert.Equal(0, wakeups.Watching("!b:hs.test"));
        wakeups.Wake("!a:hs.test");
        Assert.False(watch.Woken.IsCompleted);
    }
}
