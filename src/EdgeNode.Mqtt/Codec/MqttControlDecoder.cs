using System.Buffers;

namespace EdgeNode.Mqtt.Codec;

/// <summary>Decodes the control packets other than CONNECT into objects.</summary>
internal static class MqttControlDecoder
{
    private static ReadOnlySpan<byte> SharePrefix => "$share/"u8;

    public static MqttConnAck DecodeConnAck(ref SequenceReader<byte> r, MqttProtocolVersion version)
    {
        byte ackFlags = MqttWireReader.ReadByte(ref r);
        if ((ackFlags & 0xFE) != 0)
        {
            MqttThrow.Malformed("Reserved CONNACK acknowledge flags are set.");
        }

        byte code = MqttWireReader.ReadByte(ref r);
        var connAck = new MqttConnAck { SessionPresent = ackFlags != 0 };
        if (version == MqttProtocolVersion.V500)
        {
            connAck.ReasonCode = (MqttReasonCode)code;
            if (!MqttReasonCodes.IsValidForConnAck(connAck.ReasonCode))
            {
                MqttThrow.ProtocolError("CONNACK carries a reason code it may not use.");
            }

            connAck.Properties = MqttPropertiesCodec.Read(ref r, MqttPropertyScope.ConnAck);
        }
        else
        {
            if (!MqttReasonCodes.TryFromV311ConnectReturnCode(code, out MqttReasonCode reason))
            {
                MqttThrow.ProtocolError("CONNACK carries a reserved return code.");
            }

            connAck.ReasonCode = reason;
        }

        if (connAck.SessionPresent && connAck.ReasonCode != MqttReasonCode.Success)
        {
            MqttThrow.ProtocolError("A refusing CONNACK claims a present session.");
        }

        MqttWireReader.EnsureEnd(r);
        return connAck;
    }

    public static MqttSubscribe DecodeSubscribe(ref SequenceReader<byte> r, MqttProtocolVersion version)
    {
        var subscribe = new MqttSubscribe { PacketId = ReadNonZeroPacketId(ref r) };
        if (version == MqttProtocolVersion.V500)
        {
            subscribe.Properties = MqttPropertiesCodec.Read(ref r, MqttPropertyScope.Subscribe);
        }

        while (!r.End)
        {
            ReadOnlySequence<byte> filter = MqttWireReader.ReadUtf8(ref r);
            byte options = MqttWireReader.ReadByte(ref r);
            int qos = options & 0b11;
            MqttSubscriptionOptions parsed;
            if (version == MqttProtocolVersion.V500)
            {
                if ((options & 0xC0) != 0)
                {
                    MqttThrow.Malformed("Reserved subscription option bits are set.");
                }

                int retainHandling = (options >> 4) & 0b11;
                if (qos == 3 || retainHandling == 3)
                {
                    MqttThrow.ProtocolError("A subscription asks for QoS 3 or retain handling 3.");
                }

                parsed = new MqttSubscriptionOptions((MqttQos)qos, (options & 0x04) != 0, (options & 0x08) != 0, (MqttRetainHandling)retainHandling);
                if (parsed.NoLocal && StartsWith(filter, SharePrefix))
                {
                    MqttThrow.ProtocolError("No Local is set on a shared subscription.");
                }
            }
            else
            {
                if ((options & 0xFC) != 0 || qos == 3)
                {
                    MqttThrow.Malformed("Reserved requested-QoS bits are set, or QoS is 3.");
                }

                parsed = new MqttSubscriptionOptions((MqttQos)qos);
            }

            subscribe.Subscriptions.Add(new MqttSubscription(MqttWireReader.ToText(filter), parsed));
        }

        if (subscribe.Subscriptions.Count == 0)
        {
            MqttThrow.ProtocolError("SUBSCRIBE has no topic filter.");
        }

        return subscribe;
    }

    public static MqttSubAck DecodeSubAck(ref SequenceReader<byte> r, MqttProtocolVersion version)
    {
        var subAck = new MqttSubAck { PacketId = ReadNonZeroPacketId(ref r) };
        if (version == MqttProtocolVersion.V500)
        {
            subAck.Properties = MqttPropertiesCodec.Read(ref r, MqttPropertyScope.SubAck);
        }

        while (r.TryRead(out byte code))
        {
            var reason = (MqttReasonCode)code;
            bool valid = version == MqttProtocolVersion.V500
                ? MqttReasonCodes.IsValidForSubAck(reason)
                : code is 0 or 1 or 2 or 0x80;
            if (!valid)
            {
                MqttThrow.ProtocolError("SUBACK carries a return code it may not use.");
            }

            subAck.ReasonCodes.Add(reason);
        }

        if (subAck.ReasonCodes.Count == 0)
        {
            MqttThrow.ProtocolError("SUBACK has no return code.");
        }

        return subAck;
    }

