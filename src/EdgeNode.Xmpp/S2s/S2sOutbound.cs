using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using EdgeNode.Core.Dns;
using EdgeNode.Core.Routing;
using EdgeNode.Core.Tls;
using EdgeNode.Xmpp.Xml;

namespace EdgeNode.Xmpp.S2s;

/// <summary>
/// The one stream this node opens to a remote domain (initiating role): resolve, connect, STARTTLS (or direct TLS),
/// SASL EXTERNAL when the peer offers it, else Server Dialback with a XEP-0185 key; stanzas queue while this goes on
/// and are sent once the stream is authenticated, or bounce when it fails. The stream also carries this node's
/// dialback verification requests to that domain (receiving role), which need no authentication.
/// </summary>
internal sealed class S2sOutbound : S2sStream
{
    private const int MaxPendingStanzas = 1000;

    private readonly Lock _gate = new();
    private readonly List<PendingStanza> _pending = [];
    private readonly List<string> _verifies = [];
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string _streamId = "";
    private bool _dialbackOffered;
    private bool _externalTried;
    private bool _saslSucceeded;
    private bool _headerSent;
    private bool _canVerify;
    private bool _authenticated;
    private CertificateCheck? _certificate;
    private string _endpoint = "";
    private Task? _run;
    private bool _connectTimedOut;
    private NetworkStream? _network;

    public S2sOutbound(S2sService service, string domain)
        : base(service, "out-" + NewStreamId()[..8])
    {
        Domain = domain;
    }

    public string Domain { get; }

    public override string PeerName => Domain;

    public S2sAuthMethod Method { get; private set; }

    public bool IsAuthenticated => Volatile.Read(ref _authenticated);

    public CertificateCheck? Certificate => _certificate;

    public string Endpoint => _endpoint;

    /// <summary>How the endpoints were found (static route, SRV, fallback), in words.</summary>
    public string Resolution { get; private set; } = "";

    /// <summary>Completes when the stream is authenticated, or faults with why it could not be.</summary>
    public Task Ready => _ready.Task;

    public long LastActivity { get; private set; } = Environment.TickCount64;

    public void Start() => _run = Task.Run(RunAsync);

    public Task Completion => _run ?? Task.CompletedTask;

    /// <summary>Queues one stanza (already in jabber:server); false when the stream is closing (the caller bounces).</summary>
    public bool Enqueue(PendingStanza stanza)
    {
        LastActivity = Environment.TickCount64;
        lock (_gate)
        {
            if (IsClosed)
            {
                return false;
            }

            if (!_authenticated)
            {
                if (_pending.Count >= MaxPendingStanzas)
                {
                    return false;
                }

                _pending.Add(stanza);
                return true;
            }
        }

        return Send(stanza.Xml);
    }

    /// <summary>Sends a db:verify (receiving role) as soon as the stream is encrypted.</summary>
    public void SendVerify(string markup)
    {
        LastActivity = Environment.TickCount64;
        lock (_gate)
        {
            if (!_canVerify)
            {
                _verifies.Add(markup);
                return;
            }
        }

        Send(markup);
    }

    private async Task RunAsync()
    {
        string? failure = null;
        string condition = "remote-server-not-found";
        try
        {
            failure = await ConnectAsync().ConfigureAwait(false);
            if (failure is null)
            {
                await ReadLoopAsync().ConfigureAwait(false);
            }
        }
        catch (Exception e) when (IsConnectionFailure(e))
        {
            SetClose(S2sCloseReason.PeerClosed);
        }
        catch (Exception e)
        {
            S2sLog.HandlerFailed(Service.Logger, Id, e);
            StreamError("internal-server-error", null);
        }
        finally
        {
            if (failure is not null)
            {
                SetClose(S2sCloseReason.PeerClosed);
            }

            if (CloseReason == S2sCloseReason.Timeout || _connectTimedOut)
            {
                condition = "remote-server-timeout";
            }

            string why = failure ?? ErrorText ?? CloseReason switch
            {
                S2sCloseReason.PeerClosed => $"{Domain} closed the connection",
                S2sCloseReason.StreamEnded => $"{Domain} ended the stream",
                S2sCloseReason.Timeout => $"{Domain} did not complete the stream set-up in time",
                _ => CloseReason.ToString(),
            };
            List<PendingStanza> unsent;
            lock (_gate)
            {
                SetClose(S2sCloseReason.PeerClosed);
                unsent = [.. _pending];
                _pending.Clear();
            }

            Service.Remove(this);
            _ready.TrySetException(new IOException(why));
            if (unsent.Count > 0)
            {
                Service.Bounce(unsent, Domain, condition, why);
            }

            if (failure is null)
            {
                await CloseTransportAsync(_headerSent, default).ConfigureAwait(false);
            }

            // The pipes over the socket leave it open (TLS is laid over them mid-stream): the socket closes here.
            if (_network is not null)
            {
                await _network.DisposeAsync().ConfigureAwait(false);
            }

            S2sLog.OutboundClosed(Service.Logger, Id, Domain, why);
        }
    }

