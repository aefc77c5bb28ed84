using System.Buffers;
using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using EdgeNode.Core.Addressing;
using EdgeNode.Core.Connections;
using EdgeNode.Core.Routing;
using EdgeNode.Core.Tls;
using EdgeNode.Xmpp.Stanzas;
using EdgeNode.Xmpp.Xml;
using Microsoft.AspNetCore.Connections;

namespace EdgeNode.Xmpp.Streams;

public sealed partial class C2sConnection
{
    // ---- resource binding (RFC 6120 7) and pre-login registration (XEP-0077) ----

    private Step OnBindIq(XmlElement iq)
    {
        iq.TryGetAttribute(XmppNames.Id, out XmlValue idValue);
        byte[] id = Encoding.UTF8.GetBytes(idValue.GetString());
        if (StanzaTypes.TryIq(iq, out IqType type) && type == IqType.Set && iq.TryGetChild("bind"u8, Ns.Bind, out XmlElement bind))
        {
            string resource;
            if (bind.TryGetChild("resource"u8, Ns.Bind, out XmlElement requested) && !requested.Text.IsEmpty)
            {
                resource = requested.Text.GetString().Trim();
                if (!Jid.TryParse($"{_account}/{resource}", out _) || resource.Length == 0)
                {
                    WriteIqError(id, "bad-request"u8, "modify"u8);
                    return Step.Continue;
                }
            }
            else
            {
                resource = "edgenode-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
            }

            var session = new C2sSession(_account!, resource, _server.Options.MaxOutboundBytes, this);
            _messageLimit = new MessageRateLimit(_server.Options.MessagesPerSecond, _server.Options.MessageBurst, _server.MessagePairs,
                _server.Time, _server.Logger, _remote);
            _server.Presence.Register(session);
            _session = session;
            _startPump = true;
            XmppLog.Bound(_server.Logger, session.FullJid, _id);
            // Logged in: no longer one of the listener's connections that have not.
            _connection.Features.Get<ConnectionAuthenticationFeature>()?.Authenticated();
            var output = new ArrayBufferWriter<byte>(256);
            var writer = new XmlStanzaWriter(output);
            writer.WriteStartElement("iq"u8);
            writer.WriteAttribute("type"u8, "result"u8);
            writer.WriteAttribute("id"u8, id);
            writer.WriteStartElement("bind"u8, Ns.Bind);
            writer.WriteElementWithText("jid"u8, session.FullAddress);
            writer.WriteEndElement("bind"u8);
            writer.WriteEndElement("iq"u8);
            session.Send(output.WrittenSpan);
            return Step.Continue;
        }

        if (StanzaTypes.TryIq(iq, out type) && type == IqType.Set && iq.TryGetChild("session"u8, Ns.Session, out _))
        {
            WriteIqResult(id);
            return Step.Continue;
        }

        WriteIqError(id, "not-authorized"u8, "auth"u8);
        return Step.Continue;
    }

