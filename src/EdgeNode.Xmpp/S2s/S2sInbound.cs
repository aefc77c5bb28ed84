using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Text;
using EdgeNode.Core.Tls;
using EdgeNode.Xmpp.Stanzas;
using EdgeNode.Xmpp.Xml;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;

namespace EdgeNode.Xmpp.S2s;

/// <summary>
/// A stream another server opened to this one (RFC 6120, receiving role): STARTTLS (required), or TLS from the first
/// byte on the direct TLS port (XEP-0368, terminated by Kestrel, so no STARTTLS is offered), then SASL EXTERNAL
/// when its certificate is valid for its domain (XEP-0178) or Server Dialback (XEP-0220, receiving and authoritative
/// roles), then stanzas whose 'from' domain must be one authenticated on this stream. Several domains may
/// authenticate on one stream (multiplexing); a stanza from any other domain ends the stream.
/// </summary>
internal sealed class S2sInbound : S2sStream
{
    private readonly ConnectionContext _connection;
    private readonly bool _directTls;
    private readonly string _remote;
    private readonly ConcurrentDictionary<string, S2sAuthMethod> _authenticated = new(StringComparer.Ordinal);
    private readonly StanzaScratch _scratch = new();
    private readonly List<Task> _verifications = [];

    // 200 stanzas a second with bursts of 1000 carry a busy server's users; more waits in the peer's TCP buffers.
    private readonly StanzaRateLimit _rate = new(perSecond: 200, burst: 1000);
    private string _streamId = "";
    private string? _peerFrom;
    private bool _headerSent;
    private bool _saslDone;
    private CertificateCheck? _certificate;

    public S2sInbound(S2sService service, ConnectionContext connection, bool directTls = false)
        : base(service, "in-" + connection.ConnectionId)
    {
        _connection = connection;
        _directTls = directTls;
        IPAddress? address = (connection.RemoteEndPoint as IPEndPoint)?.Address;
        _remote = address is { IsIPv4MappedToIPv6: true } ? address.MapToIPv4().ToString() : address?.ToString() ?? "?";
    }

    public override string PeerName => _peerFrom ?? _remote;

    public IReadOnlyDictionary<string, S2sAuthMethod> Authenticated => _authenticated;

    public string StreamId => _streamId;

    public CertificateCheck? Certificate => _certificate;

    public async Task RunAsync()
    {
        S2sLog.InboundOpened(Service.Logger, Id, _remote);
        ITlsConnectionFeature? tls = _directTls ? _connection.Features.Get<ITlsConnectionFeature>() : null;
        if (tls is not null)
        {
            // Kestrel did the handshake; the certificate it was shown is judged here, as after STARTTLS.
            SslProtocols protocol = _connection.Features.Get<ITlsHandshakeFeature>()?.Protocol ?? SslProtocols.None;
            AttachSecured(_connection.Transport, protocol.ToString(), tls.ClientCertificate, _connection.Features.Get<PeerChainFeature>()?.Intermediates);
        }
        else
        {
            Attach(_connection.Transport, _connection.Transport.Input, _connection.Transport.Output, tls: null);
        }

        if (_directTls && tls is null)
        {
            // A listener wired without TLS in front: never serve it in the clear as if it were the STARTTLS port.
            StreamError("internal-server-error", "This direct TLS port has no TLS.");
        }
        else if (!Service.Add(this))
        {
            SetClose(S2sCloseReason.Shutdown);
        }

        try
        {
            if (!IsClosed)
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
            Service.Remove(this);
            Task[] pending;
            lock (_verifications)
            {
                pending = [.. _verifications];
            }

            await CloseTransportAsync(_headerSent, Encoding.UTF8.GetBytes(Header(null))).ConfigureAwait(false);
            try
            {
                await Task.WhenAll(pending).WaitAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // A verification still waiting for its answer ends on its own timeout; nothing waits for it here.
            }

            if (CloseReason is S2sCloseReason.PeerClosed or S2sCloseReason.Overflow or S2sCloseReason.TlsFailed)
            {
                _connection.Abort(new ConnectionAbortedException(CloseReason.ToString()));
            }

            S2sLog.InboundClosed(Service.Logger, Id, DomainsText(), ErrorText is null ? CloseReason.ToString() : $"{CloseReason}: {ErrorText}");
        }
    }

