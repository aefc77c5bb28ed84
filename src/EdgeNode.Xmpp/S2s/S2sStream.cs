using System.Buffers;
using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using EdgeNode.Core.Routing;
using EdgeNode.Core.Tls;
using EdgeNode.Xmpp.Streams;
using EdgeNode.Xmpp.Xml;
using Microsoft.AspNetCore.Connections;

namespace EdgeNode.Xmpp.S2s;

/// <summary>How a server-to-server stream ends (for logs and bounces).</summary>
internal enum S2sCloseReason
{
    None,
    PeerClosed,
    StreamEnded,
    StreamError,
    PeerStreamError,
    TlsFailed,
    AuthFailed,
    Timeout,
    Idle,
    Overflow,
    Shutdown,
}

/// <summary>
/// What inbound and outbound server streams share: the read loop over the XML stream reader, STARTTLS over the
/// connection's pipes, one bounded output buffer drained by a pump (so stanzas may be queued from any thread), and
/// closing with a stream error. Subclasses say what the elements mean in their role.
/// </summary>
internal abstract class S2sStream
{
    protected const int OutboundCapacity = 4 * 1024 * 1024;
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(2);

    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly CancellationTokenSource _abort = new();
    private readonly OutboundBuffer _outbound = new(OutboundCapacity);
    private IDuplexPipe? _raw;
    private SslStream? _tls;
    private XmlStreamState _state;
    private Task? _pump;
    private int _closeReason;
    private string? _errorCondition;
    private string? _errorText;

    protected S2sStream(S2sService service, string id)
    {
        Service = service;
        Id = id;
        Xml = new XmlStreamContext(service.StreamOptions);
    }

    public S2sService Service { get; }
    public string Id { get; }
    public bool Secure { get; private set; }

    /// <summary>TLS from the first byte (XEP-0368), not negotiated with STARTTLS.</summary>
    public bool DirectTls { get; private set; }
    public DateTimeOffset OpenedAt { get; } = DateTimeOffset.UtcNow;
    public X509Certificate2? RemoteCertificate { get; private set; }
    public X509Certificate2Collection? RemoteIntermediates { get; private set; }
    public string TlsProtocol { get; private set; } = "";
    protected XmlStreamContext Xml { get; }
    protected PipeReader Input { get; private set; } = null!;
    protected PipeWriter Output { get; private set; } = null!;
    protected long LastReceived { get; private set; } = Environment.TickCount64;
    protected long LastSent { get; private set; } = Environment.TickCount64;
    protected long Opened { get; } = Environment.TickCount64;
    internal S2sCloseReason CloseReason => (S2sCloseReason)Volatile.Read(ref _closeReason);
    internal string? ErrorText => _errorText;
    internal string? ErrorCondition => _errorCondition;
    public bool IsClosed => Volatile.Read(ref _closeReason) != 0;

    protected enum Step
    {
        Continue,
        Restart,
        StartTls,
        Close,
    }

    /// <summary>Starts reading and writing over a connected transport (plain, or TLS already for direct TLS).</summary>
    protected void Attach(IDuplexPipe raw, PipeReader input, PipeWriter output, SslStream? tls)
    {
        _raw = raw;
        Input = input;
        Output = output;
        if (tls is not null)
        {
            DirectTls = true;
            OnTls(tls);
        }

        _pump = PumpAsync();
    }

    /// <summary>
    /// Starts over a transport whose TLS someone else already terminated (Kestrel on the direct TLS listener):
    /// the stream is secure from its first byte, and the peer's certificate is judged here as after STARTTLS.
    /// </summary>
    protected void AttachSecured(IDuplexPipe transport, string protocol, X509Certificate2? certificate, X509Certificate2Collection? intermediates)
    {
        _raw = transport;
        Input = transport.Input;
        Output = transport.Output;
        Secure = true;
        DirectTls = true;
        TlsProtocol = protocol;
        RemoteCertificate = certificate;
        RemoteIntermediates = intermediates;
        S2sLog.TlsEstablished(Service.Logger, Id, PeerName, protocol + " (direct TLS)");
        _pump = PumpAsync();
    }

    protected abstract Step OnHeader(XmlElement header);

    protected abstract Step OnElement(XmlElement element);

    /// <summary>Called when STARTTLS was agreed: the role's TLS handshake over <paramref name="transport"/>.</summary>
    protected abstract Task AuthenticateTlsAsync(SslStream tls, CancellationToken cancellationToken);

    /// <summary>Called after a stream restart was decided (TLS, SASL success); the subclass may send a new header.</summary>
    protected virtual void OnRestart()
    {
    }

