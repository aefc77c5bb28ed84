using System.Buffers;

namespace EdgeNode.Mqtt.Codec;

/// <summary>
/// The MQTT 5.0 properties of a PUBLISH, without allocating. Decoded, the byte members are views into
/// the receive buffer (valid until the buffer is advanced) and <see cref="Raw"/> is the whole block, for
/// reading User Properties and Subscription Identifiers with <see cref="MqttPropertyReader"/>. Written,
/// the User Properties of <see cref="Raw"/> are copied and <see cref="SubscriptionIdentifiers"/> added,
/// so a broker forwards a message with <c>incoming with { TopicAlias = 0, SubscriptionIdentifiers = ids }</c>.
/// </summary>
public readonly record struct MqttPublishProperties
{
    public MqttPayloadFormat? PayloadFormatIndicator { get; init; }

    public uint? MessageExpiryInterval { get; init; }

    /// <summary>0 when absent (0 is not a valid alias).</summary>
    public ushort TopicAlias { get; init; }

    public ReadOnlySequence<byte>? ContentType { get; init; }

    public ReadOnlySequence<byte>? ResponseTopic { get; init; }

    public ReadOnlySequence<byte>? CorrelationData { get; init; }

    /// <summary>Identifiers to send (server to client). Decoding leaves this empty: read them from <see cref="Raw"/>.</summary>
    public ReadOnlyMemory<uint> SubscriptionIdentifiers { get; init; }

    /// <summary>How many Subscription Identifier properties the decoded block holds.</summary>
    public int SubscriptionIdentifierCount { get; init; }

    /// <summary>How many User Property entries the decoded block holds.</summary>
    public int UserPropertyCount { get; init; }

    /// <summary>The property block as received (already validated), or a block whose User Properties a writer copies.</summary>
    public ReadOnlySequence<byte> Raw { get; init; }
}
