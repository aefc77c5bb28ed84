using System.Buffers;

namespace EdgeNode.Mqtt.Codec;

/// <summary>
/// A decoded PUBLISH as views into the receive buffer: valid until the reader is advanced past it (or,
/// for a topic that arrived split across segments, until the next packet is read, because the topic
/// then lives in the reader's reusable scratch buffer). Copy what must outlive that.
/// </summary>
public readonly struct MqttPublish
{
    internal MqttPublish(MqttQos qos, bool retain, bool duplicate, ushort packetId, ReadOnlyMemory<byte> topic, ReadOnlySequence<byte> payload, MqttPublishProperties properties)
    {
        Qos = qos;
        Retain = retain;
        Duplicate = duplicate;
        PacketId = packetId;
        Topic = topic;
        Payload = payload;
        Properties = properties;
    }

    public MqttQos Qos { get; }

    public bool Retain { get; }

    public bool Duplicate { get; }

    /// <summary>0 for QoS 0, otherwise non-zero.</summary>
    public ushort PacketId { get; }

    /// <summary>The topic name, contiguous; empty only for an MQTT 5.0 PUBLISH that names its topic by alias.</summary>
    public ReadOnlyMemory<byte> Topic { get; }

    public ReadOnlySequence<byte> Payload { get; }

    public MqttPublishProperties Properties { get; }
}
