using Microsoft.Extensions.Logging;

namespace EdgeNode.Mqtt.Bridge;

internal static partial class MqttBridgeLog
{
    [LoggerMessage(MqttEventIds.BridgeConnected, LogLevel.Information, "MQTT bridge connected to {Host}:{Port} as {ClientId} (session present {SessionPresent})")]
    public static partial void Connected(ILogger logger, string host, int port, string clientId, bool sessionPresent);

    [LoggerMessage(MqttEventIds.BridgeDisconnected, LogLevel.Warning, "MQTT bridge lost {Host}:{Port}: {Reason}; next attempt in {Delay} ms")]
    public static partial void Disconnected(ILogger logger, string host, int port, string reason, long delay);

    [LoggerMessage(MqttEventIds.BridgeConnectFailed, LogLevel.Debug, "MQTT bridge connection to {Host}:{Port} failed")]
    public static partial void ConnectFailed(ILogger logger, string host, int port, Exception exception);

    [LoggerMessage(MqttEventIds.BridgeRefused, LogLevel.Error, "MQTT bridge refused by {Host}:{Port}: reason 0x{Code:X2}")]
    public static partial void Refused(ILogger logger, string host, int port, byte code);
}