    public static MqttUnsubscribe DecodeUnsubscribe(ref SequenceReader<byte> r, MqttProtocolVersion version)
    {
        var unsubscribe = new MqttUnsubscribe { PacketId = ReadNonZeroPacketId(ref r) };
        if (version == MqttProtocolVersion.V500)
        {
            unsubscribe.Properties = MqttPropertiesCodec.Read(ref r, MqttPropertyScope.Unsubscribe);
        }

        while (!r.End)
        {
            unsubscribe.TopicFilters.Add(MqttWireReader.ReadString(ref r));
        }

        if (unsubscribe.TopicFilters.Count == 0)
        {
            MqttThrow.ProtocolError("UNSUBSCRIBE has no topic filter.");
        }

        return unsubscribe;
    }

    public static MqttUnsubAck DecodeUnsubAck(ref SequenceReader<byte> r, MqttProtocolVersion version)
    {
        var unsubAck = new MqttUnsubAck { PacketId = ReadNonZeroPacketId(ref r) };
        if (version != MqttProtocolVersion.V500)
        {
            MqttWireReader.EnsureEnd(r);
            return unsubAck;
        }

        unsubAck.Properties = MqttPropertiesCodec.Read(ref r, MqttPropertyScope.UnsubAck);
        while (r.TryRead(out byte code))
        {
            if (!MqttReasonCodes.IsValidForUnsubAck((MqttReasonCode)code))
            {
                MqttThrow.ProtocolError("UNSUBACK carries a reason code it may not use.");
            }

            unsubAck.ReasonCodes.Add((MqttReasonCode)code);
        }

        if (unsubAck.ReasonCodes.Count == 0)
        {
            MqttThrow.ProtocolError("UNSUBACK has no reason code.");
        }

        return unsubAck;
    }

    public static MqttDisconnect DecodeDisconnect(ref SequenceReader<byte> r, MqttProtocolVersion version)
    {
        var disconnect = new MqttDisconnect();
        if (version != MqttProtocolVersion.V500)
        {
            MqttWireReader.EnsureEnd(r);
            return disconnect;
        }

        (disconnect.ReasonCode, disconnect.Properties) = ReadOptionalReason(ref r, MqttPropertyScope.Disconnect);
        if (!MqttReasonCodes.IsValidForDisconnect(disconnect.ReasonCode))
        {
            MqttThrow.ProtocolError("DISCONNECT carries a reason code it may not use.");
        }

        return disconnect;
    }

    public static MqttAuth DecodeAuth(ref SequenceReader<byte> r)
    {
        var auth = new MqttAuth();
        (auth.ReasonCode, auth.Properties) = ReadOptionalReason(ref r, MqttPropertyScope.Auth);
        if (!MqttReasonCodes.IsValidForAuth(auth.ReasonCode))
        {
            MqttThrow.ProtocolError("AUTH carries a reason code it may not use.");
        }

        return auth;
    }

    // DISCONNECT and AUTH may stop after the reason code, or omit it too when it is Success.
    private static (MqttReasonCode Reason, MqttProperties? Properties) ReadOptionalReason(ref SequenceReader<byte> r, MqttPropertyScope scope)
    {
        if (r.End)
        {
            return (MqttReasonCode.Success, null);
        }

        var reason = (MqttReasonCode)MqttWireReader.ReadByte(ref r);
        MqttProperties? properties = r.End ? null : MqttPropertiesCodec.Read(ref r, scope);
        MqttWireReader.EnsureEnd(r);
        return (reason, properties);
    }

    private static ushort ReadNonZeroPacketId(ref SequenceReader<byte> r)
    {
        ushort packetId = MqttWireReader.ReadUInt16(ref r);
        if (packetId == 0)
        {
            MqttThrow.ProtocolError("The packet identifier is 0.");
        }

        return packetId;
    }

    private static bool StartsWith(in ReadOnlySequence<byte> value, ReadOnlySpan<byte> prefix)
    {
        if (value.Length < prefix.Length)
        {
            return false;
        }

        Span<byte> head = stackalloc byte[16];
        value.Slice(0, prefix.Length).CopyTo(head);
        return head[..prefix.Length].SequenceEqual(prefix);
    }
}
