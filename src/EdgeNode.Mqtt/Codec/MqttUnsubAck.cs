namespace EdgeNode.Mqtt.Codec;

public sealed class MqttUnsubAck : MqttControlPacket
{
    public override MqttPacketType Type => MqttPacketType.UnsubAck;

    public ushort PacketId { get; set; }

    /// <summary>MQTT 5.0 only (3.1.1 UNSUBACK carries just the packet id).</summary>
    public List<MqttReasonCode> ReasonCodes { get; } = [];
}
