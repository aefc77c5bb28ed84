namespace EdgeNode.Mqtt.Codec;

/// <summary>An MQTT 5.0 User Property: a name and value pair; names may repeat.</summary>
public readonly record struct MqttUserProperty(string Name, string Value);
