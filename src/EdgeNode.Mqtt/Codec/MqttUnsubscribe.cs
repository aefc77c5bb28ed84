namespace EdgeNode.Mqtt.Codec;

public sealed class MqttUnsubscribe : MqttControlPacket
{
    public override MqttPacketType Type => MqttPacketType.Unsubscribe;

    public ushort PacketId { get; set; }

    public List<string> TopicFilters { get; } = [];
}
