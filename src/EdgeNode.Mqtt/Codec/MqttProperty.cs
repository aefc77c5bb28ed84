using System.Buffers;

namespace EdgeNode.Mqtt.Codec;

/// <summary>One decoded property; its byte values are views into the receive buffer.</summary>
public readonly struct MqttProperty
{
    internal MqttProperty(MqttPropertyId id, MqttPropertyType type, uint integer, ReadOnlySequence<byte> value, ReadOnlySequence<byte> pairValue, ReadOnlySequence<byte> encoded)
    {
        Id = id;
        Type = type;
        Integer = integer;
        Value = value;
        PairValue = pairValue;
        Encoded = encoded;
    }

    public MqttPropertyId Id { get; }

    public MqttPropertyType Type { get; }

    /// <summary>The value of a Byte, Two Byte, Four Byte or Variable Byte Integer property.</summary>
    public uint Integer { get; }

    /// <summary>The bytes of a string or binary property, or the name of a User Property.</summary>
    public ReadOnlySequence<byte> Value { get; }

    /// <summary>The value of a User Property.</summary>
    public ReadOnlySequence<byte> PairValue { get; }

    /// <summary>The whole property as it was on the wire (identifier included), for copying it unchanged.</summary>
    public ReadOnlySequence<byte> Encoded { get; }
}
