using System.Buffers;
using System.Text;
using EdgeNode.Mqtt.Codec;

namespace EdgeNode.Mqtt.Messaging;

/// <summary>
/// An application message that owns its bytes (copied out of a receive buffer): what the broker queues for
/// offline sessions, keeps as retained, and what the node and the bridge hand each other. Immutable.
/// </summary>
public sealed class MqttMessage
{
    private string? _topic;

    public MqttMessage(string topic, ReadOnlyMemory<byte> payload, MqttQos qos = MqttQos.AtMostOnce, bool retain = false)
        : this(Encoding.UTF8.GetBytes(topic), payload.ToArray(), qos, retain, [], Environment.TickCount64)
    {
        _topic = topic;
    }

    internal MqttMessage(byte[] topicUtf8, byte[] payload, MqttQos qos, bool retain, byte[] properties, long receivedAt)
    {
        TopicUtf8 = topicUtf8;
        PayloadBytes = payload;
        Qos = qos;
        Retain = retain;
        PropertyBlock = properties;
        ReceivedAt = receivedAt;
        if (properties.Length > 0)
        {
            ReadProperties(properties);
        }
    }

    public string Topic => _topic ??= Encoding.UTF8.GetString(TopicUtf8);

    public ReadOnlyMemory<byte> Payload => PayloadBytes;

    public MqttQos Qos { get; }

    public bool Retain { get; }

    /// <summary>The MQTT 5.0 Message Expiry Interval in seconds as received; null when the message does not expire.</summary>
    public uint? ExpiryInterval { get; private set; }

    public MqttPayloadFormat? PayloadFormat { get; private set; }

    internal byte[] TopicUtf8 { get; }

    internal byte[] PayloadBytes { get; }

    /// <summary>The v5 PUBLISH property block as received (alias and subscription identifiers never included); empty for none.</summary>
    internal byte[] PropertyBlock { get; }

    /// <summary>Environment.TickCount64 when received; message expiry counts from here.</summary>
    internal long ReceivedAt { get; }

    private byte[]? ContentType { get; set; }

    private byte[]? ResponseTopic { get; set; }

    private byte[]? CorrelationData { get; set; }

    /// <summary>The MQTT 5.0 User Properties, in order.</summary>
    public IReadOnlyList<MqttUserProperty> GetUserProperties()
    {
        var result = new List<MqttUserProperty>();
        var reader = new MqttPropertyReader(new ReadOnlySequence<byte>(PropertyBlock), MqttPropertyScope.Publish);
        while (reader.TryRead(out MqttProperty p))
        {
            if (p.Id == MqttPropertyId.UserProperty)
            {
                result.Add(new MqttUserProperty(Encoding.UTF8.GetString(p.Value), Encoding.UTF8.GetString(p.PairValue)));
            }
        }

        return result;
    }

    /// <summary>True once the Message Expiry Interval has passed; <paramref name="remaining"/> is what is left to forward.</summary>
    internal bool IsExpired(long now, out uint? remaining)
    {
        remaining = null;
        if (ExpiryInterval is not { } interval)
        {
            return false;
        }

        long waited = Math.Max(0, now - ReceivedAt) / 1000;
        if (waited >= interval)
        {
            return true;
        }

        remaining = (uint)(interval - waited);
        return false;
    }

    /// <summary>The properties to write when forwarding this message.</summary>
    internal MqttPublishProperties ToPublishProperties(uint? expiry) => new()
    {
        PayloadFormatIndicator = PayloadFormat,
        MessageExpiryInterval = expiry,
        ContentType = ContentType is null ? null : new ReadOnlySequence<byte>(ContentType),
        ResponseTopic = ResponseTopic is null ? null : new ReadOnlySequence<byte>(ResponseTopic),
        CorrelationData = CorrelationData is null ? null : new ReadOnlySequence<byte>(CorrelationData),
        Raw = new ReadOnlySequence<byte>(PropertyBlock),
    };

