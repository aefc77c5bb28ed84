using System.Buffers;

namespace EdgeNode.Mqtt.Codec;

/// <summary>
/// Encodes packets into an <see cref="IBufferWriter{T}"/> (a PipeWriter is one). PUBLISH, the acks and the
/// pings allocate nothing; the payload is copied straight from the caller's sequence after the small header.
/// </summary>
public static partial class MqttPacketWriter
{
    public static void WritePublish(IBufferWriter<byte> output, MqttProtocolVersion version, in MqttPublishHeader header, ReadOnlySpan<byte> topic, ReadOnlySpan<byte> payload, in MqttPublishProperties properties = default)
    {
        Span<byte> head = BeginPublish(output, version, header, topic, payload.Length, properties);
        output.Advance(head.Length);
        CopyPayload(output, payload);
    }

    public static void WritePublish(IBufferWriter<byte> output, MqttProtocolVersion version, in MqttPublishHeader header, ReadOnlySpan<byte> topic, in ReadOnlySequence<byte> payload, in MqttPublishProperties properties = default)
    {
        Span<byte> head = BeginPublish(output, version, header, topic, checked((int)payload.Length), properties);
        output.Advance(head.Length);
        foreach (ReadOnlyMemory<byte> segment in payload)
        {
            CopyPayload(output, segment.Span);
        }
    }

    /// <summary>The size of the PUBLISH on the wire, to hold it against the peer's Maximum Packet Size before writing.</summary>
    public static int GetPublishSize(MqttProtocolVersion version, in MqttPublishHeader header, int topicLength, long payloadLength, in MqttPublishProperties properties = default)
    {
        long remaining = MeasurePublishHead(version, header, topicLength, properties) + payloadLength;
        return remaining > MqttVariableByteInteger.MaxValue ? int.MaxValue : 1 + MqttVariableByteInteger.GetSize((int)remaining) + (int)remaining;
    }

    /// <summary>The size of what <see cref="WriteAck"/> writes without properties: the short form, or one byte more for a 5.0 reason code.</summary>
    public static int GetAckSize(MqttProtocolVersion version, MqttReasonCode reasonCode) =>
        version != MqttProtocolVersion.V500 || reasonCode == MqttReasonCode.Success ? 4 : 5;

    /// <summary>PUBACK, PUBREC, PUBREL or PUBCOMP. In 5.0 the short forms are used when they say the same.</summary>
    public static void WriteAck(IBufferWriter<byte> output, MqttProtocolVersion version, MqttPacketType type, ushort packetId, MqttReasonCode reasonCode = MqttReasonCode.Success, MqttProperties? properties = null)
    {
        byte first = type switch
        {
            MqttPacketType.PubAck => 0x40,
            MqttPacketType.PubRec => 0x50,
            MqttPacketType.PubRel => 0x62,
            MqttPacketType.PubComp => 0x70,
            _ => ThrowNotAck(type),
        };
        if (version != MqttProtocolVersion.V500 || (reasonCode == MqttReasonCode.Success && properties is null))
        {
            Span<byte> span = output.GetSpan(4);
            span[0] = first;
            span[1] = 2;
            span[2] = (byte)(packetId >> 8);
            span[3] = (byte)packetId;
            output.Advance(4);
            return;
        }

        MqttBodyWriter measure = MqttBodyWriter.Measuring();
        WriteAckBody(ref measure, packetId, reasonCode, properties, MqttAckDecoder.ScopeOf(type));
        Span<byte> body = BeginPacket(output, first, measure.Position, out int total);
        var writer = new MqttBodyWriter(body);
        WriteAckBody(ref writer, packetId, reasonCode, properties, MqttAckDecoder.ScopeOf(type));
        output.Advance(total);
    }

    public static void WritePingReq(IBufferWriter<byte> output) => WriteEmpty(output, 0xC0);

    public static void WritePingResp(IBufferWriter<byte> output) => WriteEmpty(output, 0xD0);

    private static void WriteEmpty(IBufferWriter<byte> output, byte first)
    {
        Span<byte> span = output.GetSpan(2);
        span[0] = first;
        span[1] = 0;
        output.Advance(2);
    }

    private static void WriteAckBody(ref MqttBodyWriter w, ushort packetId, MqttReasonCode reasonCode, MqttProperties? properties, MqttPropertyScope scope)
    {
        w.WriteUInt16(packetId);
        w.WriteByte((byte)reasonCode);
        if (properties is not null)
        {
            MqttPropertiesCodec.Write(ref w, properties, scope);
        }
    }

