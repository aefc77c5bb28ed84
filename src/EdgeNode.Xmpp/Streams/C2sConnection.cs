using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Text;
using EdgeNode.Core.Accounts;
using EdgeNode.Core.Addressing;
using EdgeNode.Core.Routing;
using EdgeNode.Core.Tls;
using EdgeNode.Xmpp.Sasl;
using EdgeNode.Xmpp.Stanzas;
using EdgeNode.Xmpp.Xml;
using Microsoft.AspNetCore.Connections;

namespace EdgeNode.Xmpp.Streams;

/// <summary>
/// One client connection (RFC 6120): stream headers and features, STARTTLS over the connection's pipes, SASL, resource
/// binding, then stanzas handed to the router. Whatever the client does (malformed XML, a stanza never finished, a
/// reader that never reads, a vanished socket), this connection ends alone and nothing it holds outlives it.
/// </summary>
public sealed partial class C2sConnection : ISessionOwner
{
    private const int MaxSaslAttempts = 3;
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(2);

    private readonly XmppServer _server;
    private readonly ConnectionContext _connection;
    private readonly bool _directTls;
    private readonly string _id;
    private readonly string _remote;
    private readonly bool _loopback;
    private readonly XmlStreamContext _xml;
    // The thread's scratch while Process runs (StanzaScratch.Rent); null otherwise.
    private StanzaScratch _scratch = null!;
    private readonly CancellationTokenSource _abort = new();
    private readonly long _openedAt = Environment.TickCount64;

    private volatile PipeReader _input;
    private PipeWriter _output;
    private TlsServerStream? _tls;
    private bool _secure;
    private XmlStreamState _state;
    private bool _headerSent;
    private string? _account;

    /// <summary>The account this connection logged in as; null before SASL succeeds.</summary>
    internal string? Account => _account;
    private ScramServer? _scram;
    private int _saslFailures;
    private readonly LoginCharges _loginCharges = new();
    private volatile C2sSession? _session;
    private volatile OutboundPump? _pump;
    private MessageRateLimit? _messageLimit;
    private bool _startPump;
    private int _closeReason;
    private string? _streamErrorCondition;
    private string? _streamErrorText;
    private long _lastReceived = Environment.TickCount64;
    private long _lastSent = Environment.TickCount64;
    private long _partialSince;
    private long _pingSentAt;
    private int _pingCounter;

    public C2sConnection(XmppServer server, ConnectionContext connection, bool directTls)
    {
        _server = server;
        _connection = connection;
        _directTls = directTls;
        _secure = directTls;
        _id = connection.ConnectionId;
        IPAddress? address = (connection.RemoteEndPoint as IPEndPoint)?.Address;
        if (address is { IsIPv4MappedToIPv6: true })
        {
            address = address.MapToIPv4();
        }

        _remote = address?.ToString() ?? "?";
        _loopback = address is not null && IPAddress.IsLoopback(address);
        _input = connection.Transport.Input;
        _output = connection.Transport.Output;
        _xml = new XmlStreamContext(server.StreamOptions, tablesWhileParsing: true);
    }

    private bool TlsRequired => !_secure && !(_server.Options.AllowPlaintextLoopback && _loopback);

    public async Task RunAsync()
    {
        XmppLog.ConnectionOpened(_server.Logger, _id, _remote, _directTls);
        if (!_server.Add(this))
        {
            SetClose(CloseReason.Shutdown);
        }

        try
        {
            if (_closeReason == 0)
            {
                await ReadLoopAsync().ConfigureAwait(false);
            }
        }
        catch (Exception e) when (IsConnectionFailure(e))
        {
            SetClose(CloseReason.PeerClosed);
        }
        catch (Exception e)
        {
            XmppLog.HandlerFailed(_server.Logger, _id, e);
            SetStreamError("internal-server-error", null);
        }
        finally
        {
            await CloseAsync().ConfigureAwait(false);
            _server.Remove(this);
            _xml.Dispose();
            _abort.Dispose();
        }
    }

