using System.Buffers;
using System.IO.Pipelines;

namespace EdgeNode.Core.Tls;

/// <summary>
/// A connection's pipe pair as one Stream, for an SslStream laid over it mid-stream (STARTTLS), as Kestrel's
/// HttpsConnectionMiddleware does. Bytes the pipe already buffered stay where they are and are read first.
/// </summary>
public sealed class DuplexPipeStream(PipeReader input, PipeWriter output) : Stream
{
    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            ReadResult result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            if (result.IsCanceled)
            {
                input.AdvanceTo(buffer.Start);
                throw new OperationCanceledException("The read was cancelled.");
            }

            if (!buffer.IsEmpty)
            {
                int length = (int)Math.Min(buffer.Length, destination.Length);
                buffer.Slice(0, length).CopyTo(destination.Span);
                input.AdvanceTo(buffer.GetPosition(length));
                return length;
            }

            input.AdvanceTo(buffer.End);
            if (result.IsCompleted)
            {
                return 0;
            }
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
    {
        FlushResult result = await output.WriteAsync(source, cancellationToken).ConfigureAwait(false);
        if (result.IsCanceled)
        {
            throw new OperationCanceledException("The write was cancelled.");
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task FlushAsync(CancellationToken cancellationToken) => output.FlushAsync(cancellationToken).AsTask();

    public override void Flush() => throw new NotSupportedException("Synchronous I/O is not used on connections.");
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Synchronous I/O is not used on connections.");
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("Synchronous I/O is not used on connections.");
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            input.Complete();
            output.Complete();
        }

        base.Dispose(disposing);
    }
}
