using System.Buffers;

namespace EdgeNode.Mqtt.Codec;

/// <summary>PUBACK, PUBREC, PUBREL and PUBCOMP: a packet id, and in 5.0 an optional reason code and properties.</summary>
internal static class MqttAckDecoder
{
    public static MqttAck Decode(ref SequenceReader<byte> r, MqttPacketType type, MqttProtocolVersion version)
    {
        ushort packetId = MqttWireReader.ReadUInt16(ref r);
        if (packetId == 0)
        {
            MqttThrow.ProtocolError("An acknowledgement has packet identifier 0.");
        }

        if (version != MqttProtocolVersion.V500)
        {
            MqttWireReader.EnsureEnd(r);
            return new MqttAck(packetId, MqttReasonCode.Success, default);
        }

        // A Remaining Length of 2 means Success without properties; 3 means a reason without properties.
        var reason = MqttReasonCode.Success;
        ReadOnlySequence<byte> properties = default;
        if (!r.End)
        {
            reason = (MqttReasonCode)MqttWireReader.ReadByte(ref r);
            bool valid = type is MqttPacketType.PubAck or MqttPacketType.PubRec
                ? MqttReasonCodes.IsValidForPubAckOrPubRec(reason)
                : MqttReasonCodes.IsValidForPubRelOrPubComp(reason);
            if (!valid)
            {
                MqttThrow.ProtocolError("The acknowledgement carries a reason code it may not use.");
            }

            if (!r.End)
            {
                properties = MqttPropertiesCodec.ReadBlock(ref r);
                MqttPropertyReader.Validate(properties, ScopeOf(type));
                MqttWireReader.EnsureEnd(r);
            }
        }

        return new MqttAck(packetId, reason, properties);
    }

    public static MqttPropertyScope ScopeOf(MqttPacketType type) => type switch
    {
        MqttPacketType.PubAck => MqttPropertyScope.PubAck,
        MqttPacketType.PubRec => MqttPropertyScope.PubRec,
        MqttPacketType.PubRel => MqttPropertyScope.PubRel,
        _ => MqttPropertyScope.PubComp,
    };
}
