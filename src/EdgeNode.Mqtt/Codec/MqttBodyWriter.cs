using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace EdgeNode.Mqtt.Codec;

/// <summary>
/// Writes MQTT data types into a span, or only counts them. The same body code runs twice, first to
/// measure (the Remaining Length must precede the body) and then to write, so sizes cannot drift apart.
/// </summary>
internal ref struct MqttBodyWriter
{
    private readonly Span<byte> _buffer;
    private readonly bool _measuring;
    private int _position;

    public MqttBodyWriter(Span<byte> buffer)
    {
        _buffer = buffer;
        _measuring = false;
        _position = 0;
    }

    private MqttBodyWriter(bool measuring)
    {
        _buffer = default;
        _measuring = measuring;
        _position = 0;
    }

    public static MqttBodyWriter Measuring() => new(measuring: true);

    public readonly int Position => _position;

    public void WriteByte(byte value)
    {
        if (!_measuring)
        {
            _buffer[_position] = value;
        }

        _position++;
    }

    public void WriteUInt16(ushort value)
    {
        if (!_measuring)
        {
            BinaryPrimitives.WriteUInt16BigEndian(_buffer[_position..], value);
        }

        _position += 2;
    }

    public void WriteUInt32(uint value)
    {
        if (!_measuring)
        {
            BinaryPrimitives.WriteUInt32BigEndian(_buffer[_position..], value);
        }

        _position += 4;
    }

    public void WriteVariableByteInteger(int value)
    {
        _position += _measuring
            ? MqttVariableByteInteger.GetSize(value)
            : MqttVariableByteInteger.Write(_buffer[_position..], value);
    }

    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        if (!_measuring)
        {
            value.CopyTo(_buffer[_position..]);
        }

        _position += value.Length;
    }

    public void WriteBytes(in ReadOnlySequence<byte> value)
    {
        if (!_measuring)
        {
            value.CopyTo(_buffer[_position..]);
        }

        _position += (int)value.Length;
    }

    /// <summary>Two-byte length then the bytes (Binary Data, or a UTF-8 string already encoded).</summary>
    public void WriteBinary(ReadOnlySpan<byte> value)
    {
        CheckLength(value.Length);
        WriteUInt16((ushort)value.Length);
        WriteBytes(value);
    }

    public void WriteBinary(in ReadOnlySequence<byte> value)
    {
        CheckLength(value.Length);
        WriteUInt16((ushort)value.Length);
        WriteBytes(value);
    }

    public void WriteString(string value)
    {
        // [MQTT-1.5.4-2]: a UTF-8 string never holds U+0000; the receiver would close the connection.
        if (value.Contains('\0'))
        {
            MqttThrow.Argument(nameof(value), "An MQTT string may not contain U+0000.");
        }

        int length = Encoding.UTF8.GetByteCount(value);
        CheckLength(length);
        WriteUInt16((ushort)length);
        if (!_measuring)
        {
            Encoding.UTF8.GetBytes(value, _buffer[_position..]);
        }

        _position += length;
    }

    private static void CheckLength(long length)
    {
        if (length > ushort.MaxValue)
        {
            MqttThrow.Argument("value", "An MQTT string or binary field holds at most 65,535 bytes.");
        }
    }
}
