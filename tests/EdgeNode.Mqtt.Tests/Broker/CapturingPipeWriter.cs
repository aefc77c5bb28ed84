using System.IO.Pipelines;

namespace EdgeNode.Mqtt.Tests.Broker;

/// <summary>
/// The broker's socket output as a plain growable buffer, so tests see exactly what our code writes and allocates
/// (a real Kestrel connection writes into pooled blocks; that pool is Kestrel's, not the broker's, business).
/// </summary>
internal sealed class CapturingPipeWriter : PipeWriter
{
    private readonly Lock _lock = new();
    private byte[] _buffer = new byte[1 << 16];
    private int _length;
    private int _maxLength;
    private bool _completed;
    private bool _stalled;
    private TaskCompletionSource<FlushResult>? _pendingFlush;

    public bool IsCompleted
    {
        get
        {
            lock (_lock)
            {
                return _completed;
            }
        }
    }

    /// <summary>The most bytes held at once since <see cref="Stall"/>: what the broker had written and the socket not taken.</summary>
    public int MaxLength
    {
        get
        {
            lock (_lock)
            {
                return _maxLength;
            }
        }
    }

    public override void Advance(int bytes)
    {
        lock (_lock)
        {
            _length += bytes;
            _maxLength = Math.Max(_maxLength, _length);
        }
    }

    /// <summary>From now on the socket takes nothing: a flush waits until <see cref="Flow"/> (or is cancelled).</summary>
    public void Stall()
    {
        lock (_lock)
        {
            _stalled = true;
            _maxLength = _length;
        }
    }

    /// <summary>The socket takes everything again; a waiting flush completes.</summary>
    public void Flow()
    {
        TaskCompletionSource<FlushResult>? pending;
        lock (_lock)
        {
            _stalled = false;
            pending = _pendingFlush;
            _pendingFlush = null;
        }

        pending?.TrySetResult(new FlushResult(isCanceled: false, isCompleted: IsCompleted));
    }

    public override Memory<byte> GetMemory(int sizeHint = 0)
    {
        lock (_lock)
        {
            int need = _length + Math.Max(sizeHint, 256);
            if (need > _buffer.Length)
            {
                Array.Resize(ref _buffer, Math.Max(need, _buffer.Length * 2));
            }

            return _buffer.AsMemory(_length);
        }
    }

    public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (!_stalled || _completed)
            {
                return new(new FlushResult(isCanceled: false, isCompleted: _completed));
            }

            _pendingFlush ??= new TaskCompletionSource<FlushResult>(TaskCreationOptions.RunContinuationsAsynchronously);
            return new(_pendingFlush.Task);
        }
    }

    public override void CancelPendingFlush()
    {
        TaskCompletionSource<FlushResult>? pending;
        lock (_lock)
        {
            pending = _pendingFlush;
            _pendingFlush = null;
        }

        pending?.TrySetResult(new FlushResult(isCanceled: true, isCompleted: false));
    }

    public override void Complete(Exception? exception = null)
    {
        TaskCompletionSource<FlushResult>? pending;
        lock (_lock)
        {
            _completed = true;
            pending = _pendingFlush;
            _pendingFlush = null;
        }

        pending?.TrySetResult(new FlushResult(isCanceled: false, isCompleted: true));
    }

    /// <summary>Takes up to <paramref name="destination"/>.Length written bytes off the front; returns how many.</summary>
    public int Take(Span<byte> destination)
    {
        lock (_lock)
        {
            int n = Math.Min(destination.Length, _length);
            _buffer.AsSpan(0, n).CopyTo(destination);
            _buffer.AsSpan(n, _length - n).CopyTo(_buffer);
            _length -= n;
            return n;
        }
    }

    public byte[] Peek()
    {
        lock (_lock)
        {
            return _buffer.AsSpan(0, _length).ToArray();
        }
    }

    /// <summary>Forgets everything written so far; allocates nothing.</summary>
    public int Discard()
    {
        lock (_lock)
        {
            int n = _length;
            _length = 0;
            return n;
        }
    }
}