    private async Task ReadLoopAsync()
    {
        while (true)
        {
            ReadResult result = await _input.ReadAsync().ConfigureAwait(false);
            if (Volatile.Read(ref _closeReason) != 0)
            {
                _input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
                return;
            }

            if (result.IsCanceled)
            {
                _input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
                continue;
            }

            ReadOnlySequence<byte> buffer = result.Buffer;
            long now = Environment.TickCount64;
            if (!buffer.IsEmpty)
            {
                Volatile.Write(ref _lastReceived, now);
                Volatile.Write(ref _pingSentAt, 0);
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
                _input.AdvanceTo(buffer.End);
                SetStreamError(Encoding.UTF8.GetString(XmlStreamErrorConditions.GetName(e.Condition)), e.Message);
                XmppLog.StreamError(_server.Logger, _id, _remote, _streamErrorCondition!, e.Message);
                return;
            }

            bool partial = buffer.Slice(consumed).Length > 0;
            _input.AdvanceTo(consumed, examined);
            Volatile.Write(ref _partialSince, partial ? (_partialSince == 0 ? now : _partialSince) : 0);

            if (_session is null || _pump is null)
            {
                await _output.FlushAsync().ConfigureAwait(false);
            }

            if (_startPump)
            {
                _startPump = false;
                _pump = new OutboundPump(_session!, _output, _abort, AbortTransport) { Failed = () => RequestClose(CloseReason.PeerClosed) };
                _pump.Start();
            }

            if (step == Step.StartTls && !await UpgradeAsync().ConfigureAwait(false))
            {
                return;
            }

            if (step == Step.Close)
            {
                return;
            }

            if (result.IsCompleted)
            {
                SetClose(CloseReason.PeerClosed);
                return;
            }
        }
    }

    private enum Step
    {
        Continue,
        Restart,
        StartTls,
        Close,
    }

    private Step Process(ReadOnlySequence<byte> buffer, out SequencePosition consumed, out SequencePosition examined)
    {
        // Parse tables and stanza scratch are the thread's, lent for this synchronous call only.
        _xml.BorrowTables();
        _scratch = StanzaScratch.Rent();
        try
        {
            return ProcessUnits(buffer, out consumed, out examined);
        }
        finally
        {
            StanzaScratch.Return(_scratch);
            _scratch = null!;
            _xml.ReturnTables();
        }
    }

