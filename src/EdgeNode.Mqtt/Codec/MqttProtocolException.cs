namespace EdgeNode.Mqtt.Codec;

/// <summary>
/// The peer sent bytes that break the protocol. <see cref="ReasonCode"/> is what an MQTT 5.0 CONNACK or
/// DISCONNECT should carry; a 3.1.1 connection is simply closed.
/// </summary>
public class MqttProtocolException : Exception
{
    public MqttProtocolException(MqttReasonCode reasonCode, string message)
        : base(message)
    {
        ReasonCode = reasonCode;
    }

    public MqttReasonCode ReasonCode { get; }
}

/// <summary>
/// A CONNECT asked for a protocol level we do not speak. The connection may answer with a CONNACK
/// (3.1.1 return code 1, or 5.0 reason 0x84) before it closes.
/// </summary>
public sealed class MqttUnsupportedProtocolVersionException : MqttProtocolException
{
    public MqttUnsupportedProtocolVersionException(byte protocolLevel)
        : base(MqttReasonCode.UnsupportedProtocolVersion, "The CONNECT asks for an unsupported protocol level.")
    {
        ProtocolLevel = protocolLevel;
    }

    /// <summary>The level byte the client sent (3 for MQTT 3.1).</summary>
    public byte ProtocolLevel { get; }
}
