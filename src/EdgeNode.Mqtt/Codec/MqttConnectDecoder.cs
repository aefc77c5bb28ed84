using System.Buffers;

namespace EdgeNode.Mqtt.Codec;

/// <summary>CONNECT: the one packet whose own bytes say which protocol version the connection speaks.</summary>
internal static class MqttConnectDecoder
{
    public static MqttConnect Decode(ref SequenceReader<byte> r)
    {
        ReadOnlySequence<byte> name = MqttWireReader.ReadUtf8(ref r);
        byte level = MqttWireReader.ReadByte(ref r);
        bool isMqtt = name.Length == 4 && Matches(name, "MQTT"u8);
        bool isMqIsdp = name.Length == 6 && Matches(name, "MQIsdp"u8);
        if (!isMqtt && !isMqIsdp)
        {
            MqttThrow.ProtocolError("The CONNECT protocol name is neither MQTT nor MQIsdp.");
        }

        if (!isMqtt || level is not ((byte)MqttProtocolVersion.V311 or (byte)MqttProtocolVersion.V500))
        {
            MqttThrow.UnsupportedProtocolVersion(level);
        }

        var version = (MqttProtocolVersion)level;
        byte flags = MqttWireReader.ReadByte(ref r);
        if ((flags & 0x01) != 0)
        {
            MqttThrow.Malformed("The reserved CONNECT flag is set.");
        }

        bool willFlag = (flags & 0x04) != 0;
        int willQos = (flags >> 3) & 0b11;
        bool willRetain = (flags & 0x20) != 0;
        bool hasPassword = (flags & 0x40) != 0;
        bool hasUserName = (flags & 0x80) != 0;
        if (willQos == 3 || (!willFlag && (willQos != 0 || willRetain)))
        {
            MqttThrow.Malformed("The will QoS or will retain flag is invalid.");
        }

        if (version == MqttProtocolVersion.V311 && hasPassword && !hasUserName)
        {
            MqttThrow.Malformed("MQTT 3.1.1 does not allow a password without a user name.");
        }

        var connect = new MqttConnect
        {
            ProtocolVersion = version,
            CleanStart = (flags & 0x02) != 0,
            KeepAliveSeconds = MqttWireReader.ReadUInt16(ref r),
        };
        if (version == MqttProtocolVersion.V500)
        {
            connect.Properties = MqttPropertiesCodec.Read(ref r, MqttPropertyScope.Connect);
            if (connect.Properties is { AuthenticationData: not null, AuthenticationMethod: null })
            {
                MqttThrow.ProtocolError("Authentication Data without an Authentication Method (MQTT 5 3.1.2.11.10).");
            }
        }

        connect.ClientId = MqttWireReader.ReadString(ref r);
        if (willFlag)
        {
            var will = new MqttWill { Qos = (MqttQos)willQos, Retain = willRetain };
            if (version == MqttProtocolVersion.V500)
            {
                will.Properties = MqttPropertiesCodec.Read(ref r, MqttPropertyScope.Will);
            }

            ReadOnlySequence<byte> topic = MqttWireReader.ReadUtf8(ref r);
            if (topic.IsEmpty || MqttWireReader.ContainsWildcard(topic))
            {
                MqttThrow.Reason(MqttReasonCode.TopicNameInvalid, "The will topic is empty or contains a wildcard.");
            }

            will.Topic = MqttWireReader.ToText(topic);
            will.Payload = MqttWireReader.ReadBinaryArray(ref r);
            connect.Will = will;
        }

        if (hasUserName)
        {
            connect.UserName = MqttWireReader.ReadString(ref r);
        }

        if (hasPassword)
        {
            connect.Password = MqttWireReader.ReadBinaryArray(ref r);
        }

        MqttWireReader.EnsureEnd(r);
        return connect;
    }

    private static bool Matches(in ReadOnlySequence<byte> value, ReadOnlySpan<byte> expected)
    {
        Span<byte> copy = stackalloc byte[8];
        value.CopyTo(copy);
        return copy[..(int)value.Length].SequenceEqual(expected);
    }
}
