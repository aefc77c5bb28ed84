namespace EdgeNode.Mqtt;

/// <summary>Log event ids of the MQTT library, inside its range 2000-2999.</summary>
public static class MqttEventIds
{
    // Connections 2000-2099
    public const int ClientConnected = 2000;
    public const int ClientDisconnected = 2001;
    public const int ConnectRefused = 2002;
    public const int ProtocolViolation = 2003;
    public const int KeepAliveExpired = 2004;
    public const int SessionTakenOver = 2005;
    public const int LoginThrottled = 2006;
    public const int ConnectionFailed = 2007;
    public const int BacklogTimeout = 2008;

    // Authorisation 2100-2199
    public const int PublishDenied = 2100;
    public const int SubscribeDenied = 2101;

    // Sessions, retained messages, storage 2200-2299
    public const int SessionsRestored = 2200;
    public const int SessionExpired = 2201;
    public const int WillPublished = 2202;
    public const int PersistenceFailed = 2203;
    public const int MessageDropped = 2204;
    public const int RetainedQuotaExceeded = 2205;
    public const int NodeRetainedFull = 2206;
    public const int QueueFull = 2207;
    public const int SubscriptionQuotaExceeded = 2208;
    public const int TopicClaimed = 2209;

    // Bridge 2300-2399
    public const int BridgeConnected = 2300;
    public const int BridgeDisconnected = 2301;
    public const int BridgeConnectFailed = 2302;
    public const int BridgeRefused = 2303;
}