    private Step ProcessUnits(ReadOnlySequence<byte> buffer, out SequencePosition consumed, out SequencePosition examined)
    {
        var reader = new XmlStreamReader(buffer, _state, _xml);
        Step step = Step.Continue;
        while (reader.Read())
        {
            step = reader.Event switch
            {
                XmlStreamEvent.StreamHeader => OnHeader(reader.Element),
                XmlStreamEvent.Stanza => OnElement(reader.Element),
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
            // RFC 6120 6.4.6 / 5.4.3.3: the client opens a new stream on the same connection.
            _state = default;
            _headerSent = false;
            return Step.Continue;
        }

        _state = reader.State;
        return step;
    }

    private Step OnStreamEnd()
    {
        SetClose(CloseReason.StreamEnded);
        return Step.Close;
    }

    // ---- stream header and features (RFC 6120 4.2, 4.3) ----

    private Step OnHeader(XmlElement header)
    {
        if (header.TryGetAttribute(XmppNames.To, out XmlValue to) && !DomainMatches(to))
        {
            WriteHeader();
            return StreamError("host-unknown", "This server serves another domain.");
        }

        if (!header.TryGetAttribute(XmppNames.Version, out XmlValue version) || !version.Raw.StartsWith("1."u8))
        {
            WriteHeader();
            return StreamError("unsupported-version", "This server speaks XMPP 1.0.");
        }

        WriteHeader();
        if (!_xml.HeaderBindsOnlyStreamPrefix())
        {
            return StreamError("bad-namespace-prefix", "Only the stream prefix may be declared on the stream header.");
        }

        IBufferWriter<byte> output = Output();
        output.Write("<stream:features>"u8);
        if (!_secure)
        {
            output.Write(TlsRequired
                ? "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>"u8
                : "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"u8);
        }

        if (_account is null && !TlsRequired)
        {
            output.Write("<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>SCRAM-SHA-256</mechanism><mechanism>SCRAM-SHA-1</mechanism>"u8);
            if (_secure)
            {
                output.Write("<mechanism>PLAIN</mechanism>"u8);
            }

            output.Write("</mechanisms>"u8);
            if (_secure && _server.Options.AllowRegistration)
            {
                output.Write("<register xmlns='http://jabber.org/features/iq-register'/>"u8);
            }
        }
        else if (_account is not null)
        {
            output.Write("<bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/><session xmlns='urn:ietf:params:xml:ns:xmpp-session'><optional/></session>"u8);
            output.Write("<ver xmlns='urn:xmpp:features:rosterver'/><sub xmlns='urn:xmpp:features:pre-approval'/>"u8);
        }

        output.Write("</stream:features>"u8);
        return Step.Continue;
    }

    private bool DomainMatches(XmlValue to)
    {
        Span<byte> buffer = stackalloc byte[256];
        if (!to.TryCopyTo(buffer, out int length))
        {
            return false;
        }

        ReadOnlySpan<byte> value = buffer.Slice(0, length);
        if (value.EndsWith("."u8))
        {
            value = value[..^1];
        }

        return Ascii.EqualsIgnoreCase(value, _server.DomainUtf8);
    }

    private void WriteHeader()
    {
        if (_headerSent)
        {
            return;
        }

        _headerSent = true;
        IBufferWriter<byte> output = Output();
        output.Write("<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0' xml:lang='en' from='"u8);
        output.Write(_server.DomainUtf8);
        output.Write("' id='"u8);
        Span<byte> id = stackalloc byte[16];
        RandomNumberGenerator.Fill(id);
        Span<byte> hex = stackalloc byte[32];
        for (int i = 0; i < id.Length; i++)
        {
            hex[2 * i] = (byte)"0123456789abcdef"[id[i] >> 4];
            hex[(2 * i) + 1] = (byte)"0123456789abcdef"[id[i] & 15];
        }

        output.Write(hex);
        output.Write("'>"u8);
    }

    // ---- first-level elements ----

    private Step OnElement(XmlElement element)
    {
        if (_session is { } session)
        {
            return OnStanza(element, session);
        }

        ReadOnlySpan<byte> ns = element.NamespaceUri;
        ReadOnlySpan<byte> name = element.LocalName;
        if (ns.SequenceEqual(Ns.Tls))
        {
            if (!name.SequenceEqual("starttls"u8) || _secure)
            {
                Output().Write("<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"u8);
                SetClose(CloseReason.TlsFailed);
                return Step.Close;
            }

            if (_server.Certificate is null)
            {
                Output().Write("<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"u8);
                SetClose(CloseReason.TlsFailed);
                return Step.Close;
            }

            Output().Write("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"u8);
            return Step.StartTls;
        }

        if (TlsRequired)
        {
            if (ns.SequenceEqual(Ns.Sasl))
            {
                SaslFailure("encryption-required"u8, null);
                return Step.Continue;
            }

            return StreamError("policy-violation", "STARTTLS is required before anything else.");
        }

        if (_account is null)
        {
            if (ns.SequenceEqual(Ns.Sasl))
            {
                return OnSasl(element, name);
            }

            if (name.SequenceEqual(XmppNames.Iq) && ns.SequenceEqual(Ns.Client) && _secure && _server.Options.AllowRegistration)
            {
                return OnRegistrationIq(element);
            }

            return StreamError("not-authorized", null);
        }

        if (name.SequenceEqual(XmppNames.Iq) && ns.SequenceEqual(Ns.Client))
        {
            return OnBindIq(element);
        }

        return StreamError("not-authorized", null);
    }

    private Step OnStanza(XmlElement element, C2sSession session)
    {
        ReadOnlySpan<byte> name = element.LocalName;
        if (!element.NamespaceUri.SequenceEqual(Ns.Client))
        {
            return StreamError("unsupported-stanza-type", null);
        }

        if (!element.Prefix.IsEmpty)
        {
            // Stanzas are forwarded as received, so they must be in the default namespace.
            return StreamError("bad-namespace-prefix", "Stanzas must not be prefixed.");
        }

        if (name.SequenceEqual(XmppNames.Message))
        {
            MessageHandler.Handle(element, session, _server.Router, _scratch, _messageLimit);
        }
        else if (name.SequenceEqual(XmppNames.Presence))
        {
            OnPresence(element, session);
        }
        else if (name.SequenceEqual(XmppNames.Iq))
        {
            _server.Iq.Handle(element, session, _scratch);
        }
        else
        {
            return StreamError("unsupported-stanza-type", null);
        }

        return Volatile.Read(ref _closeReason) == 0 ? Step.Continue : Step.Close;
    }

    private void OnPresence(XmlElement presence, C2sSession session)
    {
        if (!StanzaTypes.TryPresence(presence, out PresenceType type))
        {
            return;
        }

        string? to = presence.TryGetAttribute(XmppNames.To, out XmlValue toValue) ? toValue.GetString() : null;
        if (type is PresenceType.Subscribe or PresenceType.Subscribed or PresenceType.Unsubscribe or PresenceType.Unsubscribed)
        {
            if (to is not null)
            {
                _server.RosterService.HandleOutbound(type, session, to);
            }

            return;
        }

        if (to is not null && !Jid.TryParse(to, out _))
        {
            return;
        }

        if (_server.Presence.HandleOutbound(presence, type, session, to is null ? default : Encoding.UTF8.GetBytes(to), _scratch))
        {
            StartOfflineDelivery(session);
        }
    }

    // ---- SASL (RFC 6120 6) ----

    private Step OnSasl(XmlElement element, ReadOnlySpan<byte> name)
    {
        if (name.SequenceEqual("auth"u8))
        {
            _scram = null;
            string mechanism = element.TryGetAttribute("mechanism"u8, out XmlValue m) ? m.GetString() : "";
            if (!TryDecodeBase64(element, out byte[] initial))
            {
                return SaslFailure("incorrect-encoding"u8, null);
            }

            switch (mechanism)
            {
                case "SCRAM-SHA-256":
                case "SCRAM-SHA-1":
                    var hash = mechanism == "SCRAM-SHA-1" ? ScramHash.Sha1 : ScramHash.Sha256;
                    var scram = new ScramServer(hash, _server.Domain, account => _server.Accounts.GetCredential(Jid.Parse(account), hash), _server.FakeSaltKey);
                    SaslStep step = scram.Start(initial, out byte[] challenge);
                    if (step == SaslStep.Failure)
                    {
                        return SaslFailed(scram.Account, mechanism, scram.FailureCondition);
                    }

                    if (_server.Throttle.RetryAfter(scram.Account, _remote) is { } scramWait)
                    {
                        return SaslLockedOut(scram.Account, scramWait);
                    }

                    _scram = scram;
                    WriteSaslData("challenge"u8, challenge);
                    return Step.Continue;

                case "PLAIN" when _secure:
                    return OnPlain(initial);

                default:
                    return SaslFailure("invalid-mechanism"u8, null);
            }
        }

        if (name.SequenceEqual("response"u8))
        {
            if (_scram is not { } scram)
            {
                return SaslFailure("malformed-request"u8, null);
            }

            _scram = null;
            if (!TryDecodeBase64(element, out byte[] response))
            {
                return SaslFailure("incorrect-encoding"u8, null);
            }

            if (scram.Continue(response, out byte[] signature) != SaslStep.Success)
            {
                return SaslFailed(scram.Account, scram.Mechanism, scram.FailureCondition);
            }

            return SaslSucceeded(scram.Account!, scram.Mechanism, signature);
        }

        if (name.SequenceEqual("abort"u8))
        {
            _scram = null;
            return SaslFailure("aborted"u8, null);
        }

        return StreamError("bad-format", null);
    }

    private Step OnPlain(byte[] message)
    {
        // authzid NUL authcid NUL passwd (RFC 4616); the password is never logged and is cleared after use.
        int first = Array.IndexOf(message, (byte)0);
        int second = first < 0 ? -1 : Array.IndexOf(message, (byte)0, first + 1);
        if (second < 0)
        {
            CryptographicOperations.ZeroMemory(message);
            return SaslFailure("malformed-request"u8, null);
        }

        string authzid = Encoding.UTF8.GetString(message, 0, first);
        string user = Encoding.UTF8.GetString(message, first + 1, second - first - 1);
        string password = Encoding.UTF8.GetString(message, second + 1, message.Length - second - 1);
        CryptographicOperations.ZeroMemory(message);
        string candidate = user.Contains('@', StringComparison.Ordinal) ? user : $"{user}@{_server.Domain}";
        if (!Jid.TryParse(candidate, out var jid) || jid.Local is null || !jid.IsBare || jid.Domain != _server.Domain)
        {
            return SaslFailed(null, "PLAIN", "not-authorized");
        }

        string account = jid.ToString();
        if (authzid.Length > 0 && (!Jid.TryParse(authzid, out var z) || z.ToString() != account))
        {
            return SaslFailed(account, "PLAIN", "invalid-authzid");
        }

        if (_server.Throttle.RetryAfter(account, _remote) is { } wait)
        {
            return SaslLockedOut(account, wait);
        }

        if (!_server.Accounts.VerifyPassword(jid, password))
        {
            return SaslFailed(account, "PLAIN", "not-authorized", password);
        }

        return SaslSucceeded(account, "PLAIN", []);
    }

    private Step SaslSucceeded(string account, string mechanism, byte[] data)
    {
        _server.Throttle.RecordSuccess(account, _remote);
        XmppLog.AuthSucceeded(_server.Logger, account, _remote, mechanism);
        _account = account;
        WriteSaslData("success"u8, data);
        return Step.Restart;
    }

    private Step SaslFailed(string? account, string mechanism, string condition, string? password = null)
    {
        // One mistake is one failure: a client's retry with its next mechanism on this connection, or a wrong
        // password already tried from this address, is not counted again (LoginCharges, LoginThrottle).
        _server.Throttle.RecordFailure(account, _remote, password, _loginCharges);
        XmppLog.AuthFailed(_server.Logger, account ?? "?", _remote, mechanism);
        if (condition != "not-authorized")
        {
            return SaslFailure(Encoding.UTF8.GetBytes(condition), null);
        }

        // Tell the person what happened, and when this failure started a wait, how long it is.
        string text = _server.Throttle.RetryAfter(account, _remote) is { } wait
            ? "Wrong user name or password. " + LoginWait.TooMany(wait)
            : "Wrong user name or password.";
        return SaslFailure("not-authorized"u8, text);
    }

    /// <summary>
    /// The guard makes this account (or address) wait: no password is checked. The failure says how long, and the
    /// stream closes with the same words, since every mechanism the client might try next would get the same answer
    /// (and some clients show only a stream error's text).
    /// </summary>
    private Step SaslLockedOut(string? account, TimeSpan wait)
    {
        XmppLog.AuthLockedOut(_server.Logger, account ?? "?", _remote, LoginWait.Seconds(wait));
        string text = LoginWait.TooMany(wait);
        WriteSaslFailure("temporary-auth-failure"u8, text);
        return StreamError("policy-violation", text);
    }

    private Step SaslFailure(ReadOnlySpan<byte> condition, string? text)
    {
        WriteSaslFailure(condition, text);
        if (++_saslFailures >= MaxSaslAttempts)
        {
            // RFC 6120 6.4.5: after a configurable number of retries the server may close the stream.
            return StreamError("not-authorized", "Too many authentication attempts on this connection.");
        }

        return Step.Continue;
    }

    private void WriteSaslFailure(ReadOnlySpan<byte> condition, string? text)
    {
        IBufferWriter<byte> output = Output();
        output.Write("<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><"u8);
        output.Write(condition);
        output.Write("/>"u8);
        if (text is not null)
        {
            output.Write("<text xml:lang='en'>"u8);
            output.Write(Encoding.UTF8.GetBytes(text));
            output.Write("</text>"u8);
        }

        output.Write("</failure>"u8);
    }

    private void WriteSaslData(ReadOnlySpan<byte> name, byte[] data)
    {
        IBufferWriter<byte> output = Output();
        output.Write("<"u8);
        output.Write(name);
        output.Write(" xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"u8);
        if (data.Length > 0)
        {
            output.Write(Encoding.ASCII.GetBytes(Convert.ToBase64String(data)));
        }

        output.Write("</"u8);
        output.Write(name);
        output.Write(">"u8);
    }

    private static bool TryDecodeBase64(XmlElement element, out byte[] data)
    {
        string text = element.Text.GetString().Trim();
        if (text == "=" || text.Length == 0)
        {
            data = [];
            return true;
        }

        try
        {
            data = Convert.FromBase64String(text);
            return true;
        }
        catch (FormatException)
        {
            data = [];
            return false;
        }
    }
}
