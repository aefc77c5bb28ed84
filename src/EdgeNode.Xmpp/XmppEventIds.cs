namespace EdgeNode.Xmpp;

/// <summary>Log event ids of the XMPP library (range 1000-1999, see EdgeNode.Core.Logging.EventIds).</summary>
public static class XmppEventIds
{
    public const int ConnectionOpened = 1000;
    public const int ConnectionClosed = 1001;
    public const int StreamError = 1002;
    public const int TlsFailed = 1003;
    public const int AuthSucceeded = 1010;
    public const int AuthFailed = 1011;
    public const int AuthLockedOut = 1012;
    public const int Bound = 1020;
    public const int Replaced = 1021;
    public const int OutboundOverflow = 1022;
    public const int DeadConnection = 1023;
    public const int MessagesRefused = 1024;
    public const int RosterFull = 1025;
    public const int HandlerFailed = 1030;
    public const int OtherViewFailed = 1031;
    public const int AccountRegistered = 1040;
}
