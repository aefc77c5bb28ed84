using System.Buffers;

namespace EdgeNode.Mqtt.Codec;

/// <summary>The control packets, written from their objects; these may be slow and allocate, they are rare.</summary>
public static partial class MqttPacketWriter
{
    /// <summary>The size of a control packet on the wire, fixed header included (what <see cref="Write"/> would add).</summary>
    public static int GetSize(MqttProtocolVersion version, MqttControlPacket packet)
    {
        ArgumentNullException.ThrowIfNull(packet);
        MqttBodyWriter measure = MqttBodyWriter.Measuring();
        MqttControlBodyWriter.Write(ref measure, version, packet);
        return 1 + MqttVariableByteInteger.GetSize(measure.Position) + measure.Position;
    }

    public static void Write(IBufferWriter<byte> output, MqttProtocolVersion version, MqttControlPacket packet)
    {
        ArgumentNullException.ThrowIfNull(packet);
        if (version is not (MqttProtocolVersion.V311 or MqttProtocolVersion.V500))
        {
            MqttThrow.Argument(nameof(version), "Only MQTT 3.1.1 and 5.0 are written.");
        }

        if (packet.Type == MqttPacketType.Auth && version != MqttProtocolVersion.V500)
        {
            MqttThrow.Argument(nameof(packet), "AUTH exists only in MQTT 5.0.");
        }

        byte first = (byte)((int)packet.Type << 4);
        if (packet.Type is MqttPacketType.Subscribe or MqttPacketType.Unsubscribe)
        {
            first |= 0b0010;
        }

        MqttBodyWriter measure = MqttBodyWriter.Measuring();
        MqttControlBodyWriter.Write(ref measure, version, packet);
        Span<byte> body = BeginPacket(output, first, measure.Position, out int total);
        var writer = new MqttBodyWriter(body);
        MqttControlBodyWriter.Write(ref writer, version, packet);
        output.Advance(total);
    }
}
