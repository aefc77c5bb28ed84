using Microsoft.Extensions.Hosting;

namespace EdgeNode.Hosting;

/// <summary>
/// Tells the service manager the node is alive at half the interval it asked for, from the moment READY=1 was
/// sent: a WATCHDOG=1 before it would tell the service manager a half-started node is healthy.
/// </summary>
public sealed class WatchdogService(SystemdNotifier notifier, TimeSpan interval, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await notifier.ReadySent.WaitAsync(stoppingToken).ConfigureAwait(false);
            using var timer = new PeriodicTimer(interval, time);
            notifier.Watchdog();
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false)) notifier.Watchdog();
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
