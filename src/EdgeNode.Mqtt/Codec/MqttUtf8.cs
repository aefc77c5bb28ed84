using System.Buffers;
using System.Text.Unicode;

namespace EdgeNode.Mqtt.Codec;

/// <summary>
/// The UTF-8 rules of MQTT section 1.5.4: well-formed UTF-8 (which already excludes encoded surrogates
/// such as ED A0 80 and overlong forms) and no U+0000. Control characters and non-characters are only
/// "SHOULD NOT" in the specification, so they are accepted.
/// </summary>
public static class MqttUtf8
{
    // Split strings are copied to the stack up to this size; longer ones (rare: a string is at most 64 KiB) to a pooled array.
    private const int StackCopyLimit = 256;

    public static bool IsValid(ReadOnlySpan<byte> value) => !value.Contains((byte)0) && Utf8.IsValid(value);

    public static bool IsValid(in ReadOnlySequence<byte> value)
    {
        if (value.IsSingleSegment)
        {
            return IsValid(value.FirstSpan);
        }

        return IsValidMultiSegment(value);
    }

    private static bool IsValidMultiSegment(in ReadOnlySequence<byte> value)
    {
        int length = (int)value.Length;
        if (length <= StackCopyLimit)
        {
            Span<byte> copy = stackalloc byte[StackCopyLimit];
            value.CopyTo(copy);
            return IsValid(copy[..length]);
        }

        byte[] rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            value.CopyTo(rented);
            return IsValid(rented.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