    /// <summary>Called every second: a stream that authenticates no domain within a minute is closed.</summary>
    public void OnTick(long now)
    {
        if (!IsClosed && _authenticated.IsEmpty && now - Opened > 60_000)
        {
            RequestClose(S2sCloseReason.Timeout, "no domain authenticated within 60 s");
        }
    }

    internal string DomainsText() => _authenticated.IsEmpty ? (_peerFrom ?? "?") + " (not authenticated)" : string.Join(", ", _authenticated.Keys);

    private string Header(string? to) =>
        S2sNames.StreamHeaderStart + $" from='{Service.Domain}'" + (to is null ? "" : $" to='{Escape(to)}'") + $" id='{_streamId}'>";

    protected override void OnRestart() => _headerSent = false;

    protected override TimeSpan ReadPause() => _rate.Pause(Environment.TickCount64);

    protected override Step OnHeader(XmlElement header)
    {
        _streamId = NewStreamId();
        string? from = null;
        if (header.TryGetAttribute(XmppNames.From, out XmlValue fromValue))
        {
            from = fromValue.GetString().TrimEnd('.').ToLowerInvariant();
            _peerFrom ??= from;
        }

        Send(Header(from));
        _headerSent = true;
        if (!header.TryGetAttribute(XmppNames.To, out XmlValue to) || !Service.IsLocalDomain(to.GetString()))
        {
            return StreamError("host-unknown", $"This server is {Service.Domain}.");
        }

        if (!header.TryGetAttribute(XmppNames.Version, out XmlValue version) || !version.Raw.StartsWith("1."u8))
        {
            return StreamError("unsupported-version", "This server speaks XMPP 1.0 with TLS.");
        }

        if (from is not null && !Service.Policy.Allows(from, out string reason))
        {
            S2sLog.PolicyRefused(Service.Logger, from, reason);
            return StreamError("policy-violation", reason);
        }

        if (Service.Policy.Mode == Core.Configuration.FederationMode.Closed)
        {
            Service.Policy.Allows("", out string closed);
            return StreamError("policy-violation", closed);
        }

        var features = new StringBuilder("<stream:features>");
        if (!Secure)
        {
            features.Append("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>");
        }
        else
        {
            if (!_saslDone && from is not null && CertificateFor(from).Valid)
            {
                features.Append("<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>EXTERNAL</mechanism></mechanisms>");
            }

            features.Append("<dialback xmlns='urn:xmpp:features:dialback'><errors/></dialback>");
        }

        features.Append("</stream:features>");
        Send(features.ToString());
        return Step.Continue;
    }

    private CertificateCheck CertificateFor(string domain)
    {
        if (_certificate is null || _peerFrom != domain)
        {
            var check = Service.Certificates.Check(RemoteCertificate, RemoteIntermediates, domain);
            if (_peerFrom == domain)
            {
                _certificate = check;
                if (!check.Valid)
                {
                    S2sLog.CertificateNotValid(Service.Logger, Id, domain, check.Problem);
                }
            }

            return check;
        }

        return _certificate;
    }

    protected override Task AuthenticateTlsAsync(SslStream tls, CancellationToken cancellationToken) =>
        tls.AuthenticateAsServerAsync(TlsPolicy.Apply(new SslServerAuthenticationOptions
        {
            ServerCertificate = Service.Certificate,
            // Asked for, never required: a server without a certificate still has dialback.
            ClientCertificateRequired = true,
            RemoteCertificateValidationCallback = KeepCertificate,
            CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
        }), cancellationToken);

