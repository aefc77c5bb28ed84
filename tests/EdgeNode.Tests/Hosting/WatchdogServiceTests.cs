using EdgeNode.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace EdgeNode.Tests.Hosting;

public class WatchdogServiceTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Execute_HostStartedLongBeforeReady_FirstDatagramIsReadyThenWatchdogAtEachInterval()
    {
        using var socket = new NotifySocket(isAbstract: true);
        using var notifier = new SystemdNotifier(socket.Name);
        var time = new FakeTimeProvider();
        using var watchdog = new WatchdogService(notifier, Interval, time);
        await watchdog.StartAsync(CancellationToken.None);

        // However long start-up takes, the service manager must hear READY=1 first.
        time.Advance(Interval * 10);
        notifier.Ready();

        Assert.Equal("READY=1", await socket.ReceiveAsync(Wait));
        Assert.Equal("WATCHDOG=1", await socket.ReceiveAsync(Wait));
        time.Advance(Interval);
        Assert.Equal("WATCHDOG=1", await socket.ReceiveAsync(Wait));
        await watchdog.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Execute_StoppedBeforeReady_EndsWithoutSendingAnything()
    {
        using var socket = new NotifySocket(isAbstract: true);
        using var notifier = new SystemdNotifier(socket.Name);
        using var watchdog = new WatchdogService(notifier, Interval, new FakeTimeProvider());
        await watchdog.StartAsync(CancellationToken.None);
        await watchdog.StopAsync(CancellationToken.None);

        Assert.True(watchdog.ExecuteTask!.IsCompleted);
        notifier.Stopping();
        Assert.Equal("STOPPING=1", await socket.ReceiveAsync(Wait));
    }
}
