namespace EdgeNode.Mqtt.Codec;

/// <summary>A packet decoded into an object: every type except PUBLISH, the four acks and the two pings.</summary>
public abstract class MqttControlPacket
{
    public abstract MqttPacketType Type { get; }

    /// <summary>MQTT 5.0 properties; null when none were sent (and always for 3.1.1).</summary>
    public MqttProperties? Properties { get; set; }
}
