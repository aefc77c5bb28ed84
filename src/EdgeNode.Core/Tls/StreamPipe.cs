using System.IO.Pipelines;

namespace EdgeNode.Core.Tls;

/// <summary>
/// A stream (a TLS stream, a socket's stream) as a connection's pipe pair, the way every XML and MQTT connection
/// reads and writes. Zero-byte reads: the reader rents its 4 KiB buffer only once the stream has bytes to give, so
/// an idle connection holds none. The stream stays open when the pipes complete; its owner disposes it.
/// </summary>
public sealed class StreamPipe(Stream stream) : IDuplexPipe
{
    public PipeReader Input { get; } = PipeReader.Create(stream,
        new StreamPipeReaderOptions(bufferSize: 4096, minimumReadSize: 1024, leaveOpen: true, useZeroByteReads: true));

    public PipeWriter Output { get; } = PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 4096, leaveOpen: true));
}
