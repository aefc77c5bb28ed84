namespace EdgeNode.Mqtt.Codec;

public sealed class MqttSubAck : MqttControlPacket
{
    public override MqttPacketType Type => MqttPacketType.SubAck;

    public ushort PacketId { get; set; }

    /// <summary>One per filter; for 3.1.1 only GrantedQos0-2 and UnspecifiedError (0x80) are coded.</summary>
    public List<MqttReasonCode> ReasonCodes { get; } = [];
}
