using EdgeNode.Hosting;

namespace EdgeNode.Tests.Hosting;

public class SystemdNotifierTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Notify_PathOrAbstractSocket_DeliversEachStateAsOneDatagram(bool isAbstract)
    {
        using var socket = new NotifySocket(isAbstract);
        using var notifier = SystemdNotifier.FromEnvironment(new Dictionary<string, string> { ["NOTIFY_SOCKET"] = socket.Name })!;
        notifier.Ready();
        notifier.Watchdog();
        notifier.Stopping();
        Assert.Equal("READY=1", await socket.ReceiveAsync(Wait));
        Assert.Equal("WATCHDOG=1", await socket.ReceiveAsync(Wait));
        Assert.Equal("STOPPING=1", await socket.ReceiveAsync(Wait));
    }

    [Fact]
    public void FromEnvironment_NoSocket_IsNull()
    {
        Assert.Null(SystemdNotifier.FromEnvironment(new Dictionary<string, string>()));
        Assert.Null(SystemdNotifier.FromEnvironment(new Dictionary<string, string> { ["NOTIFY_SOCKET"] = "" }));
    }

    [Fact]
    public void Notify_NobodyListening_DoesNotThrow()
    {
        using var notifier = new SystemdNotifier(Path.Combine(Path.GetTempPath(), "edgenode-nobody-" + Guid.NewGuid().ToString("N")));
        notifier.Ready();
    }

    [Fact]
    public void WatchdogInterval_IsHalfOfWatchdogUsec_ForThisProcessOnly()
    {
        var env = new Dictionary<string, string> { ["WATCHDOG_USEC"] = "30000000" };
        Assert.Equal(TimeSpan.FromSeconds(15), SystemdNotifier.WatchdogInterval(env, 42));
        env["WATCHDOG_PID"] = "42";
        Assert.Equal(TimeSpan.FromSeconds(15), SystemdNotifier.WatchdogInterval(env, 42));
        env["WATCHDOG_PID"] = "43";
        Assert.Null(SystemdNotifier.WatchdogInterval(env, 42));
        Assert.Null(SystemdNotifier.WatchdogInterval(new Dictionary<string, string> { ["WATCHDOG_USEC"] = "abc" }, 42));
        Assert.Null(SystemdNotifier.WatchdogInterval(new Dictionary<string, string>(), 42));
    }
}
