namespace EdgeNode.Matrix;

/// <summary>Log event ids of the Matrix homeserver (range 3000-3999).</summary>
public static class MatrixEventIds
{
    public const int Started = 3000;
    public const int LoggedIn = 3001;
    public const int LoginFailed = 3002;
    public const int LoginRateLimited = 3003;
    public const int LoggedOut = 3004;
    public const int RoomCreated = 3010;
    public const int EventRejected = 3011;
    public const int UnknownEndpoint = 3020;
    public const int RequestFailed = 3021;
    public const int BadRequests = 3029;
    public const int Registered = 3030;
    public const int AccountDeactivated = 3031;
    public const int DeviceRoomCreated = 3050;
    public const int XmppOnlyInviteNoticed = 3051;
    public const int ToDeviceQueueFull = 3040;
    public const int MediaQuotaReached = 3041;
    public const int SendsRateLimited = 3042;
    public const int QueryTokenRefused = 3043;
    public const int PairRoomCreated = 3060;
    public const int BridgeQueueFull = 3061;
    public const int BridgePostFailed = 3062;
    public const int BridgeRouteFailed = 3063;
    public const int BridgeNotRouted = 3064;
    public const int PresenceWorkFailed = 3070;
    public const int PresenceQueueFull = 3071;
    public const int DeviceBridgeBehind = 3080;
    public const int DeviceBridgeFailed = 3081;
}
