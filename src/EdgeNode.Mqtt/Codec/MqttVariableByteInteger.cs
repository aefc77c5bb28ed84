namespace EdgeNode.Mqtt.Codec;

/// <summary>The Variable Byte Integer of section 1.5.5: seven bits a byte, least significant first, at most four bytes.</summary>
public static class MqttVariableByteInteger
{
    /// <summary>268,435,455: the largest value four bytes can hold.</summary>
    public const int MaxValue = 0x0FFF_FFFF;

    public static int GetSize(int value) => value switch
    {
        < 0 => ThrowOutOfRange(value),
        < 0x80 => 1,
        < 0x4000 => 2,
        < 0x20_0000 => 3,
        <= MaxValue => 4,
        _ => ThrowOutOfRange(value),
    };

    /// <summary>Writes the minimal encoding; the destination must hold <see cref="GetSize"/> bytes.</summary>
    public static int Write(Span<byte> destination, int value)
    {
        if ((uint)value > MaxValue)
        {
            ThrowOutOfRange(value);
        }

        int i = 0;
        do
        {
            byte b = (byte)(value & 0x7F);
            value >>= 7;
            if (value != 0)
            {
                b |= 0x80;
            }

            destination[i++] = b;
        }
        while (value != 0);
        return i;
    }

    private static int ThrowOutOfRange(int value)
    {
        MqttThrow.Argument(nameof(value), "A variable byte integer holds 0 to 268,435,455.");
        return 0;
    }
}
