using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Authentication;
using Microsoft.Win32.SafeHandles;

namespace EdgeNode.Core.Tls;

/// <summary>
/// The server side of a TLS connection over a transport's pipes, on OpenSSL with its record buffers released
/// while idle (SSL_MODE_RELEASE_BUFFERS). Idle, it holds no buffer at all: zero-byte reads wait on the transport,
/// ciphertext is read straight from the transport's buffers and written straight into its output. One reader and
/// one writer may run at the same time; every call into the SSL object is serialised by a lock.
/// </summary>
/// <remarks>
/// OpenSSL reaches the transport through a BIO whose read and write call back into this class; the callbacks run
/// synchronously inside the SSL call on the same thread, so the stream they serve is found in a thread-static
/// field rather than through a handle stored in the BIO.
/// </remarks>
public sealed class TlsServerStream : Stream
{
    // TLS records carry at most 16 KiB of plaintext; writing in such pieces keeps each piece's ciphertext small.
    private const int WriteChunk = 16 * 1024;

    private static readonly nint s_bioMethod = CreateBioMethod();

    [ThreadStatic]
    private static TlsServerStream? t_current;

    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly bool _leaveTransportOpen;
    private readonly Lock _sync = new();
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private SslHandle? _ssl;

    // The ciphertext the current SSL call may take (set only for the length of that call).
    private unsafe byte* _in;
    private int _inLength;
    private int _inTaken;

    // Ciphertext an SSL call produced: written into the transport's output at once when the caller holds the write
    // gate, otherwise kept here (in order) until the next holder of the gate moves it out.
    private bool _direct;
    private byte[]? _staged;
    private int _stagedLength;

