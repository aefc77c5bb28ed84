using EdgeNode.Mqtt.Codec;
using EdgeNode.Mqtt.Messaging;

namespace EdgeNode.Mqtt.Broker;

internal enum OutboundState : byte
{
    /// <summary>Waiting for room in the client's in-flight window (or for the client to come back).</summary>
    Queued = 0,

    /// <summary>PUBLISH sent; waiting for PUBACK (QoS 1) or PUBREC (QoS 2).</summary>
    Sent = 1,

    /// <summary>QoS 2: PUBREC received and PUBREL sent; waiting for PUBCOMP.</summary>
    Released = 2,
}

/// <summary>One QoS 1 or 2 message for one session, from queueing to its final acknowledgement.</summary>
internal sealed class OutboundItem(MqttMessage message, MqttQos qos, bool retain, uint[] subscriptionIds, long seq)
{
    public MqttMessage Message { get; } = message;

    public MqttQos Qos { get; } = qos;

    public bool Retain { get; } = retain;

    public uint[] SubscriptionIds { get; } = subscriptionIds;

    /// <summary>
    /// The shared subscription group that chose this session for a QoS 1 message, so that the message can go to another
    /// member if the session ends first; null otherwise (and after a restart, which does not keep it).
    /// </summary>
    public object? SharedGroup { get; init; }

    /// <summary>The key of its row when the session is persistent.</summary>
    public long Seq { get; } = seq;

    public ushort PacketId { get; set; }

    public OutboundState State { get; set; }

    /// <summary>Sent (PUBLISH or PUBREL) on the session's current connection; cleared when another connection attaches.</summary>
    public bool OnWire { get; set; }

    /// <summary>The PUBLISH went out at least once, so a resend carries DUP.</summary>
    public bool SentBefore { get; set; }

    /// <summary>What the item counts against Mqtt:MaxQueuedBytes: topic, payload and properties.</summary>
    public long Size => Message.TopicUtf8.Length + Message.PayloadBytes.Length + Message.PropertyBlock.Length;
}
