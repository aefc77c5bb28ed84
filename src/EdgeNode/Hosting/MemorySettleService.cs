using Microsoft.Extensions.Hosting;

namespace EdgeNode.Hosting;

/// <summary>
/// Gives memory back once a burst of work is over. The garbage collector runs when allocations demand it, never
/// because the process went quiet, so what a burst left behind (start-up, a crowd of devices reconnecting after a
/// power cut, a flood of log-ins) stays committed for as long as the node then idles. This service watches the
/// allocation counter: when at least <see cref="BurstBytes"/> were allocated since the last settle (start-up counts
/// as one) and the last tick saw almost nothing, it runs one compacting collection that returns free memory to the
/// system. A busy node is never interrupted by it; an idle one pays one pause per burst.
/// </summary>
public sealed class MemorySettleService : BackgroundService
{
    /// <summary>Allocated since the last settle before another is worth its pause.</summary>
    public const long BurstBytes = 16L * 1024 * 1024;

    /// <summary>At most this much allocated during a tick counts as quiet.</summary>
    public const long QuietBytes = 256L * 1024;

    private readonly TimeSpan _tick;
    private readonly Func<long> _allocated;
    private readonly Action _settle;
    private long _settledAt = -BurstBytes;
    private long _last;

    public MemorySettleService(TimeSpan tick)
        : this(tick, static () => GC.GetTotalAllocatedBytes(),
            // Aggressive: compact every generation and decommit what is free, as for a low-memory notice.
            static () => GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true))
    {
    }

    internal MemorySettleService(TimeSpan tick, Func<long> allocated, Action settle)
    {
        _tick = tick;
        _allocated = allocated;
        _settle = settle;
        _last = allocated();
    }

    /// <summary>How many settles ran.</summary>
    public int Settles { get; private set; }

    /// <summary>One tick: settles when the tick was quiet and a burst came before it. True when it settled.</summary>
    internal bool Tick()
    {
        long now = _allocated();
        bool quiet = now - _last <= QuietBytes;
        _last = now;
        if (!quiet || now - _settledAt < BurstBytes)
        {
            return false;
        }

        _settle();
        Settles++;
        _settledAt = _last = _allocated();
        return true;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_tick);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                Tick();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
