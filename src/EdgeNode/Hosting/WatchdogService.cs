using Microsoft.Extensions.Hosting;

namespace EdgeNode.Hosting;

/// <summary>Tells the service manager the node is alive at half the interval it asked for.</summary>
public sealed class WatchdogService(SystemdNotifier notifier, TimeSpan interval) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval);
        notifier.Watchdog();
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false)) notifier.Watchdog();
    }
}
