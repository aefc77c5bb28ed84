namespace EdgeNode.Mqtt.Codec;

/// <summary>
/// One packet from <see cref="MqttPacketReader"/>. The hot packets (PUBLISH and its acknowledgements) are
/// inline structs; the rest are objects, because they are rare and a session keeps parts of them anyway.
/// </summary>
public readonly struct MqttPacket
{
    internal MqttPacket(MqttPacketType type, int size, MqttPublish publish, MqttAck ack, MqttControlPacket? control)
    {
        Type = type;
        Size = size;
        Publish = publish;
        Ack = ack;
        Control = control;
    }

    public MqttPacketType Type { get; }

    /// <summary>The whole packet's size on the wire, fixed header included.</summary>
    public int Size { get; }

    /// <summary>Set when <see cref="Type"/> is Publish.</summary>
    public MqttPublish Publish { get; }

    /// <summary>Set when <see cref="Type"/> is PubAck, PubRec, PubRel or PubComp.</summary>
    public MqttAck Ack { get; }

    /// <summary>
    /// Set for CONNECT, CONNACK, SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK, DISCONNECT and AUTH;
    /// null for the others (PINGREQ and PINGRESP carry nothing).
    /// </summary>
    public MqttControlPacket? Control { get; }
}