    protected override Step OnElement(XmlElement element)
    {
        ReadOnlySpan<byte> ns = element.NamespaceUri;
        ReadOnlySpan<byte> name = element.LocalName;
        if (ns.SequenceEqual(S2sNames.Dialback))
        {
            if (name.SequenceEqual("verify"u8))
            {
                // The authoritative role: answered at once, on any stream, or two servers wait on each other.
                return OnVerify(element);
            }

            if (!Secure)
            {
                return StreamError("policy-violation", "STARTTLS is required before dialback.");
            }

            return name.SequenceEqual("result"u8) ? OnResult(element) : StreamError("unsupported-stanza-type", null);
        }

        if (ns.SequenceEqual(S2sNames.Tls))
        {
            if (!name.SequenceEqual("starttls"u8) || Secure || Service.Certificate is null)
            {
                Send("<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"u8);
                return StreamError("undefined-condition", Secure ? "This stream is already encrypted." : "TLS is not available.");
            }

            Send("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"u8);
            return Step.StartTls;
        }

        if (!Secure)
        {
            return StreamError("policy-violation", "STARTTLS is required.");
        }

        if (ns.SequenceEqual(S2sNames.Sasl))
        {
            return OnSasl(element, name);
        }

        if (ns.SequenceEqual(S2sNames.Server) && element.Prefix.IsEmpty
            && (name.SequenceEqual(XmppNames.Message) || name.SequenceEqual(XmppNames.Presence) || name.SequenceEqual(XmppNames.Iq)))
        {
            return OnStanza(element);
        }

        return StreamError("unsupported-stanza-type", null);
    }

    private Step OnVerify(XmlElement verify)
    {
        string from = Attribute(verify, XmppNames.From).ToLowerInvariant();
        string to = Attribute(verify, XmppNames.To).ToLowerInvariant();
        string id = Attribute(verify, XmppNames.Id);
        bool valid = Service.IsLocalDomain(to) && from.Length > 0 && id.Length > 0
            && Service.Keys.Verify(from, to, id, verify.Text.GetString());
        S2sLog.DialbackVerified(Service.Logger, Id, from, valid);
        Send($"<db:verify from='{Escape(to)}' to='{Escape(from)}' id='{Escape(id)}' type='{(valid ? "valid" : "invalid")}'/>");
        return Step.Continue;
    }

    private Step OnResult(XmlElement result)
    {
        string from = Attribute(result, XmppNames.From).ToLowerInvariant();
        string to = Attribute(result, XmppNames.To).ToLowerInvariant();
        string key = result.Text.GetString().Trim();
        if (from.Length == 0 || !Service.IsLocalDomain(to) || key.Length == 0)
        {
            return StreamError("improper-addressing", "db:result needs from, to (this server) and a key.");
        }

        if (!Service.Policy.Allows(from, out string reason))
        {
            S2sLog.PolicyRefused(Service.Logger, from, reason);
            return StreamError("policy-violation", reason);
        }

        if (_authenticated.ContainsKey(from))
        {
            Send($"<db:result from='{Escape(to)}' to='{Escape(from)}' type='valid'/>");
            return Step.Continue;
        }

        if (Service.Policy.RequiresValidCertificate(from) && !CertificateFor(from).Valid)
        {
            string problem = CertificateFor(from).Problem;
            S2sLog.AuthenticationFailed(Service.Logger, "inbound", Id, from, "a CA-valid certificate is required: " + problem);
            Send($"<db:result from='{Escape(to)}' to='{Escape(from)}' type='error'><error type='auth'><not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>" +
                 $"<text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>{Escape(Service.Domain)} requires a CA-valid certificate for {Escape(from)}: {Escape(problem)}</text></error></db:result>");
            return Step.Continue;
        }

        Task verification = VerifyAsync(from, to, _streamId, key);
        lock (_verifications)
        {
            _verifications.RemoveAll(t => t.IsCompleted);
            _verifications.Add(verification);
        }

        return Step.Continue;
    }

