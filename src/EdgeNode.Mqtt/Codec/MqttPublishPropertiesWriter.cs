using System.Buffers;

namespace EdgeNode.Mqtt.Codec;

/// <summary>Writes the property block of an outgoing PUBLISH (without its length prefix), in identifier order.</summary>
internal static class MqttPublishPropertiesWriter
{
    public static void Write(ref MqttBodyWriter w, in MqttPublishProperties p)
    {
        if (p.PayloadFormatIndicator is { } format)
        {
            w.WriteByte((byte)MqttPropertyId.PayloadFormatIndicator);
            w.WriteByte((byte)format);
        }

        if (p.MessageExpiryInterval is { } expiry)
        {
            w.WriteByte((byte)MqttPropertyId.MessageExpiryInterval);
            w.WriteUInt32(expiry);
        }

        WriteBytes(ref w, MqttPropertyId.ContentType, p.ContentType);
        WriteBytes(ref w, MqttPropertyId.ResponseTopic, p.ResponseTopic);
        WriteBytes(ref w, MqttPropertyId.CorrelationData, p.CorrelationData);
        foreach (uint id in p.SubscriptionIdentifiers.Span)
        {
            if (id is 0 or > MqttVariableByteInteger.MaxValue)
            {
                MqttThrow.Argument(nameof(p), "A subscription identifier is 1 to 268,435,455.");
            }

            w.WriteByte((byte)MqttPropertyId.SubscriptionIdentifier);
            w.WriteVariableByteInteger((int)id);
        }

        if (p.TopicAlias != 0)
        {
            w.WriteByte((byte)MqttPropertyId.TopicAlias);
            w.WriteUInt16(p.TopicAlias);
        }

        if (!p.Raw.IsEmpty)
        {
            CopyUserProperties(ref w, p.Raw);
        }
    }

    private static void WriteBytes(ref MqttBodyWriter w, MqttPropertyId id, in ReadOnlySequence<byte>? value)
    {
        if (value is { } bytes)
        {
            w.WriteByte((byte)id);
            w.WriteBinary(bytes);
        }
    }

    private static void CopyUserProperties(ref MqttBodyWriter w, in ReadOnlySequence<byte> raw)
    {
        var reader = new MqttPropertyReader(raw, MqttPropertyScope.Publish);
        while (reader.TryRead(out MqttProperty property))
        {
            if (property.Id == MqttPropertyId.UserProperty)
            {
                w.WriteBytes(property.Encoded);
            }
        }
    }
}
