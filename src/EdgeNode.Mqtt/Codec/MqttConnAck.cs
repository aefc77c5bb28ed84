namespace EdgeNode.Mqtt.Codec;

public sealed class MqttConnAck : MqttControlPacket
{
    public override MqttPacketType Type => MqttPacketType.ConnAck;

    public bool SessionPresent { get; set; }

    /// <summary>For 3.1.1 mapped to and from the return codes 0-5 (see <see cref="MqttReasonCodes"/>).</summary>
    public MqttReasonCode ReasonCode { get; set; }
}