    /// <summary>Reserves fixed header plus body, writes the fixed header, and returns the body's span.</summary>
    private static Span<byte> BeginPacket(IBufferWriter<byte> output, byte first, int remainingLength, out int total)
    {
        if (remainingLength > MqttVariableByteInteger.MaxValue)
        {
            MqttThrow.Argument(nameof(remainingLength), "The packet is larger than MQTT allows.");
        }

        int headerLength = 1 + MqttVariableByteInteger.GetSize(remainingLength);
        total = headerLength + remainingLength;
        Span<byte> span = output.GetSpan(total);
        span[0] = first;
        MqttVariableByteInteger.Write(span[1..], remainingLength);
        return span.Slice(headerLength, remainingLength);
    }

    private static Span<byte> BeginPublish(IBufferWriter<byte> output, MqttProtocolVersion version, in MqttPublishHeader header, ReadOnlySpan<byte> topic, int payloadLength, in MqttPublishProperties properties)
    {
        if (header.Qos > MqttQos.ExactlyOnce || (header.Qos != MqttQos.AtMostOnce && header.PacketId == 0))
        {
            MqttThrow.Argument(nameof(header), "QoS must be 0-2, and QoS 1 and 2 need a non-zero packet identifier.");
        }

        int headLength = MeasurePublishHead(version, header, topic.Length, properties);
        long remaining = (long)headLength + payloadLength;
        if (remaining > MqttVariableByteInteger.MaxValue)
        {
            MqttThrow.Argument(nameof(payloadLength), "The PUBLISH is larger than MQTT allows.");
        }

        byte first = (byte)(0x30 | ((int)header.Qos << 1) | (header.Duplicate ? 0x08 : 0) | (header.Retain ? 0x01 : 0));
        int fixedLength = 1 + MqttVariableByteInteger.GetSize((int)remaining);
        Span<byte> span = output.GetSpan(fixedLength + headLength)[..(fixedLength + headLength)];
        span[0] = first;
        MqttVariableByteInteger.Write(span[1..], (int)remaining);
        var w = new MqttBodyWriter(span[fixedLength..]);
        WritePublishHead(ref w, version, header, topic, properties);
        return span;
    }

    private static int MeasurePublishHead(MqttProtocolVersion version, in MqttPublishHeader header, int topicLength, in MqttPublishProperties properties)
    {
        if (topicLength > ushort.MaxValue)
        {
            MqttThrow.Argument(nameof(topicLength), "A topic holds at most 65,535 bytes.");
        }

        int length = 2 + topicLength + (header.Qos == MqttQos.AtMostOnce ? 0 : 2);
        if (version == MqttProtocolVersion.V500)
        {
            MqttBodyWriter measure = MqttBodyWriter.Measuring();
            MqttPublishPropertiesWriter.Write(ref measure, properties);
            length += MqttVariableByteInteger.GetSize(measure.Position) + measure.Position;
        }

        return length;
    }

    private static void WritePublishHead(ref MqttBodyWriter w, MqttProtocolVersion version, in MqttPublishHeader header, ReadOnlySpan<byte> topic, in MqttPublishProperties properties)
    {
        w.WriteBinary(topic);
        if (header.Qos != MqttQos.AtMostOnce)
        {
            w.WriteUInt16(header.PacketId);
        }

        if (version == MqttProtocolVersion.V500)
        {
            MqttBodyWriter measure = MqttBodyWriter.Measuring();
            MqttPublishPropertiesWriter.Write(ref measure, properties);
            w.WriteVariableByteInteger(measure.Position);
            MqttPublishPropertiesWriter.Write(ref w, properties);
        }
    }

    // The payload may be far larger than one buffer segment, so it goes in as many spans as the writer offers.
    private static void CopyPayload(IBufferWriter<byte> output, ReadOnlySpan<byte> payload)
    {
        while (!payload.IsEmpty)
        {
            Span<byte> destination = output.GetSpan();
            int count = Math.Min(destination.Length, payload.Length);
            payload[..count].CopyTo(destination);
            output.Advance(count);
            payload = payload[count..];
        }
    }

    private static byte ThrowNotAck(MqttPacketType type)
    {
        MqttThrow.Argument(nameof(type), "Only PUBACK, PUBREC, PUBREL and PUBCOMP are acknowledgements.");
        return 0;
    }
}
