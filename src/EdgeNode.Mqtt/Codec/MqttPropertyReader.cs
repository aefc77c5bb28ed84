using System.Buffers;

namespace EdgeNode.Mqtt.Codec;

/// <summary>
/// Walks an MQTT 5.0 property block (the bytes after the Property Length), checking each property
/// against the table: unknown identifiers, a property not allowed in this packet and a value of the
/// wrong shape are malformed; a repeated single-valued property or an out-of-range value is a protocol error.
/// </summary>
public ref struct MqttPropertyReader
{
    private SequenceReader<byte> _reader;
    private readonly MqttPropertyScope _scope;
    private ulong _seen;

    public MqttPropertyReader(ReadOnlySequence<byte> block, MqttPropertyScope scope)
    {
        _reader = new SequenceReader<byte>(block);
        _scope = scope;
        _seen = 0;
    }

    public bool TryRead(out MqttProperty property)
    {
        if (_reader.End)
        {
            property = default;
            return false;
        }

        SequencePosition start = _reader.Position;
        int rawId = MqttWireReader.ReadVariableByteInteger(ref _reader);
        if (!MqttPropertyTable.TryGet(rawId, out MqttPropertyType type, out MqttPropertyScope allowedIn))
        {
            MqttThrow.Malformed("Unknown property identifier.");
        }

        if ((allowedIn & _scope) == 0)
        {
            MqttThrow.Malformed("A property is not allowed in this packet.");
        }

        var id = (MqttPropertyId)rawId;
        ulong bit = 1UL << rawId;
        if ((_seen & bit) != 0 && !MqttPropertyTable.MayRepeat(id, _scope))
        {
            MqttThrow.ProtocolError("A single-valued property occurs more than once.");
        }

        _seen |= bit;

        uint integer = 0;
        ReadOnlySequence<byte> value = default;
        ReadOnlySequence<byte> pairValue = default;
        switch (type)
        {
            case MqttPropertyType.Byte:
                integer = MqttWireReader.ReadByte(ref _reader);
                break;
            case MqttPropertyType.TwoByteInteger:
                integer = MqttWireReader.ReadUInt16(ref _reader);
                break;
            case MqttPropertyType.FourByteInteger:
                integer = MqttWireReader.ReadUInt32(ref _reader);
                break;
            case MqttPropertyType.VariableByteInteger:
                integer = (uint)MqttWireReader.ReadVariableByteInteger(ref _reader);
                break;
            case MqttPropertyType.Utf8String:
                value = MqttWireReader.ReadUtf8(ref _reader);
                break;
            case MqttPropertyType.BinaryData:
                value = MqttWireReader.ReadBinary(ref _reader);
                break;
            default:
                value = MqttWireReader.ReadUtf8(ref _reader);
                pairValue = MqttWireReader.ReadUtf8(ref _reader);
                break;
        }

        CheckValue(id, integer, value);
        property = new MqttProperty(id, type, integer, value, pairValue, _reader.Sequence.Slice(start, _reader.Position));
        return true;
    }

    /// <summary>Reads the whole block to check it; used where a packet's properties are kept as a raw view.</summary>
    public static void Validate(ReadOnlySequence<byte> block, MqttPropertyScope scope)
    {
        var reader = new MqttPropertyReader(block, scope);
        while (reader.TryRead(out _))
        {
        }
    }

    private static void CheckValue(MqttPropertyId id, uint integer, in ReadOnlySequence<byte> value)
    {
        switch (id)
        {
            case MqttPropertyId.PayloadFormatIndicator:
            case MqttPropertyId.RequestProblemInformation:
            case MqttPropertyId.RequestResponseInformation:
            case MqttPropertyId.MaximumQos:
            case MqttPropertyId.RetainAvailable:
            case MqttPropertyId.WildcardSubscriptionAvailable:
            case MqttPropertyId.SubscriptionIdentifierAvailable:
            case MqttPropertyId.SharedSubscriptionAvailable:
                if (integer > 1)
                {
                    MqttThrow.ProtocolError("A property that holds 0 or 1 has another value.");
                }

                break;
            case MqttPropertyId.ReceiveMaximum:
            case MqttPropertyId.MaximumPacketSize:
            case MqttPropertyId.SubscriptionIdentifier:
                if (integer == 0)
                {
                    MqttThrow.ProtocolError("A property that must be non-zero is zero.");
                }

                break;
            case MqttPropertyId.TopicAlias:
                if (integer == 0)
                {
                    MqttThrow.Reason(MqttReasonCode.TopicAliasInvalid, "Topic Alias 0 is not allowed.");
                }

                break;
            case MqttPropertyId.ResponseTopic:
                if (MqttWireReader.ContainsWildcard(value))
                {
                    MqttThrow.ProtocolError("A Response Topic contains a wildcard.");
                }

                break;
        }
    }
}
