using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Matrix.Bridge;

/// <summary>
/// Where what other protocols tell Matrix about presence and typing waits to be written: the router calls from the
/// sender's connection thread, which must not wait for the store, so the writes run one at a time on this queue's
/// loop. A presence refresh for an account already waiting is not queued twice (the refresh reads the latest views
/// when it runs). Bounded: when full, typing is dropped (it is ephemeral) and the burst is logged once.
/// </summary>
internal sealed class PresenceQueue : IDisposable
{
    private const int Capacity = 4096;
    private readonly Channel<(string What, Action Work)> _work =
        Channel.CreateBounded<(string, Action)>(new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly ConcurrentDictionary<string, byte> _pendingRefresh = new(StringComparer.Ordinal);
    private readonly ILogger _logger;
    private readonly Task _loop;
    private int _fullLogged;

    public PresenceQueue(ILogger logger)
    {
        _logger = logger;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Queues a refresh of one account's shown presence unless one is waiting already.</summary>
    public void Refresh(string bare, Action<string> refresh)
    {
        if (!_pendingRefresh.TryAdd(bare, 0)) return;
        if (!Enqueue(bare, () =>
            {
                _pendingRefresh.TryRemove(bare, out _);
                refresh(bare);
            }))
        {
            _pendingRefresh.TryRemove(bare, out _);
        }
    }

    /// <summary>Queues one piece of work; false when the queue is full (or closed) and it was dropped.</summary>
    public bool Enqueue(string what, Action work)
    {
        if (_work.Writer.TryWrite((what, work)))
        {
            Volatile.Write(ref _fullLogged, 0);
            return true;
        }

        if (Interlocked.Exchange(ref _fullLogged, 1) == 0) PresenceBridgeLog.QueueFull(_logger, Capacity);
        return false;
    }

    /// <summary>Completes once everything queued before the call has run.</summary>
    public Task FlushAsync()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_work.Writer.TryWrite(("flush", () => done.TrySetResult()))) done.TrySetResult();
        return done.Task;
    }

    private async Task RunAsync()
    {
        await foreach (var (what, work) in _work.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                work();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // One account's failed write must not stop presence for everyone else.
                PresenceBridgeLog.WorkFailed(_logger, what, e);
            }
        }
    }

    public void Dispose()
    {
        _work.Writer.TryComplete();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }
}
