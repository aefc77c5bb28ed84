namespace EdgeNode.Mqtt.Codec;

/// <summary>The subscription options byte; in 3.1.1 only <see cref="MaximumQos"/> exists.</summary>
public readonly record struct MqttSubscriptionOptions(
    MqttQos MaximumQos,
    bool NoLocal = false,
    bool RetainAsPublished = false,
    MqttRetainHandling RetainHandling = MqttRetainHandling.SendOnSubscribe);

public readonly record struct MqttSubscription(string TopicFilter, MqttSubscriptionOptions Options);

public sealed class MqttSubscribe : MqttControlPacket
{
    public override MqttPacketType Type => MqttPacketType.Subscribe;

    public ushort PacketId { get; set; }

    /// <summary>The filters as sent; their syntax is checked by the broker, which answers a bad one per filter in SUBACK.</summary>
    public List<MqttSubscription> Subscriptions { get; } = [];
}
