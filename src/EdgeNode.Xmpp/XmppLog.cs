using Microsoft.Extensions.Logging;

namespace EdgeNode.Xmpp;

/// <summary>Everything the XMPP service logs. Passwords and SASL payloads never appear here.</summary>
internal static partial class XmppLog
{
    [LoggerMessage(XmppEventIds.ConnectionOpened, LogLevel.Debug, "XMPP client connection {Id} from {Remote} (direct TLS: {DirectTls})")]
    public static partial void ConnectionOpened(ILogger logger, string id, string remote, bool directTls);

    [LoggerMessage(XmppEventIds.ConnectionClosed, LogLevel.Debug, "XMPP client connection {Id} closed: {Reason}")]
    public static partial void ConnectionClosed(ILogger logger, string id, string reason);

    [LoggerMessage(XmppEventIds.StreamError, LogLevel.Information, "XMPP connection {Id} from {Remote}: stream error {Condition}: {Detail}")]
    public static partial void StreamError(ILogger logger, string id, string remote, string condition, string detail);

    [LoggerMessage(XmppEventIds.TlsFailed, LogLevel.Information, "XMPP connection {Id} from {Remote}: TLS negotiation failed: {Detail}")]
    public static partial void TlsFailed(ILogger logger, string id, string remote, string detail);

    [LoggerMessage(XmppEventIds.AuthSucceeded, LogLevel.Information, "XMPP login of {Account} from {Remote} ({Mechanism})")]
    public static partial void AuthSucceeded(ILogger logger, string account, string remote, string mechanism);

    [LoggerMessage(XmppEventIds.AuthFailed, LogLevel.Warning, "XMPP login failed for {Account} from {Remote} ({Mechanism})")]
    public static partial void AuthFailed(ILogger logger, string account, string remote, string mechanism);

    [LoggerMessage(XmppEventIds.AuthLockedOut, LogLevel.Warning, "XMPP login refused for {Account} from {Remote}: too many failed logins, {Seconds} s to wait")]
    public static partial void AuthLockedOut(ILogger logger, string account, string remote, long seconds);

    [LoggerMessage(XmppEventIds.Bound, LogLevel.Debug, "XMPP session {Jid} bound on connection {Id}")]
    public static partial void Bound(ILogger logger, string jid, string id);

    [LoggerMessage(XmppEventIds.Replaced, LogLevel.Information, "XMPP session {Jid} replaced by a new login to the same resource")]
    public static partial void Replaced(ILogger logger, string jid);

    [LoggerMessage(XmppEventIds.OutboundOverflow, LogLevel.Warning, "XMPP session {Jid} from {Remote} disconnected: it did not read and its outbound buffer ({Capacity} bytes, Xmpp:MaxOutboundBytes) filled up")]
    public static partial void OutboundOverflow(ILogger logger, string jid, string remote, int capacity);

    [LoggerMessage(XmppEventIds.MessagesRefused, LogLevel.Warning, "XMPP session {Jid} from {Remote} sends messages faster than {Limit}; they are refused with resource-constraint until it slows down (its previous burst had {Previous} refused)")]
    public static partial void MessagesRefused(ILogger logger, string jid, string remote, string limit, long previous);

    [LoggerMessage(XmppEventIds.RosterFull, LogLevel.Information, "XMPP roster of {Account} is full ({Limit} items, Xmpp:MaxRosterItems): {Contact} was not added")]
    public static partial void RosterFull(ILogger logger, string account, int limit, string contact);

    [LoggerMessage(XmppEventIds.DeadConnection, LogLevel.Information, "XMPP connection {Id} ({Jid}) disconnected: {Reason}")]
    public static partial void DeadConnection(ILogger logger, string id, string jid, string reason);

    [LoggerMessage(XmppEventIds.HandlerFailed, LogLevel.Error, "XMPP connection {Id} failed")]
    public static partial void HandlerFailed(ILogger logger, string id, Exception exception);

    [LoggerMessage(XmppEventIds.OtherViewFailed, LogLevel.Error, "XMPP contacts of {Account} could not be shown its presence on another protocol")]
    public static partial void OtherViewFailed(ILogger logger, string account, Exception exception);

    [LoggerMessage(XmppEventIds.AccountRegistered, LogLevel.Information, "XMPP in-band registration created {Account} from {Remote}")]
    public static partial void AccountRegistered(ILogger logger, string account, string remote);
}