    protected async Task ReadLoopAsync()
    {
        while (true)
        {
            ReadResult result = await Input.ReadAsync().ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            if (IsClosed)
            {
                Input.AdvanceTo(buffer.Start, buffer.End);
                return;
            }

            if (result.IsCanceled)
            {
                Input.AdvanceTo(buffer.Start, buffer.End);
                continue;
            }

            if (!buffer.IsEmpty)
            {
                LastReceived = Environment.TickCount64;
            }

            Step step;
            SequencePosition consumed;
            SequencePosition examined;
            try
            {
                step = Process(buffer, out consumed, out examined);
            }
            catch (XmlStreamException e)
            {
                Input.AdvanceTo(buffer.End);
                StreamError(Encoding.UTF8.GetString(XmlStreamErrorConditions.GetName(e.Condition)), e.Message);
                return;
            }

            Input.AdvanceTo(consumed, examined);
            TimeSpan pause = ReadPause();
            if (pause > TimeSpan.Zero && step == Step.Continue)
            {
                await Task.Delay(pause).ConfigureAwait(false);
            }

            if (step == Step.StartTls && !await UpgradeAsync().ConfigureAwait(false))
            {
                return;
            }

            if (step == Step.Close || IsClosed)
            {
                return;
            }

            if (result.IsCompleted)
            {
                SetClose(S2sCloseReason.PeerClosed);
                return;
            }
        }
    }

    private Step Process(ReadOnlySequence<byte> buffer, out SequencePosition consumed, out SequencePosition examined)
    {
        var reader = new XmlStreamReader(buffer, _state, Xml);
        Step step = Step.Continue;
        while (reader.Read())
        {
            step = reader.Event switch
            {
                XmlStreamEvent.StreamHeader => OnHeader(reader.Element),
                XmlStreamEvent.Stanza => OnStreamElement(reader.Element),
                _ => OnStreamEnd(),
            };

            if (step != Step.Continue)
            {
                break;
            }
        }

        consumed = reader.Consumed;
        examined = reader.Examined;
        if (step == Step.Restart)
        {
            _state = default;
            OnRestart();
            return Step.Continue;
        }

        _state = reader.State;
        return step;
    }

    private Step OnStreamElement(XmlElement element)
    {
        if (element.Is("error"u8, XmlNamespaces.Streams))
        {
            string condition = "undefined-condition";
            string text = "";
            foreach (XmlElement child in element.Children)
            {
                if (child.LocalName.SequenceEqual("text"u8))
                {
                    text = child.Text.GetString();
                }
                else
                {
                    condition = Encoding.UTF8.GetString(child.LocalName);
                }
            }

            OnPeerStreamError(condition, text);
            _errorCondition ??= condition;
            _errorText ??= text.Length > 0 ? $"the peer said {condition}: {text}" : $"the peer said {condition}";
            SetClose(S2sCloseReason.PeerStreamError);
            return Step.Close;
        }

        return OnElement(element);
    }

    /// <summary>How long to wait before reading again (a peer over its stanza rate); zero for at once.</summary>
    protected virtual TimeSpan ReadPause() => TimeSpan.Zero;

    protected virtual void OnPeerStreamError(string condition, string text)
    {
    }

    private Step OnStreamEnd()
    {
        SetClose(S2sCloseReason.StreamEnded);
        return Step.Close;
    }

    // ---- TLS ----

