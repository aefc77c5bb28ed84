using System.Buffers;
using System.IO.Pipelines;
using System.Threading.Tasks.Sources;

namespace EdgeNode.Core.Routing;

/// <summary>
/// The bytes waiting to be written to one session's connection, from any number of producers (the router, the
/// session's own replies). One pump per session drains it into the connection's <see cref="PipeWriter"/>. The
/// buffer is capped: a peer that never reads fills it and <see cref="TryWrite"/> says so, and the session is ended
/// rather than the node's memory growing. The bytes live in an array rented from the shared pool only while some
/// wait: an idle session holds none, and appending and waking the pump allocate nothing in the steady state.
/// </summary>
public sealed class OutboundBuffer : IValueTaskSource<bool>
{
    private const int InitialBytes = 4096;
    // Larger arrays (a session may be allowed megabytes) go to the garbage collector rather than stay in the pool.
    private const int PooledBytes = 64 * 1024;

    private readonly Lock _lock = new();
    private readonly int _capacity;
    private byte[]? _buffer;
    private int _length;
    private bool _completed;
    private bool _overflowed;
    private bool _waiting;
    private ManualResetValueTaskSourceCore<bool> _signal;

    public OutboundBuffer(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1024);
        _capacity = capacity;
        _signal.RunContinuationsAsynchronously = true;
    }

    /// <summary>True once a write did not fit; nothing more is taken.</summary>
    public bool Overflowed
    {
        get
        {
            lock (_lock)
            {
                return _overflowed;
            }
        }
    }

    /// <summary>Bytes of pooled memory held now (for tests: none while nothing waits).</summary>
    internal int HeldBytes
    {
        get
        {
            lock (_lock)
            {
                return _buffer?.Length ?? 0;
            }
        }
    }

    /// <summary>Bytes waiting.</summary>
    public int Length
    {
        get
        {
            lock (_lock)
            {
                return _length;
            }
        }
    }

    /// <summary>Appends whole units (never part of one); false when the buffer is completed or would exceed its cap.</summary>
    public bool TryWrite(ReadOnlySpan<byte> data) => TryWrite(data, default, default);

    /// <summary>Appends up to three pieces as one unit, so that no other producer's bytes come between them.</summary>
    public bool TryWrite(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, ReadOnlySpan<byte> third)
    {
        int total = first.Length + second.Length + third.Length;
        lock (_lock)
        {
            if (_completed || _overflowed)
            {
                return false;
            }

            if (_length + total > _capacity)
            {
                _overflowed = true;
                WakeLocked();
                return false;
            }

            EnsureCapacityLocked(_length + total);
            Span<byte> free = _buffer!.AsSpan(_length);
            first.CopyTo(free);
            second.CopyTo(free.Slice(first.Length));
            third.CopyTo(free.Slice(first.Length + second.Length));
            _length += total;
            WakeLocked();
            return true;
        }
    }

    /// <summary>No more writes; the pump drains what is left and then sees the end.</summary>
    public void Complete()
    {
        lock (_lock)
        {
            _completed = true;
            WakeLocked();
        }
    }

    /// <summary>
    /// Moves everything waiting into <paramref name="output"/> (without flushing it). Returns false when there was
    /// nothing and the buffer is completed or overflowed: the pump's cue to stop.
    /// </summary>
    public bool TryDrainTo(IBufferWriter<byte> output, out int drained)
    {
        ArgumentNullException.ThrowIfNull(output);
        lock (_lock)
        {
            drained = _length;
            if (_length == 0)
            {
                return !(_completed || _overflowed);
            }

            output.Write(_buffer.AsSpan(0, _length));
            _length = 0;
            Release(_buffer!);
            _buffer = null;
            return true;
        }
    }

    /// <summary>Completes when there is something to drain, or the buffer is completed or overflowed. One waiter at a time.</summary>
    public ValueTask<bool> WaitAsync()
    {
        lock (_lock)
        {
            if (_length > 0 || _completed || _overflowed)
            {
                return new ValueTask<bool>(true);
            }

            _signal.Reset();
            _waiting = true;
            return new ValueTask<bool>(this, _signal.Version);
        }
    }

    private void WakeLocked()
    {
        if (_waiting)
        {
            _waiting = false;
            _signal.SetResult(true);
        }
    }

    private void EnsureCapacityLocked(int needed)
    {
        if (_buffer is not null && needed <= _buffer.Length)
        {
            return;
        }

        int size = Math.Max(needed, Math.Min(_capacity, Math.Max(InitialBytes, (_buffer?.Length ?? 0) * 2)));
        byte[] larger = ArrayPool<byte>.Shared.Rent(size);
        if (_buffer is not null)
        {
            _buffer.AsSpan(0, _length).CopyTo(larger);
            Release(_buffer);
        }

        _buffer = larger;
    }

    private static void Release(byte[] array)
    {
        if (array.Length <= PooledBytes)
        {
            ArrayPool<byte>.Shared.Return(array);
        }
    }

    bool IValueTaskSource<bool>.GetResult(short token) => _signal.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _signal.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _signal.OnCompleted(continuation, state, token, flags);
}

