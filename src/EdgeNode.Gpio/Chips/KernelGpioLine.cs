using System.Runtime.InteropServices;
using System.Threading.Channels;
using EdgeNode.Gpio.Uapi;

namespace EdgeNode.Gpio.Chips;

/// <summary>One requested kernel line (its request file descriptor). Edges are read by a small thread that polls it.</summary>
internal sealed unsafe class KernelGpioLine : IGpioLine
{
    private const int PollMilliseconds = 200;
    private readonly int _fd;
    private readonly Channel<GpioEdgeEvent>? _edges;
    private readonly Thread? _reader;
    private volatile bool _disposed;

    public int Offset { get; }
    public GpioLineSettings Settings { get; }

    public KernelGpioLine(int fd, int offset, GpioLineSettings settings)
    {
        _fd = fd;
        Offset = offset;
        Settings = settings;
        if (settings.Direction == GpioDirection.Input && settings.Edge != GpioEdge.None)
        {
            // A button pressed faster than anyone reads is not worth unbounded memory: keep the latest edges.
            _edges = Channel.CreateBounded<GpioEdgeEvent>(new BoundedChannelOptions(64) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
            _reader = new Thread(ReadEdges) { IsBackground = true, Name = $"gpio line {offset}" };
            _reader.Start();
        }
    }

    public bool Read()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var values = new GpioV2LineValues { Mask = 1 };
        if (Libc.Ioctl(_fd, GpioUapi.LineGetValues, &values) < 0) throw KernelGpioChip.Error($"cannot read line {Offset}", Marshal.GetLastPInvokeError());
        return (values.Bits & 1) != 0;
    }

    public void Write(bool value)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Settings.Direction != GpioDirection.Output) throw new GpioException($"line {Offset} is an input; it cannot be written");
        var values = new GpioV2LineValues { Bits = value ? 1UL : 0UL, Mask = 1 };
        if (Libc.Ioctl(_fd, GpioUapi.LineSetValues, &values) < 0) throw KernelGpioChip.Error($"cannot write line {Offset}", Marshal.GetLastPInvokeError());
    }

    public ValueTask<GpioEdgeEvent> ReadEdgeAsync(CancellationToken cancellationToken)
    {
        if (_edges is null) throw new GpioException($"line {Offset} was not requested for edges");
        return _edges.Reader.ReadAsync(cancellationToken);
    }

    private void ReadEdges()
    {
        var buffer = stackalloc GpioV2LineEvent[16];
        var poll = new Libc.PollFd { Fd = _fd, Events = Libc.POLLIN };
        while (!_disposed)
        {
            var ready = Libc.Poll(&poll, 1, PollMilliseconds);
            if (ready <= 0 || _disposed) continue;
            var read = Libc.Read(_fd, buffer, (nuint)(sizeof(GpioV2LineEvent) * 16));
            if (read <= 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno is Libc.EINTR or Libc.EAGAIN) continue;
                _edges!.Writer.TryComplete(KernelGpioChip.Error($"reading edges of line {Offset} failed", errno));
                return;
            }
            for (var i = 0; i < read / sizeof(GpioV2LineEvent); i++)
            {
                var e = buffer[i];
                _edges!.Writer.TryWrite(new GpioEdgeEvent((int)e.Offset, e.Id == GpioV2LineEventId.RisingEdge, (long)e.TimestampNs, e.LineSeqno));
            }
        }
        _edges!.Writer.TryComplete();
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        // The reader sees _disposed within one poll period; the descriptor is closed only after it has stopped using
        // it, so it can never poll a closed (or reused) descriptor. Waiting readers are released either way.
        _reader?.Join();
        _edges?.Writer.TryComplete();
        Libc.Close(_fd);
    }
}