    /// <summary>Connects to the first endpoint that answers; null on success, else what went wrong in words.</summary>
    private async Task<string?> ConnectAsync()
    {
        using var resolveTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        (IReadOnlyList<ServiceEndpoint> endpoints, string how) = await Service.Resolver.ResolveAsync(Domain, resolveTimeout.Token).ConfigureAwait(false);
        Resolution = how;
        if (endpoints.Count == 0)
        {
            return how;
        }

        var problems = new List<string>();
        foreach (ServiceEndpoint endpoint in endpoints)
        {
            _endpoint = $"{endpoint.Host}:{endpoint.Port}{(endpoint.DirectTls ? " (direct TLS)" : "")}";
            S2sLog.OutboundConnecting(Service.Logger, Id, Domain, _endpoint);
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await socket.ConnectAsync(endpoint.Host, endpoint.Port, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                socket.Dispose();
                problems.Add(e is OperationCanceledException
                    ? $"{endpoint.Host}:{endpoint.Port} did not answer within 10 s"
                    : $"{endpoint.Host}:{endpoint.Port}: {e.Message}");
                continue;
            }

            var network = new NetworkStream(socket, ownsSocket: true);
            _network = network;
            var raw = new StreamPipe(network);
            if (endpoint.DirectTls)
            {
                var tls = new SslStream(network, leaveInnerStreamOpen: false);
                try
                {
                    await ClientTlsAsync(tls, direct: true, timeout.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (IsConnectionFailure(e))
                {
                    await tls.DisposeAsync().ConfigureAwait(false);
                    problems.Add($"{endpoint.Host}:{endpoint.Port}: TLS failed: {e.Message}");
                    continue;
                }

                Attach(raw, PipeReader.Create(tls), PipeWriter.Create(tls), tls);
            }
            else
            {
                Attach(raw, raw.Input, raw.Output, tls: null);
            }

            SendHeader();
            return null;
        }

        _connectTimedOut = problems.All(p => p.Contains("did not answer", StringComparison.Ordinal));
        return $"could not connect to {Domain} ({how}): {string.Join("; ", problems)}";
    }

    private void SendHeader()
    {
        _headerSent = true;
        Send(S2sNames.StreamHeaderStart + $" from='{Service.Domain}' to='{S2sInbound.Escape(Domain)}'>");
    }

    protected override void OnRestart()
    {
        _streamId = "";
        SendHeader();
    }

    protected override Task AuthenticateTlsAsync(SslStream tls, CancellationToken cancellationToken) => ClientTlsAsync(tls, direct: false, cancellationToken);

    private Task ClientTlsAsync(SslStream tls, bool direct, CancellationToken cancellationToken)
    {
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = Domain,
            RemoteCertificateValidationCallback = KeepCertificate,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        };
        if (Service.Certificate is { } certificate)
        {
            // Sent whatever CAs the peer lists, so that it can offer SASL EXTERNAL.
            options.ClientCertificateContext = SslStreamCertificateContext.Create(certificate, additionalCertificates: null);
        }

        if (direct)
        {
            options.ApplicationProtocols = [new SslApplicationProtocol("xmpp-server")];
        }

        return tls.AuthenticateAsClientAsync(options, cancellationToken);
    }

    protected override Step OnHeader(XmlElement header)
    {
        _streamId = header.TryGetAttribute(XmppNames.Id, out XmlValue id) ? id.GetString() : "";
        _dialbackOffered = false;
        foreach (XmlAttribute attribute in header.Attributes)
        {
            if (attribute.QualifiedName.StartsWith("xmlns:"u8) && attribute.Value.ValueEquals(S2sNames.Dialback))
            {
                _dialbackOffered = true;
            }
        }

        if (!header.TryGetAttribute(XmppNames.Version, out XmlValue version) || !version.Raw.StartsWith("1."u8))
        {
            return Fail("unsupported-version", $"{Domain} does not speak XMPP 1.0, so TLS cannot be negotiated");
        }

        return Step.Continue;
    }

    protected override Step OnElement(XmlElement element)
    {
        ReadOnlySpan<byte> ns = element.NamespaceUri;
        ReadOnlySpan<byte> name = element.LocalName;
        if (element.Is("features"u8, XmlNamespaces.Streams))
        {
            return OnFeatures(element);
        }

        if (ns.SequenceEqual(S2sNames.Tls))
        {
            return name.SequenceEqual("proceed"u8) ? Step.StartTls : Fail("undefined-condition", $"{Domain} refused STARTTLS");
        }

        if (ns.SequenceEqual(S2sNames.Sasl))
        {
            if (name.SequenceEqual("success"u8))
            {
                // Stanzas wait for the restarted stream's features (RFC 6120 6.4.6).
                _saslSucceeded = true;
                return Step.Restart;
            }

            string text = element.TryGetChild("text"u8, S2sNames.Sasl, out XmlElement t) ? t.Text.GetString() : "";
            S2sLog.AuthenticationFailed(Service.Logger, "outbound", Id, Domain, "SASL EXTERNAL refused" + (text.Length > 0 ? ": " + text : "") + "; trying dialback");
            return TryDialback();
        }

        if (ns.SequenceEqual(S2sNames.Dialback))
        {
            string type = element.TryGetAttribute(XmppNames.Type, out XmlValue typeValue) ? typeValue.GetString() : "";
            string from = element.TryGetAttribute(XmppNames.From, out XmlValue fromValue) ? fromValue.GetString().ToLowerInvariant() : "";
            if (name.SequenceEqual("verify"u8))
            {
                string id = element.TryGetAttribute(XmppNames.Id, out XmlValue idValue) ? idValue.GetString() : "";
                Service.CompleteVerification(from, id, type == "valid");
                return Step.Continue;
            }

            if (name.SequenceEqual("result"u8))
            {
                if (type == "valid")
                {
                    Authenticated(S2sAuthMethod.Dialback);
                    return Step.Continue;
                }

                string detail = ErrorDetail(element);
                return Fail(null, type == "invalid"
                    ? $"{Domain} did not accept this server's dialback key (its check of {Service.Domain} failed; is {Service.Domain} reachable from {Domain} on port 5269?)"
                    : $"{Domain} answered dialback with an error{detail}");
            }
        }

        // A receiving stream carries nothing else towards us; stanzas on it are ignored.
        return Step.Continue;
    }

    private static string ErrorDetail(XmlElement element)
    {
        if (!element.TryGetChild("error"u8, S2sNames.Server, out XmlElement error))
        {
            return "";
        }

        var words = new List<string>();
        foreach (XmlElement child in error.Children)
        {
            words.Add(child.LocalName.SequenceEqual("text"u8) ? child.Text.GetString() : Encoding.UTF8.GetString(child.LocalName));
        }

        return words.Count == 0 ? "" : ": " + string.Join(": ", words);
    }

    private Step OnFeatures(XmlElement features)
    {
        if (!Secure)
        {
            if (features.TryGetChild("starttls"u8, S2sNames.Tls, out _) && Service.Certificate is not null)
            {
                Send("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"u8);
                return Step.Continue;
            }

            return Fail("policy-violation", $"{Domain} does not offer TLS, and this server does not federate in the clear");
        }

        _certificate ??= Service.Certificates.Check(RemoteCertificate, RemoteIntermediates, Domain);
        string[] verifies;
        lock (_gate)
        {
            _canVerify = true;
            verifies = [.. _verifies];
            _verifies.Clear();
        }

        foreach (string verify in verifies)
        {
            Send(verify);
        }

        if (_authenticated)
        {
            return Step.Continue;
        }

        if (_saslSucceeded)
        {
            Authenticated(S2sAuthMethod.SaslExternal);
            return Step.Continue;
        }

        if (!_certificate.Valid)
        {
            S2sLog.CertificateNotValid(Service.Logger, Id, Domain, _certificate.Problem);
            if (Service.Policy.RequiresValidCertificate(Domain))
            {
                return Fail("policy-violation", $"{Domain} must present a CA-valid certificate (Federation:RequireValidCertificates): {_certificate.Problem}");
            }
        }

        if (features.TryGetChild("dialback"u8, S2sNames.DialbackFeature, out _))
        {
            // Remembered now: a refused SASL EXTERNAL falls back to dialback on this stream.
            _dialbackOffered = true;
        }

        if (features.TryGetChild("mechanisms"u8, S2sNames.Sasl, out XmlElement mechanisms))
        {
            foreach (XmlElement mechanism in mechanisms.Children)
            {
                if (mechanism.Text.ValueEquals("EXTERNAL"u8) && !_externalTried && _certificate.Valid)
                {
                    _externalTried = true;
                    Send($"<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='EXTERNAL'>{Convert.ToBase64String(Encoding.UTF8.GetBytes(Service.Domain))}</auth>");
                    return Step.Continue;
                }
            }
        }

        return TryDialback();
    }

    private Step TryDialback()
    {
        if (!_dialbackOffered)
        {
            return Fail("policy-violation", $"{Domain} offers neither SASL EXTERNAL for this server's certificate nor dialback");
        }

        if (_streamId.Length == 0)
        {
            return Fail("invalid-id", $"{Domain} gave its stream no id, which dialback needs");
        }

        string key = Service.Keys.Generate(Domain, Service.Domain, _streamId);
        Send($"<db:result from='{Service.Domain}' to='{S2sInbound.Escape(Domain)}'>{key}</db:result>");
        return Step.Continue;
    }

    private void Authenticated(S2sAuthMethod method)
    {
        List<PendingStanza> pending;
        lock (_gate)
        {
            Method = method;
            _authenticated = true;
            pending = [.. _pending];
            _pending.Clear();
            foreach (PendingStanza stanza in pending)
            {
                Send(stanza.Xml);
            }
        }

        S2sLog.Authenticated(Service.Logger, "outbound", Id, Domain, method == S2sAuthMethod.SaslExternal ? "SASL EXTERNAL" : "dialback");
        Service.StatusChanged();
        _ready.TrySetResult();
    }

    private Step Fail(string? condition, string why)
    {
        S2sLog.ConnectFailed(Service.Logger, Domain, why);
        if (condition is null)
        {
            SetFailure(why);
            return Step.Close;
        }

        StreamError(condition, why);
        return Step.Close;
    }

    private void SetFailure(string why) => RequestClose(S2sCloseReason.AuthFailed, why);

    /// <summary>Called every second: set-up timeout (Federation:SetupSeconds), idle close, keepalive.</summary>
    public void OnTick(long now, long idleMilliseconds)
    {
        if (IsClosed)
        {
            return;
        }

        if (!IsAuthenticated)
        {
            if (now - Opened > (long)Service.SetupTimeout.TotalMilliseconds)
            {
                RequestClose(S2sCloseReason.Timeout, $"{Domain} did not complete the stream set-up within {Service.SetupTimeout.TotalSeconds:0} s");
            }

            return;
        }

        if (now - LastActivity > idleMilliseconds)
        {
            S2sLog.IdleClosed(Service.Logger, Id, Domain);
            RequestClose(S2sCloseReason.Idle, "idle");
            return;
        }

        KeepAlive(now, 60_000);
    }
}

/// <summary>A stanza on its way to a remote domain: its bytes in jabber:server, and what a bounce needs.</summary>
internal sealed record PendingStanza(StanzaKind Kind, byte Type, byte[] From, byte[] To, byte[] Id, byte[] Xml);
