using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using EdgeNode.Core.Configuration;
using EdgeNode.Core.Dns;
using EdgeNode.Core.Routing;
using EdgeNode.Core.Tls;
using EdgeNode.Xmpp.Streams;
using EdgeNode.Xmpp.Xml;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Xmpp.S2s;

/// <summary>What a check of one domain found: how it was found, where, TLS, its certificate, and the authentication.</summary>
public sealed record S2sCheckResult(string Resolution, string Endpoint, bool Tls, string TlsProtocol, CertificateCheck? Certificate,
    string? Method, string? Failure);

/// <summary>One server-to-server stream as `edgenode federation status` shows it.</summary>
public sealed record S2sStreamStatus(string Direction, string Id, string Domain, string Method, bool Tls, string Certificate, DateTimeOffset Opened,
    bool DirectTls = false);

/// <summary>
/// XMPP federation of one node: the router's carrier for other domains (one outbound stream per remote domain,
/// created on demand and reused), the inbound streams on Xmpp:S2sPort, the dialback secret, the federation policy,
/// and the status the CLI shows. Stanzas to a domain the policy refuses bounce at once.
/// </summary>
public sealed class S2sService : IRemoteRouter, IDisposable
{
    private static readonly TimeSpan VerifyTimeout = TimeSpan.FromSeconds(20);

    private readonly XmppServer _xmpp;
    private readonly FederationOptions _options;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, S2sOutbound> _outbound = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<S2sInbound, byte> _inbound = new();
    private readonly ConcurrentDictionary<(string Domain, string Id), TaskCompletionSource<bool>> _verifications = new();
    private readonly Timer _timer;
    private readonly string? _statusPath;
    private volatile bool _statusDirty = true;
    private volatile bool _stopping;
    private readonly X509Certificate2? _certificate;
    private readonly ServerCertificate? _presented;

