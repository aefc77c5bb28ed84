namespace EdgeNode.Mqtt.Codec;

/// <summary>Quality of service of a PUBLISH or the maximum granted for a subscription.</summary>
public enum MqttQos : byte
{
    AtMostOnce = 0,
    AtLeastOnce = 1,
    ExactlyOnce = 2,
}

/// <summary>MQTT 5.0 subscription option: when retained messages are sent on subscribe.</summary>
public enum MqttRetainHandling : byte
{
    SendOnSubscribe = 0,
    SendOnNewSubscribe = 1,
    DoNotSend = 2,
}

/// <summary>MQTT 5.0 Payload Format Indicator.</summary>
public enum MqttPayloadFormat : byte
{
    Unspecified = 0,
    Utf8 = 1,
}
