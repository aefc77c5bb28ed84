namespace EdgeNode.Xmpp.S2s;

/// <summary>Log event ids of XMPP federation (range 5000-5999, see EdgeNode.Core.Logging.EventIds).</summary>
public static class S2sEventIds
{
    public const int InboundOpened = 5000;
    public const int InboundClosed = 5001;
    public const int OutboundConnecting = 5002;
    public const int OutboundClosed = 5003;
    public const int ConnectFailed = 5004;
    public const int StreamError = 5005;
    public const int TlsEstablished = 5010;
    public const int TlsFailed = 5011;
    public const int CertificateNotValid = 5012;
    public const int Authenticated = 5020;
    public const int AuthenticationFailed = 5021;
    public const int DialbackVerified = 5022;
    public const int PolicyRefused = 5030;
    public const int Bounced = 5040;
    public const int SpoofedFrom = 5041;
    public const int HandlerFailed = 5050;
    public const int IdleClosed = 5051;
}
