namespace EdgeNode.Mqtt.Codec;

/// <summary>The per-message fields of an outgoing PUBLISH besides topic, payload and properties.</summary>
public readonly record struct MqttPublishHeader(MqttQos Qos = MqttQos.AtMostOnce, ushort PacketId = 0, bool Retain = false, bool Duplicate = false);
