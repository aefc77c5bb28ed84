namespace EdgeNode.Mqtt.Codec;

public sealed class MqttDisconnect : MqttControlPacket
{
    public override MqttPacketType Type => MqttPacketType.Disconnect;

    /// <summary>MQTT 5.0 only.</summary>
    public MqttReasonCode ReasonCode { get; set; }
}
