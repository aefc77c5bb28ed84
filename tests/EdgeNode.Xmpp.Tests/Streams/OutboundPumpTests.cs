using System.IO.Pipelines;
using System.Text;
using EdgeNode.Xmpp.Streams;
using EdgeNode.Xmpp.Tests.Offline;

namespace EdgeNode.Xmpp.Tests.Streams;

/// <summary>The close order of a bound connection: queued bytes, then the goodbye, then completion, one writer at a time.</summary>
public class OutboundPumpTests
{
    private const int Capacity = 4096;

    [Fact]
    public async Task StopAsync_BufferFullWhenClosing_WritesEverythingQueuedAndTheGoodbyeAfterIt()
    {
        var pipe = new Pipe();
        var session = new C2sSession("juliet@pi.example", "balcony", Capacity, new RecordingOwner());
        var pump = new OutboundPump(session, pipe.Writer, new CancellationTokenSource(), () => { });

        // The buffer is filled to the last byte before the pump runs: no room is left in it for a goodbye.
        byte[] stanza = Encoding.UTF8.GetBytes("<message><body>" + new string('q', 1000) + "</body></message>");
        int queued = Capacity / stanza.Length;
        for (int i = 0; i < queued; i++)
        {
            Assert.True(session.Send(stanza));
        }

        byte[] filler = new byte[Capacity - (queued * stanza.Length)];
        filler.AsSpan().Fill((byte)' ');
        Assert.True(session.Send(filler));
        Assert.Equal(Capacity, session.Outbound.Length);

        pump.Start();
        Assert.True(await pump.StopAsync(CancellationToken.None));
        Assert.True(pump.Completion.IsCompleted);
        await pipe.Writer.WriteAsync("</stream:stream>"u8.ToArray());
        await pipe.Writer.CompleteAsync();

        string received = await ReadAllAsync(pipe.Reader);
        Assert.Equal(Capacity + "</stream:stream>".Length, Encoding.UTF8.GetByteCount(received));
        Assert.Equal(queued, received.Split("<message>").Length - 1);
        Assert.EndsWith(" </stream:stream>", received);
        Assert.Equal(Capacity, session.FlushedBytes);
    }

    [Fact]
    public async Task StopAsync_PeerNeverReads_AbortsTheTransportAndReturnsOnlyOnceThePumpHasStopped()
    {
        var writer = new StuckWriter();
        var session = new C2sSession("juliet@pi.example", "balcony", Capacity, new RecordingOwner());
        var pump = new OutboundPump(session, writer, new CancellationTokenSource(), writer.Abort);
        pump.Start();
        Assert.True(session.Send("<message><body>never read</body></message>"u8));
        await writer.Flushing.Task;

        using var grace = new CancellationTokenSource();
        Task<bool> stopping = pump.StopAsync(grace.Token);
        Assert.False(stopping.IsCompleted);
        await grace.CancelAsync();

        Assert.False(await stopping);
        Assert.True(writer.Aborted);
        Assert.True(pump.Completion.IsCompleted);
        Assert.Equal(0, writer.CallsInFlight);

        // Only now may the connection complete its writer; the pump can no longer touch it.
        writer.Complete();
        Assert.False(writer.UsedAfterComplete);
    }

    private static async Task<string> ReadAllAsync(PipeReader reader)
    {
        var text = new StringBuilder();
        while (true)
        {
            ReadResult result = await reader.ReadAsync();
            foreach (ReadOnlyMemory<byte> segment in result.Buffer)
            {
                text.Append(Encoding.UTF8.GetString(segment.Span));
            }

            reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                return text.ToString();
            }
        }
    }

    /// <summary>
    /// A socket whose peer stopped reading: a flush never completes and ignores cancellation, until the transport is
    /// aborted. It records calls made while another is in flight or after completion.
    /// </summary>
    private sealed class StuckWriter : PipeWriter
    {
        private readonly TaskCompletionSource<FlushResult> _stuck = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly byte[] _buffer = new byte[64 * 1024];
        private int _inFlight;
        private volatile bool _completed;

        public TaskCompletionSource Flushing { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public bool Aborted { get; private set; }
        public bool UsedAfterComplete { get; private set; }
        public int CallsInFlight => Volatile.Read(ref _inFlight);

        public void Abort()
        {
            Aborted = true;
            _stuck.TrySetResult(new FlushResult(isCanceled: false, isCompleted: true));
        }

        public override void Advance(int bytes) => Touch();

        public override Memory<byte> GetMemory(int sizeHint = 0)
        {
            Touch();
            return _buffer;
        }

        public override Span<byte> GetSpan(int sizeHint = 0)
        {
            Touch();
            return _buffer;
        }

        public override void CancelPendingFlush() => Touch();

        public override void Complete(Exception? exception = null)
        {
            if (Volatile.Read(ref _inFlight) != 0)
            {
                UsedAfterComplete = true;
            }

            _completed = true;
        }

        public override async ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            Touch();
            Interlocked.Increment(ref _inFlight);
            try
            {
                Flushing.TrySetResult();
                return await _stuck.Task;
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }
        }

        private void Touch()
        {
            if (_completed)
            {
                UsedAfterComplete = true;
            }
        }
    }
}