    private Step OnRegistrationIq(XmlElement iq)
    {
        iq.TryGetAttribute(XmppNames.Id, out XmlValue idValue);
        byte[] id = Encoding.UTF8.GetBytes(idValue.GetString());
        if (!StanzaTypes.TryIq(iq, out IqType type) || !iq.TryGetChild("query"u8, Ns.Register, out XmlElement query))
        {
            WriteIqError(id, "service-unavailable"u8, "cancel"u8);
            return Step.Continue;
        }

        if (type == IqType.Get)
        {
            Output().Write("<iq type='result' id='"u8);
            WriteEscaped(id);
            Output().Write("'><query xmlns='jabber:iq:register'><instructions>Choose a user name and password.</instructions><username/><password/></query></iq>"u8);
            return Step.Continue;
        }

        if (type != IqType.Set || !query.TryGetChild("username"u8, Ns.Register, out XmlElement user)
            || !query.TryGetChild("password"u8, Ns.Register, out XmlElement password))
        {
            WriteIqError(id, "bad-request"u8, "modify"u8);
            return Step.Continue;
        }

        string name = user.Text.GetString();
        string secret = password.Text.GetString();
        if (!Jid.TryParse($"{name}@{_server.Domain}", out var jid) || jid.Local is null || !jid.IsBare
            || !Core.Accounts.PasswordRules.IsAcceptable(secret, out _))
        {
            WriteIqError(id, "not-acceptable"u8, "modify"u8);
            return Step.Continue;
        }

        if (_server.Throttle.IsLockedOut(null, _remote))
        {
            WriteIqError(id, "resource-constraint"u8, "wait"u8);
            return Step.Continue;
        }

        try
        {
            _server.Accounts.Add(jid, secret);
        }
        catch (Core.Accounts.AccountExistsException)
        {
            WriteIqError(id, "conflict"u8, "cancel"u8);
            return Step.Continue;
        }

        // Each registration counts against the address like a failed login, so one client cannot mint accounts.
        _server.Throttle.RecordFailure(null, _remote);
        XmppLog.AccountRegistered(_server.Logger, jid.ToString(), _remote);
        WriteIqResult(id);
        return Step.Continue;
    }

    private void WriteIqResult(byte[] id)
    {
        IBufferWriter<byte> output = Output();
        output.Write("<iq type='result' id='"u8);
        WriteEscaped(id);
        output.Write("'/>"u8);
    }

    private void WriteIqError(byte[] id, ReadOnlySpan<byte> condition, ReadOnlySpan<byte> errorType) =>
        StanzaErrors.Write(Output(), "iq"u8, default, default, id, errorType, condition);

    private void WriteEscaped(ReadOnlySpan<byte> value) => XmlEscaping.WriteEscaped(Output(), value, attribute: true, nameof(value));

    // ---- output ----

    /// <summary>Before binding the read loop writes to the connection itself; afterwards all output is queued for the pump.</summary>
    private IBufferWriter<byte> Output() => _output;

    private void AbortTransport() => _connection.Abort(new ConnectionAbortedException("The client did not read within the close grace period."));

    /// <summary>XEP-0160: the session's stored messages, delivered alongside the read loop and awaited when it closes.</summary>
    private void StartOfflineDelivery(C2sSession session) => session.RunAfter(() => _server.OfflineDelivery.RunAsync(session));

    private void RetireQuietly(C2sSession session)
    {
        try
        {
            _server.Presence.Retire(session);
        }
        catch (Exception e)
        {
            XmppLog.HandlerFailed(_server.Logger, _id, e);
        }
    }

    // ---- STARTTLS (RFC 6120 5) ----

    private async Task<bool> UpgradeAsync()
    {
        var tls = new TlsServerStream(_server.TlsContext!, _connection.Transport);
        using var timeout = new CancellationTokenSource(_server.Options.NegotiationTimeout);
        try
        {
            await tls.AuthenticateAsServerAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            XmppLog.TlsFailed(_server.Logger, _id, _remote, e.Message);
            await tls.DisposeAsync().ConfigureAwait(false);
            SetClose(CloseReason.TlsFailed);
            return false;
        }

        _tls = tls;
        var secured = new StreamPipe(tls);
        _input = secured.Input;
        _output = secured.Output;
        _secure = true;
        _state = default;
        _headerSent = false;
        if (Volatile.Read(ref _closeReason) != 0)
        {
            _input.CancelPendingRead();
        }

        return true;
    }

    // ---- closing ----

    private Step StreamError(string condition, string? text)
    {
        SetStreamError(condition, text);
        XmppLog.StreamError(_server.Logger, _id, _remote, condition, text ?? "");
        return Step.Close;
    }

    private void SetStreamError(string condition, string? text)
    {
        _streamErrorCondition ??= condition;
        _streamErrorText ??= text;
        SetClose(CloseReason.StreamError);
    }

    private bool SetClose(CloseReason reason) => Interlocked.CompareExchange(ref _closeReason, (int)reason, 0) == 0;

