using System.Buffers;
using System.Text;
using EdgeNode.Mqtt.Codec;

namespace EdgeNode.Fuzz.Targets;

/// <summary>
/// The MQTT packet reader for one protocol version (the version a connection has after its CONNECT, or none yet).
/// Properties: no packet over the maximum size; every packet read is written back by the codec's writer and the
/// written bytes re-read and re-write to the same bytes; the same packets whether the bytes come in one segment, two
/// segments, or two deliveries.
/// </summary>
internal static class MqttPacketTarget
{
    private const int MaximumPacketSize = 1024;

    public static FuzzTarget For(MqttProtocolVersion version) =>
        new(input => Check(input, version), typeof(MqttProtocolException));

    private static void Check(ReadOnlySpan<byte> input, MqttProtocolVersion version)
    {
        string whole = Transcript(new ReadOnlySequence<byte>(input.ToArray()), new MqttPacketReader(MaximumPacketSize, version), rewrite: true, out _);
        foreach (int at in Segments.Points(input))
        {
            PropertyViolationException.ThrowIfNot(Transcript(Segments.Split(input, at), new MqttPacketReader(MaximumPacketSize, version), rewrite: false, out _) == whole,
                $"two segments split at {at} read differently from one");
            PropertyViolationException.ThrowIfNot(Delivered(input, at, version) == whole,
                $"two deliveries split at {at} read differently from one");
        }
    }

    private static string Delivered(ReadOnlySpan<byte> input, int at, MqttProtocolVersion version)
    {
        var reader = new MqttPacketReader(MaximumPacketSize, version);
        string first = Transcript(new ReadOnlySequence<byte>(input[..at].ToArray()), reader, rewrite: false, out long consumed);
        if (consumed < 0) return first;
        return first + Transcript(new ReadOnlySequence<byte>(input[(int)consumed..].ToArray()), reader, rewrite: false, out _);
    }

    /// <summary>Every packet's written-back bytes, then how the read ended; <paramref name="consumed"/> is -1 after an error.</summary>
    private static string Transcript(ReadOnlySequence<byte> data, MqttPacketReader reader, bool rewrite, out long consumed)
    {
        var log = new StringBuilder();
        var input = new SequenceReader<byte>(data);
        try
        {
            while (reader.TryRead(ref input, out MqttPacket packet))
            {
                PropertyViolationException.ThrowIfNot(packet.Size <= MaximumPacketSize, $"a packet of {packet.Size} bytes passed the maximum of {MaximumPacketSize}");
                byte[] written = Write(packet, reader.Version);
                if (rewrite) CheckReread(written, reader.Version);
                log.Append(packet.Type).Append(':').Append(Convert.ToHexString(written)).Append('\n');
            }

            consumed = input.Consumed;
        }
        catch (MqttProtocolException exception)
        {
            log.Append("error:").Append(exception.GetType().Name).Append(':').Append(exception.Message);
            consumed = -1;
        }

        return log.ToString();
    }

    /// <summary>What the codec's writer makes of a packet read (MQTT 5.0 acknowledgement properties are not written).</summary>
    private static byte[] Write(in MqttPacket packet, MqttProtocolVersion version)
    {
        var output = new ArrayBufferWriter<byte>();
        MqttProtocolVersion writeAs = version == MqttProtocolVersion.Unknown ? MqttProtocolVersion.V500 : version;
        switch (packet.Type)
        {
            case MqttPacketType.Publish:
                MqttPublish publish = packet.Publish;
                var header = new MqttPublishHeader(publish.Qos, publish.PacketId, publish.Retain, publish.Duplicate);
                MqttPacketWriter.WritePublish(output, writeAs, header, publish.Topic.Span, publish.Payload,
                    writeAs == MqttProtocolVersion.V500 ? publish.Properties : default);
                break;
            case MqttPacketType.PubAck or MqttPacketType.PubRec or MqttPacketType.PubRel or MqttPacketType.PubComp:
                MqttPacketWriter.WriteAck(output, writeAs, packet.Type, packet.Ack.PacketId, packet.Ack.ReasonCode);
                break;
            case MqttPacketType.PingReq:
                MqttPacketWriter.WritePingReq(output);
                break;
            case MqttPacketType.PingResp:
                MqttPacketWriter.WritePingResp(output);
                break;
            default:
                MqttControlPacket control = packet.Control ?? throw new PropertyViolationException($"a {packet.Type} came without its content");
                MqttPacketWriter.Write(output, control is MqttConnect connect ? connect.ProtocolVersion : writeAs, control);
                break;
        }

        return output.WrittenSpan.ToArray();
    }

    /// <summary>Written bytes are one packet that reads back and writes the same bytes again.</summary>
    private static void CheckReread(byte[] written, MqttProtocolVersion version)
    {
        var reader = new MqttPacketReader(MqttVariableByteInteger.MaxValue, version);
        var input = new SequenceReader<byte>(new ReadOnlySequence<byte>(written));
        try
        {
            PropertyViolationException.ThrowIfNot(reader.TryRead(ref input, out MqttPacket again) && input.End,
                $"written bytes are not one whole packet: {Convert.ToHexString(written)}");
            byte[] rewritten = Write(again, reader.Version);
            PropertyViolationException.ThrowIfNot(rewritten.AsSpan().SequenceEqual(written),
                $"a packet written back re-reads differently: {Convert.ToHexString(written)} then {Convert.ToHexString(rewritten)}");
        }
        catch (MqttProtocolException exception)
        {
            throw new PropertyViolationException($"a packet written back is refused ({exception.Message}): {Convert.ToHexString(written)}");
        }
    }
}