    public S2sService(XmppServer xmpp, FederationOptions options, X509Certificate2? certificate, ILoggerFactory logs,
        DnsClient? dns = null, string? statusPath = null, PeerCertificates? certificates = null, DialbackKey? keys = null,
        ServerCertificate? presented = null)
    {
        ArgumentNullException.ThrowIfNull(xmpp);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logs);
        _xmpp = xmpp;
        _options = options;
        _statusPath = statusPath;
        Domain = xmpp.Domain;
        _certificate = certificate;
        _presented = presented;
        Policy = new FederationPolicy(options);
        Keys = keys ?? DialbackKey.CreateRandom();
        Resolver = new S2sResolver(options.Routes, dns);
        Certificates = certificates ?? PeerCertificates.FromFile(options.TrustedCertificatesPath);
        Logger = logs.CreateLogger("EdgeNode.Federation");
        StreamOptions = new XmlStreamOptions
        {
            MaxStanzaBytes = 512 * 1024,
            ContentNamespace = "jabber:server"u8.ToArray(),
        };
        Delivery = new S2sDelivery(xmpp, this);
        xmpp.Router.UseRemoteRouter(this);
        _timer = new Timer(static state => ((S2sService)state!).Tick(), this, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    public string Domain { get; }
    /// <summary>The certificate this server presents, read at each handshake: a renewed one is used from the next stream on.</summary>
    public X509Certificate2? Certificate => _presented?.Certificate ?? _certificate;
    public FederationPolicy Policy { get; }
    internal DialbackKey Keys { get; }
    public S2sResolver Resolver { get; }
    public PeerCertificates Certificates { get; }
    internal ILogger Logger { get; }
    internal XmlStreamOptions StreamOptions { get; }
    internal S2sDelivery Delivery { get; }
    internal TimeSpan SetupTimeout => _options.SetupTimeout;

    /// <summary>Serves one connection accepted on the s2s port, or on the direct TLS port (TLS already terminated).</summary>
    public Task AcceptAsync(ConnectionContext connection, bool directTls = false) => new S2sInbound(this, connection, directTls).RunAsync();

    internal bool IsLocalDomain(string domain)
    {
        domain = domain.TrimEnd('.');
        return string.Equals(domain, Domain, StringComparison.OrdinalIgnoreCase)
            || (domain.Length > 0 && _xmpp.Router.Classify(Encoding.UTF8.GetBytes(domain), out _) == AddressClass.Server);
    }

    // ---- outbound routing ----

    public RouteOutcome RouteRemote(in RoutedStanza stanza, ReadOnlySpan<char> domain)
    {
        string name = domain.ToString();
        bool isError = stanza.Kind switch
        {
            StanzaKind.Message => stanza.MessageType == MessageType.Error,
            StanzaKind.Presence => stanza.PresenceType == PresenceType.Error,
            _ => stanza.IqType is IqType.Error,
        };
        if (!Policy.Allows(name, out string reason))
        {
            if (!isError)
            {
                S2sLog.PolicyRefused(Logger, name, reason);
                // Closed: from here no remote server can be found at all; allowlist: this one is not allowed. The text says why.
                string condition = Policy.Mode == FederationMode.Closed ? "remote-server-not-found" : "not-allowed";
                BounceOne(stanza.Kind, stanza.Type, stanza.From, stanza.To, stanza.Id, condition, $"{name} cannot be reached: {reason}.");
            }

            return RouteOutcome.Ignored;
        }

        ReadOnlySpan<byte> xml = stanza.Xmpp;
        var neutral = new ArrayBufferWriter<byte>(256);
        if (xml.IsEmpty)
        {
            switch (stanza.Kind)
            {
                case StanzaKind.Message:
                    NeutralStanzas.WriteMessage(neutral, stanza);
                    break;
                case StanzaKind.Presence when stanza.PresenceType != PresenceType.Probe:
                    NeutralStanzas.WritePresence(neutral, stanza);
                    break;
                default:
                    return RouteOutcome.Ignored;
            }

            xml = neutral.WrittenSpan;
        }

        var wire = new ArrayBufferWriter<byte>(xml.Length + 32);
        if (!ContentNamespace.TryWrite(xml, ContentNamespace.Client, ContentNamespace.Server, wire))
        {
            return RouteOutcome.Ignored;
        }

        var pending = new PendingStanza(stanza.Kind, stanza.Type, stanza.From.ToArray(), stanza.To.ToArray(), stanza.Id.ToArray(), wire.WrittenSpan.ToArray());
        Send(name, pending);
        return RouteOutcome.Delivered;
    }

    private void Send(string domain, PendingStanza pending)
    {
        S2sOutbound? outbound = null;
        for (int attempt = 0; attempt < 2; attempt++)
        {
            outbound = GetOutbound(domain);
            if (outbound is null)
            {
                break;
            }

            if (outbound.Enqueue(pending))
            {
                return;
            }
        }

        Bounce([pending], domain, "remote-server-not-found", outbound?.ErrorText ?? $"{domain} cannot be reached now");
    }

    /// <summary>A stanza this node's server answers to a remote sender (an error, a pong), routed back out.</summary>
    internal void SendRaw(byte[] clientXml, byte[] from, byte[] to)
    {
        _xmpp.Router.Route(RoutedStanza.Iq(IqType.Result, from, to, default, clientXml));
    }

    internal void ReplyError(ReadOnlySpan<byte> kind, byte[] originalFrom, byte[] originalTo, byte[] id, string condition, string? text)
    {
        byte[] xml = ErrorStanza(kind, originalTo, originalFrom, id, condition, text);
        StanzaKind stanzaKind = kind.SequenceEqual("iq"u8) ? StanzaKind.Iq : StanzaKind.Message;
        byte type = stanzaKind == StanzaKind.Iq ? (byte)IqType.Error : (byte)MessageType.Error;
        _xmpp.Router.Route(new RoutedStanza(stanzaKind, type, originalTo, originalFrom, id, default, xml));
    }

    private S2sOutbound? GetOutbound(string domain)
    {
        lock (_gate)
        {
            if (_stopping)
            {
                return null;
            }

            if (_outbound.TryGetValue(domain, out S2sOutbound? existing) && !existing.IsClosed)
            {
                return existing;
            }

            var created = new S2sOutbound(this, domain);
            _outbound[domain] = created;
            created.Start();
            _statusDirty = true;
            return created;
        }
    }

    internal void Remove(S2sOutbound outbound)
    {
        lock (_gate)
        {
            if (_outbound.TryGetValue(outbound.Domain, out S2sOutbound? current) && ReferenceEquals(current, outbound))
            {
                _outbound.Remove(outbound.Domain);
            }
        }

        _statusDirty = true;
    }

    internal bool Add(S2sInbound inbound)
    {
        if (_stopping)
        {
            return false;
        }

        _inbound.TryAdd(inbound, 0);
        _statusDirty = true;
        return true;
    }

    internal void Remove(S2sInbound inbound)
    {
        _inbound.TryRemove(inbound, out _);
        _statusDirty = true;
    }

    internal void StatusChanged() => _statusDirty = true;

    /// <summary>
    /// Opens (or reuses) the stream to <paramref name="domain"/> and waits until it is authenticated or has failed:
    /// what `edgenode federation check` reports.
    /// </summary>
    public async Task<S2sCheckResult> CheckAsync(string domain, TimeSpan timeout)
    {
        S2sOutbound? outbound = GetOutbound(domain);
        if (outbound is null)
        {
            return new S2sCheckResult("", "", false, "", null, null, "the node is stopping");
        }

        string? failure = null;
        try
        {
            await outbound.Ready.WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            failure = e.Message;
        }
        catch (TimeoutException)
        {
            failure = $"{domain} did not complete the stream set-up within {timeout.TotalSeconds:0} s";
        }

        return new S2sCheckResult(outbound.Resolution, outbound.Endpoint, outbound.Secure, outbound.TlsProtocol, outbound.Certificate,
            outbound.IsAuthenticated ? MethodName(outbound.Method) : null, failure);
    }

    // ---- dialback, receiving role ----

    /// <summary>Asks <paramref name="domain"/>'s own server whether it made <paramref name="key"/>; null when it cannot be asked.</summary>
    internal async Task<bool?> VerifyDialbackAsync(string domain, string streamId, string key)
    {
        var answer = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        _verifications[(domain, streamId)] = answer;
        try
        {
            S2sOutbound? outbound = GetOutbound(domain);
            if (outbound is null)
            {
                return null;
            }

            outbound.SendVerify($"<db:verify from='{Domain}' to='{S2sInbound.Escape(domain)}' id='{S2sInbound.Escape(streamId)}'>{S2sInbound.Escape(key)}</db:verify>");
            Task done = await Task.WhenAny(answer.Task, outbound.Completion, Task.Delay(VerifyTimeout)).ConfigureAwait(false);
            return done == answer.Task ? answer.Task.Result : null;
        }
        finally
        {
            _verifications.TryRemove((domain, streamId), out _);
        }
    }

    internal void CompleteVerification(string domain, string streamId, bool valid)
    {
        if (_verifications.TryGetValue((domain, streamId), out TaskCompletionSource<bool>? answer))
        {
            answer.TrySetResult(valid);
        }
    }

    // ---- bounces ----

    internal void Bounce(IReadOnlyList<PendingStanza> stanzas, string domain, string condition, string why)
    {
        int count = 0;
        foreach (PendingStanza stanza in stanzas)
        {
            if (BounceOne(stanza.Kind, stanza.Type, stanza.From, stanza.To, stanza.Id, condition, $"{domain} cannot be reached: {why}"))
            {
                count++;
            }
        }

        S2sLog.Bounced(Logger, count, domain, condition);
    }

    /// <summary>Tells a local sender its stanza did not get through (RFC 6120 8.3); errors and most presence are dropped.</summary>
    private bool BounceOne(StanzaKind kind, byte type, ReadOnlySpan<byte> from, ReadOnlySpan<byte> to, ReadOnlySpan<byte> id, string condition, string text)
    {
        bool bounce = kind switch
        {
            StanzaKind.Message => (MessageType)type != MessageType.Error,
            StanzaKind.Iq => (IqType)type is IqType.Get or IqType.Set,
            _ => (PresenceType)type == PresenceType.Subscribe,
        };
        if (!bounce || from.IsEmpty)
        {
            return false;
        }

        ReadOnlySpan<byte> name = kind switch
        {
            StanzaKind.Message => "message"u8,
            StanzaKind.Iq => "iq"u8,
            _ => "presence"u8,
        };
        byte[] xml = ErrorStanza(name, to, from, id, condition, text);
        byte errorType = kind switch
        {
            StanzaKind.Message => (byte)MessageType.Error,
            StanzaKind.Iq => (byte)IqType.Error,
            _ => (byte)PresenceType.Error,
        };
        _xmpp.Router.Route(new RoutedStanza(kind, errorType, to, from, id, Encoding.UTF8.GetBytes(text), xml)
        {
            Error = StanzaErrorCondition.ServiceUnavailable,
            Origin = StanzaOrigin.Remote,
        });
        return true;
    }

    private static byte[] ErrorStanza(ReadOnlySpan<byte> kind, ReadOnlySpan<byte> from, ReadOnlySpan<byte> to, ReadOnlySpan<byte> id, string condition, string? text)
    {
        var output = new ArrayBufferWriter<byte>(256);
        var writer = new XmlStanzaWriter(output);
        writer.WriteStartElement(kind, ContentNamespace.Client);
        writer.WriteAttribute("from"u8, from);
        writer.WriteAttribute("to"u8, to);
        writer.WriteAttribute("type"u8, "error"u8);
        if (!id.IsEmpty)
        {
            writer.WriteAttribute("id"u8, id);
        }

        writer.WriteStartElement("error"u8);
        writer.WriteAttribute("type"u8, condition is "remote-server-timeout" ? "wait"u8 : "cancel"u8);
        byte[] conditionName = Encoding.UTF8.GetBytes(condition);
        writer.WriteStartElement(conditionName, S2sNames.Stanzas);
        writer.WriteEndElement(conditionName);
        if (text is not null)
        {
            writer.WriteStartElement("text"u8, S2sNames.Stanzas);
            writer.WriteAttribute("xml:lang"u8, "en"u8);
            writer.WriteText(text.AsSpan());
            writer.WriteEndElement("text"u8);
        }

        writer.WriteEndElement("error"u8);
        writer.WriteEndElement(kind);
        return output.WrittenSpan.ToArray();
    }

    // ---- status and housekeeping ----

    public IReadOnlyList<S2sStreamStatus> Status()
    {
        var result = new List<S2sStreamStatus>();
        S2sOutbound[] outbound;
        lock (_gate)
        {
            outbound = [.. _outbound.Values];
        }

        foreach (S2sOutbound stream in outbound)
        {
            result.Add(new S2sStreamStatus("outbound", stream.Id, stream.Domain,
                stream.IsAuthenticated ? MethodName(stream.Method) : "connecting", stream.Secure,
                stream.Certificate is null ? "" : stream.Certificate.Valid ? "valid" : stream.Certificate.Problem, stream.OpenedAt, stream.DirectTls));
        }

        foreach (S2sInbound stream in _inbound.Keys)
        {
            if (stream.Authenticated.Count == 0)
            {
                result.Add(new S2sStreamStatus("inbound", stream.Id, stream.PeerName, "not authenticated", stream.Secure,
                    stream.Certificate is null ? "" : stream.Certificate.Valid ? "valid" : stream.Certificate.Problem, stream.OpenedAt, stream.DirectTls));
            }

            foreach ((string domain, S2sAuthMethod method) in stream.Authenticated)
            {
                result.Add(new S2sStreamStatus("inbound", stream.Id, domain, MethodName(method), stream.Secure,
                    stream.Certificate is null ? "" : stream.Certificate.Valid ? "valid" : stream.Certificate.Problem, stream.OpenedAt, stream.DirectTls));
            }
        }

        return result;
    }

    internal static string MethodName(S2sAuthMethod method) => method switch
    {
        S2sAuthMethod.SaslExternal => "SASL EXTERNAL",
        S2sAuthMethod.Dialback => "dialback",
        _ => "none",
    };

    /// <summary>The status as the lines `federation status` prints (also written to the status file).</summary>
    public static string Format(IReadOnlyList<S2sStreamStatus> streams)
    {
        if (streams.Count == 0)
        {
            return "no server-to-server streams\n";
        }

        var text = new StringBuilder();
        foreach (S2sStreamStatus s in streams.OrderBy(s => s.Domain, StringComparer.Ordinal).ThenBy(s => s.Direction, StringComparer.Ordinal))
        {
            text.Append(CultureInfo.InvariantCulture, $"{s.Direction,-8} {s.Domain,-30} {s.Method,-18} {(s.Tls ? s.DirectTls ? "direct TLS" : "TLS" : "plain"),-10} since {s.Opened:yyyy-MM-dd HH:mm:ss}Z");
            if (s.Certificate.Length > 0 && s.Certificate != "valid")
            {
                text.Append(CultureInfo.InvariantCulture, $" (certificate: {s.Certificate})");
            }

            text.Append('\n');
        }

        return text.ToString();
    }

    private void Tick()
    {
        long now = Environment.TickCount64;
        long idle = (long)_options.IdleTimeout.TotalMilliseconds;
        S2sOutbound[] outbound;
        lock (_gate)
        {
            outbound = [.. _outbound.Values];
        }

        foreach (S2sOutbound stream in outbound)
        {
            stream.OnTick(now, idle);
        }

        foreach (S2sInbound stream in _inbound.Keys)
        {
            stream.OnTick(now);
        }

        if (_statusDirty && _statusPath is not null)
        {
            _statusDirty = false;
            try
            {
                string temporary = _statusPath + ".tmp";
                File.WriteAllText(temporary, Format(Status()));
                File.Move(temporary, _statusPath, overwrite: true);
            }
            catch (IOException)
            {
                _statusDirty = true;
            }
            catch (UnauthorizedAccessException)
            {
                _statusDirty = true;
            }
        }
    }

    /// <summary>Closes every stream (the node is stopping).</summary>
    public void Shutdown()
    {
        S2sOutbound[] outbound;
        lock (_gate)
        {
            _stopping = true;
            outbound = [.. _outbound.Values];
        }

        foreach (S2sOutbound stream in outbound)
        {
            stream.RequestClose(S2sCloseReason.Shutdown);
        }

        foreach (S2sInbound stream in _inbound.Keys)
        {
            stream.RequestClose(S2sCloseReason.Shutdown);
        }
    }

    /// <summary>Waits for the outbound streams to finish closing (inbound ones end with their connections).</summary>
    public async Task StopAsync()
    {
        Shutdown();
        S2sOutbound[] outbound;
        lock (_gate)
        {
            outbound = [.. _outbound.Values];
        }

        try
        {
            await Task.WhenAll(outbound.Select(o => o.Completion)).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
    }

    public void Dispose() => _timer.Dispose();
}
