using System.Buffers;

namespace EdgeNode.Mqtt.Codec;

/// <summary>The fixed header: packet type, flags and Remaining Length.</summary>
public readonly struct MqttFixedHeader
{
    /// <summary>Fixed header (at most 5 bytes) plus the largest Remaining Length: the protocol's own packet size limit.</summary>
    public const int MaxPacketSize = 1 + 4 + MqttVariableByteInteger.MaxValue;

    private MqttFixedHeader(byte first, int remainingLength, int headerLength)
    {
        FirstByte = first;
        RemainingLength = remainingLength;
        HeaderLength = headerLength;
    }

    public byte FirstByte { get; }

    public MqttPacketType Type => (MqttPacketType)(FirstByte >> 4);

    public byte Flags => (byte)(FirstByte & 0x0F);

    public int RemainingLength { get; }

    /// <summary>2 to 5 bytes.</summary>
    public int HeaderLength { get; }

    public int PacketSize => HeaderLength + RemainingLength;

    /// <summary>
    /// Reads and checks a fixed header. False means more bytes are needed, and the reader is then left
    /// where it was. Everything that can be judged from the header is judged here, before the body is
    /// waited for: reserved types and flags, QoS 3, a fifth length byte, a non-minimal length, and a
    /// packet larger than <paramref name="maximumPacketSize"/>, so that the caller can close the connection
    /// without buffering what the peer announced.
    /// </summary>
    public static bool TryRead(ref SequenceReader<byte> reader, MqttProtocolVersion version, int maximumPacketSize, out MqttFixedHeader header)
    {
        SequenceReader<byte> r = reader;
        header = default;
        if (!r.TryRead(out byte first))
        {
            return false;
        }

        CheckTypeAndFlags(first, version);

        int remaining = 0;
        int lengthBytes = 0;
        byte b;
        do
        {
            if (lengthBytes == 4)
            {
                MqttThrow.Malformed("The remaining length has more than four bytes.");
            }

            if (!r.TryRead(out b))
            {
                return false;
            }

            remaining |= (b & 0x7F) << (7 * lengthBytes);
            lengthBytes++;
        }
        while ((b & 0x80) != 0);

        // The specification requires senders to use the fewest bytes; a trailing zero byte means they did not.
        if (b == 0 && lengthBytes > 1)
        {
            MqttThrow.Malformed("The remaining length is not minimally encoded.");
        }

        int packetSize = 1 + lengthBytes + remaining;
        if (packetSize > maximumPacketSize)
        {
            MqttThrow.PacketTooLarge();
        }

        var type = (MqttPacketType)(first >> 4);
        if (remaining != 0 && type is MqttPacketType.PingReq or MqttPacketType.PingResp)
        {
            MqttThrow.Malformed("PINGREQ and PINGRESP have no body.");
        }

        header = new MqttFixedHeader(first, remaining, 1 + lengthBytes);
        reader = r;
        return true;
    }

    private static void CheckTypeAndFlags(byte first, MqttProtocolVersion version)
    {
        var type = (MqttPacketType)(first >> 4);
        int flags = first & 0x0F;
        switch (type)
        {
            case 0:
                MqttThrow.Malformed("Packet type 0 is reserved.");
                break;
            case MqttPacketType.Publish:
                if ((flags & 0b0110) == 0b0110)
                {
                    MqttThrow.Malformed("PUBLISH with QoS 3.");
                }

                break;
            case MqttPacketType.PubRel:
            case MqttPacketType.Subscribe:
            case MqttPacketType.Unsubscribe:
                if (flags != 0b0010)
                {
                    MqttThrow.Malformed("PUBREL, SUBSCRIBE and UNSUBSCRIBE must have the flags 0010.");
                }

                break;
            case MqttPacketType.Auth when version != MqttProtocolVersion.V500:
                MqttThrow.Malformed("Packet type 15 is reserved before MQTT 5.0.");
                break;
            default:
                if (flags != 0)
                {
                    MqttThrow.Malformed("Reserved fixed header flags are set.");
                }

                break;
        }

        if (version == MqttProtocolVersion.Unknown && type != MqttPacketType.Connect)
        {
            MqttThrow.ProtocolError("The first packet of a connection must be CONNECT.");
        }
    }
}