    private async Task VerifyAsync(string from, string to, string streamId, string key)
    {
        bool? valid;
        try
        {
            valid = await Service.VerifyDialbackAsync(from, streamId, key).ConfigureAwait(false);
        }
        catch (Exception e) when (IsConnectionFailure(e) || e is TimeoutException)
        {
            valid = null;
        }

        if (IsClosed)
        {
            return;
        }

        switch (valid)
        {
            case true:
                _authenticated[from] = S2sAuthMethod.Dialback;
                S2sLog.Authenticated(Service.Logger, "inbound", Id, from, "dialback");
                Service.StatusChanged();
                Send($"<db:result from='{Escape(to)}' to='{Escape(from)}' type='valid'/>");
                break;
            case false:
                S2sLog.AuthenticationFailed(Service.Logger, "inbound", Id, from, "its dialback key was not confirmed by its own server");
                Send($"<db:result from='{Escape(to)}' to='{Escape(from)}' type='invalid'/>");
                break;
            default:
                S2sLog.AuthenticationFailed(Service.Logger, "inbound", Id, from, "its server could not be reached to confirm the dialback key");
                Send($"<db:result from='{Escape(to)}' to='{Escape(from)}' type='error'><error type='cancel'><remote-server-timeout xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></db:result>");
                break;
        }
    }

    private Step OnSasl(XmlElement element, ReadOnlySpan<byte> name)
    {
        if (!name.SequenceEqual("auth"u8) || _saslDone)
        {
            return StreamError("policy-violation", "Only SASL EXTERNAL, once.");
        }

        string mechanism = Attribute(element, "mechanism"u8);
        string identity = _peerFrom ?? "";
        string text = element.Text.GetString().Trim();
        if (text.Length > 0 && text != "=")
        {
            try
            {
                identity = Encoding.UTF8.GetString(Convert.FromBase64String(text)).TrimEnd('.').ToLowerInvariant();
            }
            catch (FormatException)
            {
                Send("<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><incorrect-encoding/></failure>"u8);
                return Step.Continue;
            }
        }

        string? problem = mechanism != "EXTERNAL" ? "only EXTERNAL is offered"
            : identity.Length == 0 ? "no identity"
            : !Service.Policy.Allows(identity, out string reason) ? reason
            : CertificateFor(identity) is { Valid: false } check ? check.Problem
            : null;
        if (problem is not null)
        {
            S2sLog.AuthenticationFailed(Service.Logger, "inbound", Id, identity, "SASL EXTERNAL: " + problem);
            Send($"<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><not-authorized/><text xml:lang='en'>{Escape(problem)}</text></failure>");
            return Step.Continue;
        }

        _saslDone = true;
        _authenticated[identity] = S2sAuthMethod.SaslExternal;
        S2sLog.Authenticated(Service.Logger, "inbound", Id, identity, "SASL EXTERNAL");
        Service.StatusChanged();
        Send("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>"u8);
        return Step.Restart;
    }

    private Step OnStanza(XmlElement stanza)
    {
        string fromDomain = stanza.TryGetAttribute(XmppNames.From, out XmlValue from) ? DomainOf(Decoded(from)) : "";
        if (fromDomain.Length == 0 || !_authenticated.ContainsKey(fromDomain))
        {
            S2sLog.SpoofedFrom(Service.Logger, Id, fromDomain.Length == 0 ? "(no from)" : fromDomain, DomainsText());
            return StreamError("invalid-from", fromDomain.Length == 0
                ? "Every stanza between servers needs a from address."
                : $"{fromDomain} is not authenticated on this stream.");
        }

        string toDomain = stanza.TryGetAttribute(XmppNames.To, out XmlValue to) ? DomainOf(Decoded(to)) : "";
        if (!Service.IsLocalDomain(toDomain))
        {
            return StreamError("host-unknown", $"This server is {Service.Domain}, not {toDomain}.");
        }

        _rate.Take(Environment.TickCount64);
        Service.Delivery.Deliver(stanza, _scratch);
        _scratch.Trim();
        return Step.Continue;
    }

    private static ReadOnlySpan<byte> Decoded(XmlValue value) => value.NeedsDecoding ? Encoding.UTF8.GetBytes(value.GetString()) : value.Raw;

    private static string Attribute(XmlElement element, ReadOnlySpan<byte> name) =>
        element.TryGetAttribute(name, out XmlValue value) ? value.GetString() : "";

    internal static string Escape(string value) =>
        value.Replace("&", "&amp;", StringComparison.Ordinal).Replace("'", "&apos;", StringComparison.Ordinal)
            .Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}
