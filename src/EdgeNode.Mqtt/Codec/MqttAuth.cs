namespace EdgeNode.Mqtt.Codec;

/// <summary>MQTT 5.0 extended authentication exchange.</summary>
public sealed class MqttAuth : MqttControlPacket
{
    public override MqttPacketType Type => MqttPacketType.Auth;

    public MqttReasonCode ReasonCode { get; set; }
}
