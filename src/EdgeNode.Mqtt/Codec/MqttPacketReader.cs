using System.Buffers;

namespace EdgeNode.Mqtt.Codec;

/// <summary>
/// Reads MQTT packets from a connection's receive buffer. One instance per connection: it knows the
/// protocol version (learnt from CONNECT, or set by a client before it reads CONNACK) and keeps a small
/// scratch buffer for topics that arrive split across buffer segments.
/// </summary>
public sealed class MqttPacketReader
{
    /// <summary>
    /// The limit when the caller sets none. Small on purpose: the protocol's own maximum (about 256 MiB) would
    /// let any peer, before it authenticates, make the node buffer that much. A broker passes its configured
    /// Mqtt:MaxPacketSize instead.
    /// </summary>
    public const int DefaultMaximumPacketSize = 256 * 1024;

    private byte[]? _topicScratch;

    public MqttPacketReader(int maximumPacketSize = DefaultMaximumPacketSize, MqttProtocolVersion version = MqttProtocolVersion.Unknown)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maximumPacketSize, 2);
        MaximumPacketSize = maximumPacketSize;
        Version = version;
    }

    /// <summary>Unknown until a CONNECT is read; then every packet is decoded in that version.</summary>
    public MqttProtocolVersion Version { get; set; }

    /// <summary>The largest packet accepted, fixed header included; a larger one is refused from its header alone.</summary>
    public int MaximumPacketSize { get; set; }

    /// <summary>
    /// Reads one whole packet. Returns false when the buffer does not yet hold it, leaving
    /// <paramref name="input"/> untouched; on true, <paramref name="input"/> is past the packet.
    /// Malformed input throws <see cref="MqttProtocolException"/> with the reason code to report.
    /// </summary>
    public bool TryRead(ref SequenceReader<byte> input, out MqttPacket packet)
    {
        SequenceReader<byte> r = input;
        if (!MqttFixedHeader.TryRead(ref r, Version, MaximumPacketSize, out MqttFixedHeader header) || r.Remaining < header.RemainingLength)
        {
            packet = default;
            return false;
        }

        var body = new SequenceReader<byte>(r.Sequence.Slice(r.Position, header.RemainingLength));
        r.Advance(header.RemainingLength);
        packet = Decode(header, ref body);
        input = r;
        return true;
    }

    /// <summary>
    /// The pipe-shaped form: on true <paramref name="consumed"/> is the end of the packet; on false nothing is
    /// consumed and everything was examined, so the caller's next read waits for more bytes.
    /// </summary>
    public bool TryRead(in ReadOnlySequence<byte> buffer, out MqttPacket packet, out SequencePosition consumed, out SequencePosition examined)
    {
        var reader = new SequenceReader<byte>(buffer);
        if (TryRead(ref reader, out packet))
        {
            consumed = reader.Position;
            examined = consumed;
            return true;
        }

        consumed = buffer.Start;
        examined = buffer.End;
        return false;
    }

    private MqttPacket Decode(in MqttFixedHeader header, ref SequenceReader<byte> body)
    {
        MqttPacketType type = header.Type;
        switch (type)
        {
            case MqttPacketType.Publish:
                MqttPublish publish = MqttPublishDecoder.Decode(ref body, header.Flags, Version, ref _topicScratch);
                return new MqttPacket(type, header.PacketSize, publish, default, null);
            case MqttPacketType.PubAck:
            case MqttPacketType.PubRec:
            case MqttPacketType.PubRel:
            case MqttPacketType.PubComp:
                return new MqttPacket(type, header.PacketSize, default, MqttAckDecoder.Decode(ref body, type, Version), null);
            case MqttPacketType.PingReq:
            case MqttPacketType.PingResp:
                return new MqttPacket(type, header.PacketSize, default, default, null);
            case MqttPacketType.Connect:
                MqttConnect connect = MqttConnectDecoder.Decode(ref body);
                if (Version == MqttProtocolVersion.Unknown)
                {
                    Version = connect.ProtocolVersion;
                }

                return new MqttPacket(type, header.PacketSize, default, default, connect);
            default:
                return new MqttPacket(type, header.PacketSize, default, default, DecodeControl(type, ref body));
        }
    }

    private MqttControlPacket DecodeControl(MqttPacketType type, ref SequenceReader<byte> body) => type switch
    {
        MqttPacketType.ConnAck => MqttControlDecoder.DecodeConnAck(ref body, Version),
        MqttPacketType.Subscribe => MqttControlDecoder.DecodeSubscribe(ref body, Version),
        MqttPacketType.SubAck => MqttControlDecoder.DecodeSubAck(ref body, Version),
        MqttPacketType.Unsubscribe => MqttControlDecoder.DecodeUnsubscribe(ref body, Version),
        MqttPacketType.UnsubAck => MqttControlDecoder.DecodeUnsubAck(ref body, Version),
        MqttPacketType.Disconnect => MqttControlDecoder.DecodeDisconnect(ref body, Version),
        _ => MqttControlDecoder.DecodeAuth(ref body),
    };
}