    /// <summary>Copies a decoded PUBLISH (views into a receive buffer) into an owned message.</summary>
    internal static MqttMessage Copy(ReadOnlySpan<byte> topic, in MqttPublish publish, MqttQos qos, bool retain) =>
        new(topic.ToArray(), publish.Payload.ToArray(), qos, retain, StripForwarding(publish.Properties.Raw), Environment.TickCount64);

    /// <summary>The property block without Topic Alias and Subscription Identifiers, which belong to one connection.</summary>
    internal static byte[] StripForwarding(in ReadOnlySequence<byte> raw)
    {
        if (raw.IsEmpty)
        {
            return [];
        }

        var output = new ArrayBufferWriter<byte>((int)raw.Length);
        var reader = new MqttPropertyReader(raw, MqttPropertyScope.Publish);
        while (reader.TryRead(out MqttProperty p))
        {
            if (p.Id is MqttPropertyId.TopicAlias or MqttPropertyId.SubscriptionIdentifier)
            {
                continue;
            }

            foreach (ReadOnlyMemory<byte> segment in p.Encoded)
            {
                output.Write(segment.Span);
            }
        }

        return output.WrittenSpan.ToArray();
    }

    /// <summary>A property block holding User Properties only (for wills and messages the node makes).</summary>
    internal static byte[] EncodeUserProperties(IReadOnlyList<MqttUserProperty> properties, MqttProperties? others = null)
    {
        var output = new ArrayBufferWriter<byte>();
        if (others is not null)
        {
            if (others.PayloadFormatIndicator is { } f)
            {
                output.Write<byte>([(byte)MqttPropertyId.PayloadFormatIndicator, (byte)f]);
            }

            if (others.MessageExpiryInterval is { } e)
            {
                output.Write<byte>([(byte)MqttPropertyId.MessageExpiryInterval, (byte)(e >> 24), (byte)(e >> 16), (byte)(e >> 8), (byte)e]);
            }

            WriteBinary(output, MqttPropertyId.ContentType, others.ContentType is null ? null : Encoding.UTF8.GetBytes(others.ContentType));
            WriteBinary(output, MqttPropertyId.ResponseTopic, others.ResponseTopic is null ? null : Encoding.UTF8.GetBytes(others.ResponseTopic));
            WriteBinary(output, MqttPropertyId.CorrelationData, others.CorrelationData);
        }

        foreach (MqttUserProperty p in properties)
        {
            output.Write<byte>([(byte)MqttPropertyId.UserProperty]);
            WriteString(output, Encoding.UTF8.GetBytes(p.Name));
            WriteString(output, Encoding.UTF8.GetBytes(p.Value));
        }

        return output.WrittenSpan.ToArray();
    }

    private static void WriteBinary(ArrayBufferWriter<byte> output, MqttPropertyId id, byte[]? value)
    {
        if (value is not null)
        {
            output.Write<byte>([(byte)id]);
            WriteString(output, value);
        }
    }

    private static void WriteString(ArrayBufferWriter<byte> output, byte[] value)
    {
        output.Write<byte>([(byte)(value.Length >> 8), (byte)value.Length]);
        output.Write(value);
    }

    private void ReadProperties(byte[] block)
    {
        var reader = new MqttPropertyReader(new ReadOnlySequence<byte>(block), MqttPropertyScope.Publish);
        while (reader.TryRead(out MqttProperty p))
        {
            switch (p.Id)
            {
                case MqttPropertyId.PayloadFormatIndicator: PayloadFormat = (MqttPayloadFormat)p.Integer; break;
                case MqttPropertyId.MessageExpiryInterval: ExpiryInterval = p.Integer; break;
                case MqttPropertyId.ContentType: ContentType = p.Value.ToArray(); break;
                case MqttPropertyId.ResponseTopic: ResponseTopic = p.Value.ToArray(); break;
                case MqttPropertyId.CorrelationData: CorrelationData = p.Value.ToArray(); break;
            }
        }
    }
}