    public TlsServerStream(TlsServerContext context, IDuplexPipe transport, bool leaveTransportOpen = false)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(transport);
        _input = transport.Input;
        _output = transport.Output;
        _leaveTransportOpen = leaveTransportOpen;
        OpenSsl.ErrClearError();
        nint ssl = OpenSsl.SslNew(context.Handle);
        if (ssl == 0) throw new IOException($"TLS: SSL_new: {OpenSsl.TakeErrors("failed")}");
        _ssl = new SslHandle(ssl);
        nint bio = OpenSsl.BioNew(s_bioMethod);
        if (bio == 0)
        {
            _ssl.Dispose();
            throw new IOException($"TLS: BIO_new: {OpenSsl.TakeErrors("failed")}");
        }
        OpenSsl.BioSetInit(bio, 1);
        OpenSsl.SslSetBio(ssl, bio, bio); // the SSL object owns the BIO from here
        OpenSsl.SslSetAcceptState(ssl);
    }

    /// <summary>The protocol version agreed, e.g. "TLSv1.3"; null before the handshake.</summary>
    public string? ProtocolVersion { get; private set; }

    /// <summary>The application protocol chosen by ALPN, or null when none was.</summary>
    public string? ApplicationProtocol { get; private set; }

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>Runs the server handshake; throws <see cref="AuthenticationException"/> when the client's TLS fails.</summary>
    public async Task AuthenticateAsServerAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadResult result = await _input.ReadAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> data = result.Buffer;
            Outcome outcome = Feed(data, default, handshake: true, out long consumed, out _, out string? error);
            SequencePosition at = data.GetPosition(consumed);
            _input.AdvanceTo(at, outcome == Outcome.WantInput ? data.End : at);
            // The server's flights (and, on failure, the alert that tells the client why) go out before anything else.
            await SendStagedAsync(cancellationToken, bestEffort: outcome == Outcome.Failed).ConfigureAwait(false);
            switch (outcome)
            {
                case Outcome.Done:
                    DescribeSession();
                    return;
                case Outcome.Failed:
                    throw new AuthenticationException($"TLS handshake failed: {error}");
                case Outcome.Closed:
                    throw new AuthenticationException("TLS handshake failed: the client closed the session");
            }
            if (result.IsCompleted) throw new IOException("the client closed the connection during the TLS handshake");
            if (result.IsCanceled) throw new OperationCanceledException("the TLS handshake was cancelled");
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (destination.IsEmpty)
        {
            // A zero-byte read: wait until there is something to decrypt, without holding any buffer meanwhile.
            if (HasPending()) return 0;
            ReadResult waited = await _input.ReadAsync(cancellationToken).ConfigureAwait(false);
            _input.AdvanceTo(waited.Buffer.Start);
            return 0;
        }

        while (true)
        {
            if (HasPending())
            {
                Outcome held = Feed(ReadOnlySequence<byte>.Empty, destination, handshake: false, out _, out int ready, out string? heldError);
                if (held != Outcome.WantInput) return await Finish(held, ready, heldError, cancellationToken).ConfigureAwait(false);
            }

            ReadResult result = await _input.ReadAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> data = result.Buffer;
            Outcome outcome = Feed(data, destination, handshake: false, out long consumed, out int produced, out string? error);
            SequencePosition at = data.GetPosition(consumed);
            // With plaintext out, ciphertext not yet taken stays for the next read; otherwise SSL took everything.
            _input.AdvanceTo(at, outcome == Outcome.WantInput ? data.End : at);
            if (outcome != Outcome.WantInput) return await Finish(outcome, produced, error, cancellationToken).ConfigureAwait(false);
            if (_stagedLength > 0) await SendStagedAsync(cancellationToken, bestEffort: false).ConfigureAwait(false);
            if (result.IsCompleted) return 0; // the transport ended without close_notify
            if (result.IsCanceled) throw new OperationCanceledException("the read was cancelled");
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            while (!source.IsEmpty)
            {
                int length = Math.Min(source.Length, WriteChunk);
                Encrypt(source.Span[..length]);
                source = source[length..];
            }
            FlushResult flushed = await _output.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (flushed.IsCanceled) throw new OperationCanceledException("the write was cancelled");
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask; // every write flushes

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Synchronous I/O is not used on connections.");
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("Synchronous I/O is not used on connections.");
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            lock (_sync)
            {
                _ssl?.Dispose();
                _ssl = null;
                ReturnStaged();
            }
            if (!_leaveTransportOpen)
            {
                _input.Complete();
                _output.Complete();
            }
        }
        base.Dispose(disposing);
    }

    // ---- the SSL calls ----

    private enum Outcome { WantInput, Done, Closed, Failed }

    /// <summary>
    /// Offers <paramref name="data"/> to the handshake or to a read, segment by segment, until the call completes
    /// (the handshake is done, or plaintext came out), the peer closed, it failed, or the data is all taken.
    /// </summary>
    private Outcome Feed(in ReadOnlySequence<byte> data, Memory<byte> destination, bool handshake, out long consumed,
        out int produced, out string? error)
    {
        consumed = 0;
        produced = 0;
        error = null;
        if (data.IsEmpty) return Call(default, destination.Span, handshake, out _, out produced, out error);
        foreach (ReadOnlyMemory<byte> segment in data)
        {
            ReadOnlySpan<byte> rest = segment.Span;
            while (!rest.IsEmpty)
            {
                Outcome outcome = Call(rest, destination.Span, handshake, out int taken, out produced, out error);
                consumed += taken;
                rest = rest[taken..];
                if (outcome != Outcome.WantInput) return outcome;
                if (taken == 0)
                {
                    // OpenSSL wants input yet took none of what was offered: waiting for more would stall for good.
                    error = "the TLS layer made no progress on the data received";
                    return Outcome.Failed;
                }
            }
        }
        return Outcome.WantInput;
    }

    private unsafe Outcome Call(ReadOnlySpan<byte> input, Span<byte> destination, bool handshake, out int taken, out int produced, out string? error)
    {
        taken = 0;
        produced = 0;
        error = null;
        fixed (byte* inputStart = input)
        fixed (byte* destinationStart = destination)
        {
            lock (_sync)
            {
                nint ssl = Ssl();
                _in = inputStart;
                _inLength = input.Length;
                _inTaken = 0;
                t_current = this;
                try
                {
                    OpenSsl.ErrClearError();
                    int result;
                    nuint read = 0;
                    if (handshake) result = OpenSsl.SslDoHandshake(ssl);
                    else result = OpenSsl.SslReadEx(ssl, destinationStart, (nuint)destination.Length, &read);
                    taken = _inTaken;
                    if (result == 1)
                    {
                        produced = (int)read;
                        return Outcome.Done;
                    }
                    switch (OpenSsl.SslGetError(ssl, result))
                    {
                        case OpenSsl.ErrorWantRead:
                            return Outcome.WantInput;
                        case OpenSsl.ErrorZeroReturn:
                            return Outcome.Closed;
                        default:
                            error = OpenSsl.TakeErrors("the peer's TLS data was not acceptable");
                            return Outcome.Failed;
                    }
                }
                finally
                {
                    t_current = null;
                    _in = null;
                    _inLength = 0;
                }
            }
        }
    }

    private unsafe void Encrypt(ReadOnlySpan<byte> plaintext)
    {
        fixed (byte* start = plaintext)
        {
            lock (_sync)
            {
                nint ssl = Ssl();
                MoveStagedToOutput();
                _direct = true;
                t_current = this;
                try
                {
                    OpenSsl.ErrClearError();
                    nuint written = 0;
                    int result = OpenSsl.SslWriteEx(ssl, start, (nuint)plaintext.Length, &written);
                    if (result != 1 || written != (nuint)plaintext.Length)
                    {
                        throw new IOException($"TLS write failed: {OpenSsl.TakeErrors("the session is no longer usable")}");
                    }
                }
                finally
                {
                    t_current = null;
                    _direct = false;
                }
            }
        }
    }

    private bool HasPending()
    {
        lock (_sync)
        {
            return OpenSsl.SslHasPending(Ssl()) == 1;
        }
    }

    private nint Ssl() => _ssl?.DangerousGetHandle() ?? throw new ObjectDisposedException(nameof(TlsServerStream));

    private async ValueTask<int> Finish(Outcome outcome, int produced, string? error, CancellationToken cancellationToken)
    {
        if (_stagedLength > 0) await SendStagedAsync(cancellationToken, bestEffort: outcome != Outcome.Done).ConfigureAwait(false);
        return outcome switch
        {
            Outcome.Done => produced,
            Outcome.Closed => 0,
            _ => throw new IOException($"TLS: {error}"),
        };
    }

    /// <summary>Writes out what SSL calls outside a write produced (handshake flights, alerts, key updates).</summary>
    private async ValueTask SendStagedAsync(CancellationToken cancellationToken, bool bestEffort)
    {
        try
        {
            await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                bool any;
                lock (_sync)
                {
                    any = _stagedLength > 0;
                    MoveStagedToOutput();
                }
                if (any) await _output.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _writeGate.Release();
            }
        }
        catch (Exception) when (bestEffort)
        {
            // An alert on its way out of a failed session: the failure itself is what the caller reports.
        }
    }

    // Under _sync, by the holder of the write gate.
    private void MoveStagedToOutput()
    {
        if (_stagedLength == 0) return;
        _output.Write(new ReadOnlySpan<byte>(_staged, 0, _stagedLength));
        _stagedLength = 0;
        ReturnStaged();
    }

    private void ReturnStaged()
    {
        if (_staged is null) return;
        ArrayPool<byte>.Shared.Return(_staged);
        _staged = null;
        _stagedLength = 0;
    }

    // Called back by OpenSSL inside an SSL call on this thread.
    private void TakeCiphertext(ReadOnlySpan<byte> ciphertext)
    {
        if (_direct)
        {
            _output.Write(ciphertext);
            return;
        }
        if (_staged is null || _staged.Length - _stagedLength < ciphertext.Length)
        {
            byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(4096, (_stagedLength + ciphertext.Length) * 2));
            if (_staged is not null)
            {
                _staged.AsSpan(0, _stagedLength).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(_staged);
            }
            _staged = larger;
        }
        ciphertext.CopyTo(_staged.AsSpan(_stagedLength));
        _stagedLength += ciphertext.Length;
    }

    private unsafe void DescribeSession()
    {
        lock (_sync)
        {
            nint ssl = Ssl();
            ProtocolVersion = Marshal.PtrToStringUTF8((nint)OpenSsl.SslGetVersion(ssl));
            byte* alpn;
            uint length;
            OpenSsl.SslGet0AlpnSelected(ssl, &alpn, &length);
            ApplicationProtocol = length == 0 ? null : System.Text.Encoding.ASCII.GetString(alpn, (int)length);
        }
    }

    // ---- the BIO ----

    private static unsafe nint CreateBioMethod()
    {
        ReadOnlySpan<byte> name = "edgenode transport\0"u8;
        fixed (byte* namePointer = name)
        {
            nint method = OpenSsl.BioMethNew(OpenSsl.BioGetNewIndex() | OpenSsl.BioTypeSourceSink, namePointer);
            if (method == 0) throw new IOException($"TLS: BIO_meth_new: {OpenSsl.TakeErrors("failed")}");
            OpenSsl.BioMethSetRead(method, &BioRead);
            OpenSsl.BioMethSetWrite(method, &BioWrite);
            OpenSsl.BioMethSetCtrl(method, &BioControl);
            return method; // one for the life of the process
        }
    }

    [UnmanagedCallersOnly]
    private static unsafe int BioRead(nint bio, byte* buffer, int length)
    {
        TlsServerStream? stream = t_current;
        if (stream is null || length <= 0) return -1;
        int available = stream._inLength - stream._inTaken;
        if (available <= 0)
        {
            // "Try again when there is more": SSL_get_error then says SSL_ERROR_WANT_READ.
            OpenSsl.BioClearFlags(bio, OpenSsl.BioFlagsRetryMask);
            OpenSsl.BioSetFlags(bio, OpenSsl.BioFlagsRead | OpenSsl.BioFlagsShouldRetry);
            return -1;
        }
        int count = Math.Min(available, length);
        Buffer.MemoryCopy(stream._in + stream._inTaken, buffer, length, count);
        stream._inTaken += count;
        return count;
    }

    [UnmanagedCallersOnly]
    private static unsafe int BioWrite(nint bio, byte* data, int length)
    {
        TlsServerStream? stream = t_current;
        if (stream is null || length < 0) return -1;
        try
        {
            stream.TakeCiphertext(new ReadOnlySpan<byte>(data, length));
            return length;
        }
        catch (Exception)
        {
            // The transport's output is gone (the connection is closing); the SSL call reports the failure.
            return -1;
        }
    }

    [UnmanagedCallersOnly]
    private static nint BioControl(nint bio, int command, nint larg, nint parg) => command == OpenSsl.BioCtrlFlush ? 1 : 0;

    private sealed class SslHandle : SafeHandleZeroOrMinusOneIsInvalid
    {
        public SslHandle(nint ssl) : base(ownsHandle: true) => SetHandle(ssl);

        protected override bool ReleaseHandle()
        {
            OpenSsl.SslFree(handle);
            return true;
        }
    }
}
