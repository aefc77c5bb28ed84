using EdgeNode.Mqtt.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Mqtt.Broker;

/// <summary>
/// The broker's background work: the batched database writes (every 50 ms, and at once when a connection waits to
/// acknowledge what a batch holds), the one-second sweep (will delays,
/// session expiry, keep-alive) and the $SYS topics. On shutdown it closes the clients and writes the last batch.
/// </summary>
public sealed class MqttBrokerService(MqttBroker broker, MqttBrokerStorage? storage, IHostApplicationLifetime lifetime, string version, ILogger<MqttBrokerService> logger)
    : BackgroundService
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(50);

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Kestrel waits for open connections when it stops; MQTT clients never leave by themselves, so they are told to.
        lifetime.ApplicationStopping.Register(() => _ = broker.ShutdownAsync(TimeSpan.FromSeconds(2)));
        return base.StartAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        storage is null ? TickAsync(stoppingToken) : Task.WhenAll(TickAsync(stoppingToken), WriteWhenAskedAsync(storage, stoppingToken));

    private async Task WriteWhenAskedAsync(MqttBrokerStorage store, CancellationToken stoppingToken)
    {
        // Off the caller's thread: a connection's read loop asked, and the write must not run on it.
        await Task.Yield();
        while (await store.WaitForWriteRequestAsync(stoppingToken).ConfigureAwait(false))
        {
            FlushStorage();
        }
    }

    private async Task TickAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Tick);
        long ticks = 0;
        long sysEvery = broker.Options.SysInterval <= TimeSpan.Zero ? 0 : Math.Max(1, (long)(broker.Options.SysInterval / Tick));
        if (sysEvery > 0)
        {
            broker.PublishSys(version);
        }

        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                ticks++;
                FlushStorage();
                if (ticks % 20 == 0)
                {
                    ProbeStorage();
                    broker.Sweep();
                }

                if (sysEvery > 0 && ticks % sysEvery == 0)
                {
                    broker.PublishSys(version);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await broker.ShutdownAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        FlushStorage();
    }

    private void ProbeStorage()
    {
        try
        {
            storage?.ProbeWhenFull();
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or InvalidOperationException)
        {
            MqttBrokerLog.PersistenceFailed(logger, e);
        }
    }

    private void FlushStorage()
    {
        if (storage is null || !storage.HasPending)
        {
            return;
        }

        try
        {
            storage.Flush();
        }
        catch (EdgeNode.Core.Storage.StoreFullException)
        {
            // The store logged it once; the batch stays queued and is written when there is room again.
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or InvalidOperationException)
        {
            MqttBrokerLog.PersistenceFailed(logger, e);
        }
    }
}
