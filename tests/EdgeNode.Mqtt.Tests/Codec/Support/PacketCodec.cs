using System.Buffers;
using EdgeNode.Mqtt.Codec;

namespace EdgeNode.Mqtt.Tests.Codec.Support;

/// <summary>Decode and re-encode helpers: a packet decoded from split input must re-encode to the original bytes.</summary>
internal static class PacketCodec
{
    public static MqttPacket ReadOne(byte[] bytes, MqttProtocolVersion version) => ReadOne(new ReadOnlySequence<byte>(bytes), version);

    public static MqttPacket ReadOne(ReadOnlySequence<byte> bytes, MqttProtocolVersion version)
    {
        var reader = new MqttPacketReader(MqttFixedHeader.MaxPacketSize, version);
        var input = new SequenceReader<byte>(bytes);
        Assert.True(reader.TryRead(ref input, out MqttPacket packet));
        Assert.True(input.End);
        return packet;
    }

    public static MqttProtocolException ReadFails(byte[] bytes, MqttProtocolVersion version, int maximumPacketSize = MqttFixedHeader.MaxPacketSize)
    {
        var reader = new MqttPacketReader(maximumPacketSize, version);
        return Assert.ThrowsAny<MqttProtocolException>(() =>
        {
            var input = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));
            reader.TryRead(ref input, out _);
        });
    }

    public static byte[] Write(Action<ArrayBufferWriter<byte>> write)
    {
        var output = new ArrayBufferWriter<byte>();
        write(output);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>Encodes a decoded packet again, field by field, so that comparing bytes compares every field.</summary>
    public static byte[] Reencode(in MqttPacket packet, MqttProtocolVersion version)
    {
        var output = new ArrayBufferWriter<byte>();
        switch (packet.Type)
        {
            case MqttPacketType.Publish:
                MqttPublish p = packet.Publish;
                MqttPacketWriter.WritePublish(output, version, new MqttPublishHeader(p.Qos, p.PacketId, p.Retain, p.Duplicate), p.Topic.Span, p.Payload, p.Properties);
                break;
            case MqttPacketType.PubAck:
            case MqttPacketType.PubRec:
            case MqttPacketType.PubRel:
            case MqttPacketType.PubComp:
                MqttAck a = packet.Ack;
                MqttPacketWriter.WriteAck(output, version, packet.Type, a.PacketId, a.ReasonCode, ToProperties(a.Properties, packet.Type));
                break;
            case MqttPacketType.PingReq:
                MqttPacketWriter.WritePingReq(output);
                break;
            case MqttPacketType.PingResp:
                MqttPacketWriter.WritePingResp(output);
                break;
            default:
                MqttPacketWriter.Write(output, version, packet.Control!);
                break;
        }

        return output.WrittenSpan.ToArray();
    }

    private static MqttProperties? ToProperties(ReadOnlySequence<byte> block, MqttPacketType type)
    {
        if (block.IsEmpty)
        {
            return null;
        }

        var scope = type switch
        {
            MqttPacketType.PubAck => MqttPropertyScope.PubAck,
            MqttPacketType.PubRec => MqttPropertyScope.PubRec,
            MqttPacketType.PubRel => MqttPropertyScope.PubRel,
            _ => MqttPropertyScope.PubComp,
        };
        var result = new MqttProperties();
        var reader = new MqttPropertyReader(block, scope);
        while (reader.TryRead(out MqttProperty property))
        {
            string value = System.Text.Encoding.UTF8.GetString(property.Value.ToArray());
            if (property.Id == MqttPropertyId.ReasonString)
            {
                result.ReasonString = value;
            }
            else
            {
                result.UserProperties.Add(new MqttUserProperty(value, System.Text.Encoding.UTF8.GetString(property.PairValue.ToArray())));
            }
        }

        return result;
    }
}
