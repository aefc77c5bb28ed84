using Microsoft.Extensions.Hosting;

namespace EdgeNode.Hosting;

/// <summary>
/// Tells the service manager the node is alive at half the interval it asked for, from the moment the node has
/// started (READY=1 comes first, as the service manager expects).
/// </summary>
public sealed class WatchdogService(SystemdNotifier notifier, TimeSpan interval, IHostApplicationLifetime lifetime) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
        {
            try { await started.Task.ConfigureAwait(false); }
            catch (OperationCanceledException) { return; }
        }
        using var timer = new PeriodicTimer(interval);
        notifier.Watchdog();
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false)) notifier.Watchdog();
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
