using System.Buffers;

namespace EdgeNode.Mqtt.Codec;

/// <summary>A decoded PUBACK, PUBREC, PUBREL or PUBCOMP; these are as frequent as PUBLISH, so they are a struct too.</summary>
public readonly struct MqttAck
{
    internal MqttAck(ushort packetId, MqttReasonCode reasonCode, ReadOnlySequence<byte> properties)
    {
        PacketId = packetId;
        ReasonCode = reasonCode;
        Properties = properties;
    }

    public ushort PacketId { get; }

    /// <summary>Always Success for MQTT 3.1.1.</summary>
    public MqttReasonCode ReasonCode { get; }

    /// <summary>The validated MQTT 5.0 property block (Reason String, User Properties), a view into the receive buffer.</summary>
    public ReadOnlySequence<byte> Properties { get; }
}
