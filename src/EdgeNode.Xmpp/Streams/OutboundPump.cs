using System.IO.Pipelines;
using EdgeNode.Core.Routing;

namespace EdgeNode.Xmpp.Streams;

/// <summary>
/// Drains a bound session's outbound buffer into its connection's <see cref="PipeWriter"/>. From the moment it starts
/// until <see cref="StopAsync"/> returns it is the only writer of the connection, so closing is ordered: the buffer
/// is completed, the pump writes and flushes what was queued and stops, and only then may the closer write its last
/// bytes and complete the writer. A peer that does not read within the grace period is cut off by aborting the
/// transport (a flush stuck on a full socket does not always heed cancellation), and the pump is still awaited
/// before the writer is touched again.
/// </summary>
internal sealed class OutboundPump
{
    private readonly C2sSession _session;
    private readonly PipeWriter _output;
    private readonly CancellationTokenSource _abort;
    private readonly Action _abortTransport;
    private Task _run = Task.CompletedTask;
    private long _lastSent = Environment.TickCount64;
    private volatile bool _failed;

    /// <param name="abort">Cancelled to make the pump give up (an overflow, the end of the grace period).</param>
    /// <param name="abortTransport">Breaks the connection so that a write blocked on the socket returns.</param>
    public OutboundPump(C2sSession session, PipeWriter output, CancellationTokenSource abort, Action abortTransport)
    {
        _session = session;
        _output = output;
        _abort = abort;
        _abortTransport = abortTransport;
    }

    /// <summary>When the pump last wrote (Environment.TickCount64), for the keepalive.</summary>
    public long LastSent => Volatile.Read(ref _lastSent);

    /// <summary>Completes when the pump has stopped for good.</summary>
    public Task Completion => _run;

    /// <summary>Called by the pump when the connection failed under it (the owner ends the session).</summary>
    public Action? Failed { get; init; }

    public void Start() => _run = RunAsync();

    private async Task RunAsync()
    {
        OutboundBuffer outbound = _session.Outbound;
        try
        {
            while (true)
            {
                if (!outbound.TryDrainTo(_output, out int drained) || outbound.Overflowed)
                {
                    return;
                }

                if (drained > 0)
                {
                    Volatile.Write(ref _lastSent, Environment.TickCount64);
                    FlushResult flush = await _output.FlushAsync(_abort.Token).ConfigureAwait(false);
                    if (flush.IsCompleted || flush.IsCanceled)
                    {
                        _failed = true;
                        return;
                    }

                    _session.OnFlushed(drained);
                    continue;
                }

                await outbound.WaitAsync().ConfigureAwait(false);
            }
        }
        catch (Exception e) when (C2sConnection.IsConnectionFailure(e))
        {
            _failed = true;
            Failed?.Invoke();
        }
        finally
        {
            _session.OnOutputStopped();
        }
    }

    /// <summary>
    /// Takes no more bytes, lets the pump write and flush what is queued, and returns once it has stopped: true when
    /// everything queued reached the socket, so the closer may write its last bytes after it; false when the peer
    /// did not read within <paramref name="grace"/> (the transport is then aborted), the connection failed, or the
    /// buffer had overflowed.
    /// </summary>
    public async Task<bool> StopAsync(CancellationToken grace)
    {
        _session.Outbound.Complete();
        try
        {
            await _run.WaitAsync(grace).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            try
            {
                _abort.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }

            _abortTransport();
            await _run.ConfigureAwait(false);
            return false;
        }

        return !_failed && !_session.Outbound.Overflowed;
    }
}