    public void RequestClose(TargetCloseReason reason)
    {
        bool first = SetClose(reason switch
        {
            TargetCloseReason.Replaced => CloseReason.Replaced,
            TargetCloseReason.Overflow => CloseReason.Overflow,
            TargetCloseReason.AccountRemoved => CloseReason.AccountRemoved,
            _ => CloseReason.Shutdown,
        });
        if (first && reason == TargetCloseReason.Overflow && _session is { } session)
        {
            // Once per session: the close that follows is the end of the burst.
            XmppLog.OutboundOverflow(_server.Logger, session.FullJid, _remote, session.OutboundCapacity);
        }

        Wake();
    }

    private void RequestClose(CloseReason reason)
    {
        SetClose(reason);
        Wake();
    }

    private void Wake()
    {
        try
        {
            _input.CancelPendingRead();
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException)
        {
            // The reader has completed: the read loop is already on its way out.
        }

        if ((CloseReason)Volatile.Read(ref _closeReason) == CloseReason.Overflow)
        {
            // A peer that does not read gets nothing more: the pump stops waiting on it.
            try
            {
                _abort.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    /// <summary>Called every second by the server's timer: timeouts, whitespace keepalive, pings and dead peers.</summary>
    internal void OnTick(long now)
    {
        if (Volatile.Read(ref _closeReason) != 0)
        {
            return;
        }

        var options = _server.Options;
        long partial = Volatile.Read(ref _partialSince);
        if (partial != 0 && now - partial > (long)options.StanzaTimeout.TotalMilliseconds)
        {
            RequestClose(CloseReason.StanzaTimeout);
            return;
        }

        C2sSession? session = _session;
        if (session is null)
        {
            if (now - _openedAt > (long)options.NegotiationTimeout.TotalMilliseconds)
            {
                RequestClose(CloseReason.NegotiationTimeout);
            }

            return;
        }

        long received = Volatile.Read(ref _lastReceived);
        long pinged = Volatile.Read(ref _pingSentAt);
        if (pinged != 0)
        {
            if (now - pinged > (long)options.PingTimeout.TotalMilliseconds)
            {
                XmppLog.DeadConnection(_server.Logger, _id, session.FullJid, "no answer to a ping");
                RequestClose(CloseReason.Dead);
            }

            return;
        }

        if (now - received > (long)options.PingInterval.TotalMilliseconds)
        {
            // XEP-0199 4.2: the server pings a silent client; any bytes in return count as an answer.
            Volatile.Write(ref _pingSentAt, now);
            string id = "ping" + Interlocked.Increment(ref _pingCounter).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var output = new ArrayBufferWriter<byte>(160);
            var writer = new XmlStanzaWriter(output);
            writer.WriteStartElement("iq"u8);
            writer.WriteAttribute("from"u8, _server.DomainUtf8);
            writer.WriteAttribute("to"u8, session.FullAddress);
            writer.WriteAttribute("type"u8, "get"u8);
            writer.WriteAttribute("id"u8, id.AsSpan());
            writer.WriteStartElement("ping"u8, Ns.Ping);
            writer.WriteEndElement("ping"u8);
            writer.WriteEndElement("iq"u8);
            session.Send(output.WrittenSpan);
            return;
        }

        long sent = Math.Max(Volatile.Read(ref _lastSent), _pump?.LastSent ?? 0);
        if (now - sent > (long)options.KeepaliveInterval.TotalMilliseconds)
        {
            Volatile.Write(ref _lastSent, now);
            session.Send(" "u8);
        }
    }

    private async Task CloseAsync()
    {
        var reason = (CloseReason)Volatile.Read(ref _closeReason);
        C2sSession? session = _session;
        if (session is not null)
        {
            // Unregistered first, so that nothing more is routed here; retired (a no-op if a new login did it already).
            _server.Router.Unregister(session);
            RetireQuietly(session);
        }

        string? condition = reason switch
        {
            CloseReason.StreamError => _streamErrorCondition,
            CloseReason.Replaced => "conflict",
            CloseReason.Shutdown => "system-shutdown",
            CloseReason.NegotiationTimeout or CloseReason.StanzaTimeout => "connection-timeout",
            CloseReason.AccountRemoved => "not-authorized",
            _ => null,
        };
        string? text = reason switch
        {
            CloseReason.StreamError => _streamErrorText,
            CloseReason.Replaced => "Another login took this resource.",
            CloseReason.StanzaTimeout => "A stanza took too long to arrive.",
            CloseReason.NegotiationTimeout => "Login took too long.",
            _ => null,
        };
        bool peerListens = reason is not (CloseReason.PeerClosed or CloseReason.Overflow or CloseReason.Dead or CloseReason.TlsFailed);
        byte[] goodbye = peerListens ? Goodbye(condition, text) : [];

        // Closing is ordered: the pump writes what is queued and stops before anything else touches the writer; the
        // goodbye follows the last queued byte; the writer is completed only after that. Nothing is written after
        // completion and nothing queued before the close is dropped in favour of the goodbye.
        using var grace = new CancellationTokenSource(CloseGrace);
        bool writable = true;
        try
        {
            if (_pump is not null)
            {
                writable = await _pump.StopAsync(grace.Token).ConfigureAwait(false);
            }
            else if (session is not null)
            {
                // Bound but the pump never started (the same read ended the stream): the read loop writes what is queued.
                session.Outbound.Complete();
                session.Outbound.TryDrainTo(_output, out _);
                session.OnOutputStopped();
            }
        }
        catch (Exception e) when (IsConnectionFailure(e))
        {
            writable = false;
        }

        if (session?.OutputJobs is { } delivery)
        {
            try
            {
                await delivery.ConfigureAwait(false);
            }
            catch (Exception e)
            {
                XmppLog.HandlerFailed(_server.Logger, _id, e);
            }
        }

        try
        {
            if (writable && goodbye.Length > 0)
            {
                await _output.WriteAsync(goodbye, grace.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The peer stopped reading at the very end: it is cut off rather than waited for.
            AbortTransport();
        }
        catch (Exception e) when (IsConnectionFailure(e))
        {
        }

        try
        {
            await _output.CompleteAsync().ConfigureAwait(false);
            await _input.CompleteAsync().ConfigureAwait(false);
            if (_tls is not null)
            {
                await _tls.DisposeAsync().ConfigureAwait(false);
            }
        }
        catch (Exception e) when (IsConnectionFailure(e))
        {
        }

        if (!peerListens)
        {
            _connection.Abort(new ConnectionAbortedException(reason.ToString()));
        }

        XmppLog.ConnectionClosed(_server.Logger, _id, CloseReasons.Describe(reason));
    }

    private byte[] Goodbye(string? condition, string? text)
    {
        var output = new ArrayBufferWriter<byte>(256);
        if (!_headerSent)
        {
            _headerSent = true;
            output.Write("<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0' from='"u8);
            output.Write(_server.DomainUtf8);
            output.Write("'>"u8);
        }

        if (condition is not null)
        {
            output.Write("<stream:error><"u8);
            output.Write(Encoding.UTF8.GetBytes(condition));
            output.Write(" xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"u8);
            if (text is not null)
            {
                output.Write("<text xmlns='urn:ietf:params:xml:ns:xmpp-streams' xml:lang='en'>"u8);
                XmlEscaping.WriteEscaped(output, text.AsSpan(), attribute: false, nameof(text));
                output.Write("</text>"u8);
            }

            output.Write("</stream:error>"u8);
        }

        output.Write("</stream:stream>"u8);
        return output.WrittenSpan.ToArray();
    }

    internal static bool IsConnectionFailure(Exception e) =>
        e is IOException or SocketException or ConnectionResetException or ConnectionAbortedException or OperationCanceledException
            or ObjectDisposedException or InvalidOperationException or System.Security.Authentication.AuthenticationException;
}
