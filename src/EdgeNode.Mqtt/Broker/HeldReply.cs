using EdgeNode.Mqtt.Codec;

namespace EdgeNode.Mqtt.Broker;

/// <summary>
/// A reply a connection holds until the storage has written what its packet changed: a PUBACK, PUBREC or PUBCOMP
/// (<see cref="Type"/>, <see cref="PacketId"/>, <see cref="Reason"/>), or, when <see cref="Control"/> is set, a SUBACK
/// or UNSUBACK followed by the retained messages of the new subscriptions (<see cref="Retained"/>, sent with
/// <see cref="Identifier"/>).
/// </summary>
internal readonly record struct HeldReply(
    MqttPacketType Type,
    ushort PacketId,
    MqttReasonCode Reason,
    MqttControlPacket? Control,
    List<(byte[] Filter, MqttSubscriptionOptions Options)>? Retained,
    uint Identifier);
