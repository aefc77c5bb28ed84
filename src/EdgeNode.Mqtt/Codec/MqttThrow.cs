using System.Diagnostics.CodeAnalysis;

namespace EdgeNode.Mqtt.Codec;

/// <summary>Throw helpers kept out of the parsing methods so that those stay small enough to inline well.</summary>
internal static class MqttThrow
{
    [DoesNotReturn]
    public static void Malformed(string message) => throw new MqttProtocolException(MqttReasonCode.MalformedPacket, message);

    [DoesNotReturn]
    public static void ProtocolError(string message) => throw new MqttProtocolException(MqttReasonCode.ProtocolError, message);

    [DoesNotReturn]
    public static void Reason(MqttReasonCode code, string message) => throw new MqttProtocolException(code, message);

    [DoesNotReturn]
    public static void PacketTooLarge() =>
        throw new MqttProtocolException(MqttReasonCode.PacketTooLarge, "The fixed header declares a packet larger than the maximum packet size.");

    [DoesNotReturn]
    public static void UnsupportedProtocolVersion(byte level) => throw new MqttUnsupportedProtocolVersionException(level);

    [DoesNotReturn]
    public static void Argument(string paramName, string message) => throw new ArgumentException(message, paramName);

    [DoesNotReturn]
    public static void InvalidOperation(string message) => throw new InvalidOperationException(message);
}