    private async Task<bool> UpgradeAsync()
    {
        await _writeGate.WaitAsync().ConfigureAwait(false);
        try
        {
            // Whatever the read loop queued (proceed, starttls) goes out in the clear before the handshake.
            _outbound.TryDrainTo(Output, out _);
            await Output.FlushAsync().ConfigureAwait(false);
            var tls = new SslStream(new DuplexPipeStream(_raw!.Input, _raw.Output), leaveInnerStreamOpen: false);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await AuthenticateTlsAsync(tls, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException or OperationCanceledException
                or ObjectDisposedException or SocketException)
            {
                await tls.DisposeAsync().ConfigureAwait(false);
                _errorText ??= "TLS negotiation failed: " + e.Message;
                S2sLog.TlsFailed(Service.Logger, Id, PeerName, e.Message);
                SetClose(S2sCloseReason.TlsFailed);
                return false;
            }

            var secured = new StreamPipe(tls);
            Input = secured.Input;
            Output = secured.Output;
            OnTls(tls);
            _state = default;
            OnRestart();
            return true;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private void OnTls(SslStream tls)
    {
        _tls = tls;
        Secure = true;
        TlsProtocol = tls.SslProtocol.ToString();
        RemoteCertificate = tls.RemoteCertificate as X509Certificate2;
        S2sLog.TlsEstablished(Service.Logger, Id, PeerName, TlsProtocol);
    }

    /// <summary>A validation callback that never fails the handshake: the certificate is judged afterwards.</summary>
    protected bool KeepCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (chain is not null && chain.ChainPolicy.ExtraStore.Count > 0)
        {
            RemoteIntermediates = [.. chain.ChainPolicy.ExtraStore];
        }

        return true;
    }

    /// <summary>The name of the peer for logs.</summary>
    public abstract string PeerName { get; }

    // ---- output ----

    /// <summary>Queues bytes for the peer (any thread); false when the stream is closing or its buffer overflowed.</summary>
    public bool Send(ReadOnlySpan<byte> data)
    {
        if (_outbound.TryWrite(data))
        {
            LastSent = Environment.TickCount64;
            return true;
        }

        if (_outbound.Overflowed)
        {
            RequestClose(S2sCloseReason.Overflow);
        }

        return false;
    }

    protected void Send(string text) => Send(Encoding.UTF8.GetBytes(text));

    private async Task PumpAsync()
    {
        try
        {
            while (true)
            {
                await _outbound.WaitAsync().ConfigureAwait(false);
                await _writeGate.WaitAsync(_abort.Token).ConfigureAwait(false);
                try
                {
                    if (!_outbound.TryDrainTo(Output, out int drained))
                    {
                        return;
                    }

                    if (drained > 0)
                    {
                        FlushResult flush = await Output.FlushAsync(_abort.Token).ConfigureAwait(false);
                        if (flush.IsCompleted || flush.IsCanceled)
                        {
                            return;
                        }
                    }
                }
                finally
                {
                    _writeGate.Release();
                }
            }
        }
        catch (Exception e) when (IsConnectionFailure(e))
        {
            RequestClose(S2sCloseReason.PeerClosed);
        }
    }

    // ---- closing ----

    protected Step StreamError(string condition, string? text)
    {
        _errorCondition ??= condition;
        _errorText ??= text;
        SetClose(S2sCloseReason.StreamError);
        S2sLog.StreamError(Service.Logger, Id, PeerName, condition, text ?? "");
        return Step.Close;
    }

    protected bool SetClose(S2sCloseReason reason) => Interlocked.CompareExchange(ref _closeReason, (int)reason, 0) == 0;

    /// <summary>Ends the stream from any thread (the read loop notices and closes).</summary>
    public void RequestClose(S2sCloseReason reason, string? text = null)
    {
        if (text is not null)
        {
            _errorText ??= text;
        }

        SetClose(reason);
        try
        {
            Input?.CancelPendingRead();
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException)
        {
        }

        if (reason == S2sCloseReason.Overflow)
        {
            try
            {
                _abort.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    /// <summary>A whitespace keepalive (RFC 6120 4.6.1) when nothing was sent for a while.</summary>
    public void KeepAlive(long now, long interval)
    {
        if (!IsClosed && Secure && now - LastSent > interval)
        {
            Send(" "u8);
        }
    }

    /// <summary>Writes the goodbye (a stream error when there is one), lets the pump finish, releases everything.</summary>
    protected async Task CloseTransportAsync(bool headerSent, ReadOnlyMemory<byte> headerForError)
    {
        S2sCloseReason reason = CloseReason;
        bool peerListens = reason is not (S2sCloseReason.PeerClosed or S2sCloseReason.Overflow or S2sCloseReason.TlsFailed or S2sCloseReason.None);
        if (peerListens && Input is not null)
        {
            var goodbye = new ArrayBufferWriter<byte>(256);
            if (!headerSent)
            {
                goodbye.Write(headerForError.Span);
            }

            string? condition = reason switch
            {
                S2sCloseReason.StreamError => _errorCondition,
                S2sCloseReason.Shutdown => "system-shutdown",
                S2sCloseReason.Timeout => "connection-timeout",
                _ => null,
            };
            if (condition is not null)
            {
                goodbye.Write("<stream:error><"u8);
                goodbye.Write(Encoding.UTF8.GetBytes(condition));
                goodbye.Write(" xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"u8);
                if (reason == S2sCloseReason.StreamError && _errorText is not null)
                {
                    goodbye.Write("<text xmlns='urn:ietf:params:xml:ns:xmpp-streams' xml:lang='en'>"u8);
                    XmlEscaping.WriteEscaped(goodbye, _errorText.AsSpan(), attribute: false, nameof(_errorText));
                    goodbye.Write("</text>"u8);
                }

                goodbye.Write("</stream:error>"u8);
            }

            goodbye.Write("</stream:stream>"u8);
            _outbound.TryWrite(goodbye.WrittenSpan);
        }

        _outbound.Complete();
        using var grace = new CancellationTokenSource(CloseGrace);
        try
        {
            if (_pump is not null)
            {
                await _pump.WaitAsync(grace.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (IsConnectionFailure(e) || e is TimeoutException)
        {
        }

        try
        {
            _abort.Cancel();
            if (Output is not null)
            {
                await Output.CompleteAsync().ConfigureAwait(false);
            }

            if (Input is not null)
            {
                await Input.CompleteAsync().ConfigureAwait(false);
            }

            if (_tls is not null)
            {
                await _tls.DisposeAsync().ConfigureAwait(false);
            }
        }
        catch (Exception e) when (IsConnectionFailure(e))
        {
        }

        Xml.Dispose();
    }

    internal static bool IsConnectionFailure(Exception e) =>
        e is IOException or SocketException or ConnectionResetException or ConnectionAbortedException or OperationCanceledException
            or ObjectDisposedException or InvalidOperationException or System.Security.Authentication.AuthenticationException;

    internal static string NewStreamId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    /// <summary>The domain part of a UTF-8 address, lower case; empty when malformed.</summary>
    internal static string DomainOf(ReadOnlySpan<byte> address)
    {
        Span<char> bare = stackalloc char[Address.MaxBareChars];
        if (!Address.TrySplit(address, bare, out int length, out int at, out _))
        {
            return "";
        }

        return (at < 0 ? bare[..length] : bare[(at + 1)..length]).ToString();
    }
}
