using System.Buffers;
using System.Numerics;

namespace EdgeNode.Mqtt.Codec;

/// <summary>Decodes a PUBLISH body into views. Allocates only when a split topic is longer than any before it.</summary>
internal static class MqttPublishDecoder
{
    public static MqttPublish Decode(ref SequenceReader<byte> r, byte flags, MqttProtocolVersion version, ref byte[]? topicScratch)
    {
        var qos = (MqttQos)((flags >> 1) & 0b11);
        bool duplicate = (flags & 0b1000) != 0;
        bool retain = (flags & 0b0001) != 0;
        if (duplicate && qos == MqttQos.AtMostOnce)
        {
            MqttThrow.Malformed("PUBLISH with QoS 0 has the DUP flag set.");
        }

        ReadOnlySequence<byte> topicBytes = MqttWireReader.ReadBinary(ref r);
        ReadOnlyMemory<byte> topic = topicBytes.IsSingleSegment ? topicBytes.First : CopyToScratch(topicBytes, ref topicScratch);
        ReadOnlySpan<byte> topicSpan = topic.Span;
        if (!MqttUtf8.IsValid(topicSpan))
        {
            MqttThrow.Malformed("The topic name is not well-formed UTF-8 or contains U+0000.");
        }

        if (topicSpan.IndexOfAny((byte)'+', (byte)'#') >= 0)
        {
            MqttThrow.Reason(MqttReasonCode.TopicNameInvalid, "A PUBLISH topic name contains a wildcard.");
        }

        ushort packetId = 0;
        if (qos != MqttQos.AtMostOnce)
        {
            packetId = MqttWireReader.ReadUInt16(ref r);
            if (packetId == 0)
            {
                MqttThrow.ProtocolError("PUBLISH with QoS 1 or 2 has packet identifier 0.");
            }
        }

        MqttPublishProperties properties = version == MqttProtocolVersion.V500 ? ReadProperties(ref r) : default;
        if (topicSpan.IsEmpty && properties.TopicAlias == 0)
        {
            MqttThrow.ProtocolError("PUBLISH has neither a topic name nor a topic alias.");
        }

        return new MqttPublish(qos, retain, duplicate, packetId, topic, r.UnreadSequence, properties);
    }

    private static ReadOnlyMemory<byte> CopyToScratch(in ReadOnlySequence<byte> topic, ref byte[]? scratch)
    {
        int length = (int)topic.Length;
        if (scratch is null || scratch.Length < length)
        {
            // The topic is already in the buffer, so this size was sent, not merely declared.
            scratch = new byte[Math.Max(64, (int)BitOperations.RoundUpToPowerOf2((uint)length))];
        }

        topic.CopyTo(scratch);
        return scratch.AsMemory(0, length);
    }

    private static MqttPublishProperties ReadProperties(ref SequenceReader<byte> r)
    {
        ReadOnlySequence<byte> block = MqttPropertiesCodec.ReadBlock(ref r);
        if (block.IsEmpty)
        {
            return default;
        }

        MqttPayloadFormat? format = null;
        uint? expiry = null;
        ushort alias = 0;
        ReadOnlySequence<byte>? contentType = null;
        ReadOnlySequence<byte>? responseTopic = null;
        ReadOnlySequence<byte>? correlationData = null;
        int subscriptionIds = 0;
        int userProperties = 0;
        var reader = new MqttPropertyReader(block, MqttPropertyScope.Publish);
        while (reader.TryRead(out MqttProperty p))
        {
            switch (p.Id)
            {
                case MqttPropertyId.PayloadFormatIndicator: format = (MqttPayloadFormat)p.Integer; break;
                case MqttPropertyId.MessageExpiryInterval: expiry = p.Integer; break;
                case MqttPropertyId.TopicAlias: alias = (ushort)p.Integer; break;
                case MqttPropertyId.ContentType: contentType = p.Value; break;
                case MqttPropertyId.ResponseTopic: responseTopic = p.Value; break;
                case MqttPropertyId.CorrelationData: correlationData = p.Value; break;
                case MqttPropertyId.SubscriptionIdentifier: subscriptionIds++; break;
                default: userProperties++; break;
            }
        }

        return new MqttPublishProperties
        {
            PayloadFormatIndicator = format,
            MessageExpiryInterval = expiry,
            TopicAlias = alias,
            ContentType = contentType,
            ResponseTopic = responseTopic,
            CorrelationData = correlationData,
            SubscriptionIdentifierCount = subscriptionIds,
            UserPropertyCount = userProperties,
            Raw = block,
        };
    }
}
