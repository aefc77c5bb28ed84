using System.Buffers;
using System.Runtime.CompilerServices;

namespace EdgeNode.Mqtt.Codec;

/// <summary>
/// Reads the MQTT data types from a packet body that is already complete, so running out of bytes
/// here is a malformed packet, never "need more".
/// </summary>
internal static class MqttWireReader
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte ReadByte(ref SequenceReader<byte> reader)
    {
        if (!reader.TryRead(out byte value))
        {
            MqttThrow.Malformed("The packet ends inside a field.");
        }

        return value;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort ReadUInt16(ref SequenceReader<byte> reader)
    {
        if (!reader.TryReadBigEndian(out short value))
        {
            MqttThrow.Malformed("The packet ends inside a two byte integer.");
        }

        return (ushort)value;
    }

    public static uint ReadUInt32(ref SequenceReader<byte> reader)
    {
        if (!reader.TryReadBigEndian(out int value))
        {
            MqttThrow.Malformed("The packet ends inside a four byte integer.");
        }

        return (uint)value;
    }

    /// <summary>Reads a Variable Byte Integer; more than four bytes or a non-minimal encoding is malformed.</summary>
    public static int ReadVariableByteInteger(ref SequenceReader<byte> reader)
    {
        int value = 0;
        for (int i = 0; i < 4; i++)
        {
            byte b = ReadByte(ref reader);
            value |= (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
            {
                if (b == 0 && i > 0)
                {
                    MqttThrow.Malformed("A variable byte integer is not minimally encoded.");
                }

                return value;
            }
        }

        MqttThrow.Malformed("A variable byte integer is longer than four bytes.");
        return 0;
    }

    /// <summary>Two-byte length then bytes, returned as a view into the packet.</summary>
    public static ReadOnlySequence<byte> ReadBinary(ref SequenceReader<byte> reader)
    {
        int length = ReadUInt16(ref reader);
        if (reader.Remaining < length)
        {
            MqttThrow.Malformed("A length prefix runs past the end of the packet.");
        }

        ReadOnlySequence<byte> value = reader.Sequence.Slice(reader.Position, length);
        reader.Advance(length);
        return value;
    }

    /// <summary>A UTF-8 Encoded String as a view, checked against the rules of section 1.5.4.</summary>
    public static ReadOnlySequence<byte> ReadUtf8(ref SequenceReader<byte> reader)
    {
        ReadOnlySequence<byte> value = ReadBinary(ref reader);
        if (!MqttUtf8.IsValid(value))
        {
            MqttThrow.Malformed("A string is not well-formed UTF-8 or contains U+0000.");
        }

        return value;
    }

    /// <summary>A UTF-8 Encoded String decoded to a .NET string; for control packets only.</summary>
    public static string ReadString(ref SequenceReader<byte> reader)
    {
        return ToText(ReadUtf8(ref reader));
    }

    public static string ToText(in ReadOnlySequence<byte> value) =>
        value.IsEmpty ? string.Empty : System.Text.EncodingExtensions.GetString(System.Text.Encoding.UTF8, value);

    public static byte[] ReadBinaryArray(ref SequenceReader<byte> reader)
    {
        ReadOnlySequence<byte> value = ReadBinary(ref reader);
        return value.IsEmpty ? [] : value.ToArray();
    }

    /// <summary>Whether a topic contains either wildcard character; walks the segments without copying.</summary>
    public static bool ContainsWildcard(in ReadOnlySequence<byte> topic)
    {
        if (topic.IsSingleSegment)
        {
            return topic.FirstSpan.IndexOfAny((byte)'+', (byte)'#') >= 0;
        }

        foreach (ReadOnlyMemory<byte> segment in topic)
        {
            if (segment.Span.IndexOfAny((byte)'+', (byte)'#') >= 0)
            {
                return true;
            }
        }

        return false;
    }

    public static void EnsureEnd(in SequenceReader<byte> reader)
    {
        if (!reader.End)
        {
            MqttThrow.Malformed("The packet has bytes after its last field.");
        }
    }
}
