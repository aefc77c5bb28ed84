using Microsoft.Extensions.Logging;

namespace EdgeNode.Xmpp.S2s;

/// <summary>Everything federation logs. Dialback keys and the dialback secret never appear here.</summary>
internal static partial class S2sLog
{
    [LoggerMessage(S2sEventIds.InboundOpened, LogLevel.Debug, "s2s inbound stream {Id} from {Remote}")]
    public static partial void InboundOpened(ILogger logger, string id, string remote);

    [LoggerMessage(S2sEventIds.InboundClosed, LogLevel.Information, "s2s inbound stream {Id} from {Domains} closed: {Reason}")]
    public static partial void InboundClosed(ILogger logger, string id, string domains, string reason);

    [LoggerMessage(S2sEventIds.OutboundConnecting, LogLevel.Debug, "s2s outbound stream {Id} to {Domain}: connecting to {Endpoint}")]
    public static partial void OutboundConnecting(ILogger logger, string id, string domain, string endpoint);

    [LoggerMessage(S2sEventIds.OutboundClosed, LogLevel.Information, "s2s outbound stream {Id} to {Domain} closed: {Reason}")]
    public static partial void OutboundClosed(ILogger logger, string id, string domain, string reason);

    [LoggerMessage(S2sEventIds.ConnectFailed, LogLevel.Warning, "s2s to {Domain} failed: {Detail}")]
    public static partial void ConnectFailed(ILogger logger, string domain, string detail);

    [LoggerMessage(S2sEventIds.StreamError, LogLevel.Information, "s2s stream {Id} ({Domain}): stream error {Condition}: {Detail}")]
    public static partial void StreamError(ILogger logger, string id, string domain, string condition, string detail);

    [LoggerMessage(S2sEventIds.TlsEstablished, LogLevel.Debug, "s2s stream {Id} ({Domain}): TLS {Protocol}")]
    public static partial void TlsEstablished(ILogger logger, string id, string domain, string protocol);

    [LoggerMessage(S2sEventIds.TlsFailed, LogLevel.Warning, "s2s stream {Id} ({Domain}): TLS negotiation failed: {Detail}")]
    public static partial void TlsFailed(ILogger logger, string id, string domain, string detail);

    [LoggerMessage(S2sEventIds.CertificateNotValid, LogLevel.Information, "s2s stream {Id}: the certificate of {Domain} is not valid for it ({Problem}); dialback is used where policy allows")]
    public static partial void CertificateNotValid(ILogger logger, string id, string domain, string problem);

    [LoggerMessage(S2sEventIds.Authenticated, LogLevel.Information, "s2s {Direction} stream {Id}: {Domain} authenticated by {Method}")]
    public static partial void Authenticated(ILogger logger, string direction, string id, string domain, string method);

    [LoggerMessage(S2sEventIds.AuthenticationFailed, LogLevel.Warning, "s2s {Direction} stream {Id}: {Domain} not authenticated: {Detail}")]
    public static partial void AuthenticationFailed(ILogger logger, string direction, string id, string domain, string detail);

    [LoggerMessage(S2sEventIds.DialbackVerified, LogLevel.Debug, "s2s stream {Id}: answered a dialback verification for {Domain}: {Valid}")]
    public static partial void DialbackVerified(ILogger logger, string id, string domain, bool valid);

    [LoggerMessage(S2sEventIds.PolicyRefused, LogLevel.Information, "s2s with {Domain} refused: {Reason}")]
    public static partial void PolicyRefused(ILogger logger, string domain, string reason);

    [LoggerMessage(S2sEventIds.Bounced, LogLevel.Information, "s2s: {Count} stanza(s) for {Domain} bounced with {Condition}")]
    public static partial void Bounced(ILogger logger, int count, string domain, string condition);

    [LoggerMessage(S2sEventIds.SpoofedFrom, LogLevel.Warning, "s2s inbound stream {Id}: a stanza from {From} which is not authenticated on this stream (authenticated: {Domains}); cut off")]
    public static partial void SpoofedFrom(ILogger logger, string id, string from, string domains);

    [LoggerMessage(S2sEventIds.HandlerFailed, LogLevel.Error, "s2s stream {Id} failed")]
    public static partial void HandlerFailed(ILogger logger, string id, Exception exception);

    [LoggerMessage(S2sEventIds.IdleClosed, LogLevel.Debug, "s2s outbound stream {Id} to {Domain} idle: closing")]
    public static partial void IdleClosed(ILogger logger, string id, string domain);
}
