using Microsoft.Extensions.Logging;

namespace EdgeNode.Mqtt.Broker;

internal static partial class MqttBrokerLog
{
    // Debug: a Pi's journal fills up with every device's reconnects; refusals and failures stay at Information and above.
    [LoggerMessage(MqttEventIds.ClientConnected, LogLevel.Debug, "MQTT client {ClientId} connected from {Remote} as {User} (MQTT {Version}, session present {SessionPresent})")]
    public static partial void ClientConnected(ILogger logger, string clientId, string remote, string user, string version, bool sessionPresent);

    [LoggerMessage(MqttEventIds.ClientDisconnected, LogLevel.Debug, "MQTT client {ClientId} disconnected ({Reason})")]
    public static partial void ClientDisconnected(ILogger logger, string clientId, string reason);

    [LoggerMessage(MqttEventIds.ConnectRefused, LogLevel.Warning, "MQTT connection from {Remote} (user {User}) refused: {Reason}")]
    public static partial void ConnectRefused(ILogger logger, string remote, string user, string reason);

    [LoggerMessage(MqttEventIds.ProtocolViolation, LogLevel.Information, "MQTT connection from {Remote} closed for a protocol violation ({Code}): {Problem}")]
    public static partial void ProtocolViolation(ILogger logger, string remote, string code, string problem);

    [LoggerMessage(MqttEventIds.KeepAliveExpired, LogLevel.Information, "MQTT client {ClientId} sent nothing for 1.5 times its keep-alive; closing")]
    public static partial void KeepAliveExpired(ILogger logger, string clientId);

    [LoggerMessage(MqttEventIds.SessionTakenOver, LogLevel.Information, "MQTT client {ClientId} connected again; the older connection is closed")]
    public static partial void SessionTakenOver(ILogger logger, string clientId);

    [LoggerMessage(MqttEventIds.LoginThrottled, LogLevel.Warning, "MQTT login from {Remote} (user {User}) refused: too many failed logins, {Seconds} s to wait")]
    public static partial void LoginThrottled(ILogger logger, string remote, string user, long seconds);

    [LoggerMessage(MqttEventIds.ConnectionFailed, LogLevel.Debug, "MQTT connection from {Remote} ended with an error")]
    public static partial void ConnectionFailed(ILogger logger, string remote, Exception exception);

    [LoggerMessage(MqttEventIds.PublishDenied, LogLevel.Information, "MQTT: dropped {Count} PUBLISH(es) to topics the sender may not use, the last from client {ClientId} (user {User}) to {Topic}")]
    public static partial void PublishDenied(ILogger logger, int count, string clientId, string user, string topic);

    [LoggerMessage(MqttEventIds.SubscribeDenied, LogLevel.Information, "MQTT: refused {Count} subscription(s) to filters the client may not use, the last from client {ClientId} (user {User}) to {Filter}")]
    public static partial void SubscribeDenied(ILogger logger, int count, string clientId, string user, string filter);

    [LoggerMessage(MqttEventIds.SessionsRestored, LogLevel.Information, "MQTT restored {Sessions} persistent sessions, {Messages} queued messages and {Retained} retained messages")]
    public static partial void SessionsRestored(ILogger logger, int sessions, int messages, int retained);

    [LoggerMessage(MqttEventIds.SessionExpired, LogLevel.Debug, "MQTT session {ClientId} expired")]
    public static partial void SessionExpired(ILogger logger, string clientId);

    [LoggerMessage(MqttEventIds.WillPublished, LogLevel.Debug, "MQTT will of {ClientId} published to {Topic}")]
    public static partial void WillPublished(ILogger logger, string clientId, string topic);

    [LoggerMessage(MqttEventIds.PersistenceFailed, LogLevel.Error, "MQTT could not save sessions or retained messages")]
    public static partial void PersistenceFailed(ILogger logger, Exception exception);

    [LoggerMessage(MqttEventIds.MessageDropped, LogLevel.Debug, "MQTT message for {ClientId} dropped: {Reason}")]
    public static partial void MessageDropped(ILogger logger, string clientId, string reason);

    [LoggerMessage(MqttEventIds.BacklogTimeout, LogLevel.Warning, "MQTT client {ClientId} took none of its {Unsent} unsent bytes for too long; closing")]
    public static partial void BacklogTimeout(ILogger logger, string clientId, long unsent);

    [LoggerMessage(MqttEventIds.RetainedQuotaExceeded, LogLevel.Warning, "MQTT client {ClientId} (user {User}) is at its retained-message limit; retained PUBLISH to {Topic} refused (further ones on this connection are refused without logging)")]
    public static partial void RetainedQuotaExceeded(ILogger logger, string clientId, string user, string topic);

    [LoggerMessage(MqttEventIds.NodeRetainedFull, LogLevel.Warning, "MQTT retained messages are at the node's limit ({MaxMessages} messages, {MaxBytes} bytes); {Topic} from the node was delivered but not retained (logged once)")]
    public static partial void NodeRetainedFull(ILogger logger, string topic, int maxMessages, int maxBytes);

    [LoggerMessage(MqttEventIds.QueueFull, LogLevel.Information, "MQTT session {ClientId} holds {Messages} messages ({Bytes} bytes), its limit; newer QoS 1/2 messages are dropped until it has room")]
    public static partial void QueueFull(ILogger logger, string clientId, int messages, long bytes);

    [LoggerMessage(MqttEventIds.SubscriptionQuotaExceeded, LogLevel.Warning, "MQTT client {ClientId} (user {User}) is at its subscription limit ({PerSession} per session, {PerAccount} per account); subscription to {Filter} refused (further ones on this connection are refused without logging)")]
    public static partial void SubscriptionQuotaExceeded(ILogger logger, string clientId, string user, string filter, int perSession, int perAccount);

    [LoggerMessage(MqttEventIds.TopicClaimed, LogLevel.Information, "MQTT device {User} published first under {Filter}, which is now its own (see `edgenode device acl`)")]
    public static partial void TopicClaimed(ILogger logger, string user, string filter);
}
