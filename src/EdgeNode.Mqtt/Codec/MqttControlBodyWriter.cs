namespace EdgeNode.Mqtt.Codec;

/// <summary>The bodies of the control packets; run once to measure and once to write.</summary>
internal static class MqttControlBodyWriter
{
    public static void Write(ref MqttBodyWriter w, MqttProtocolVersion version, MqttControlPacket packet)
    {
        bool v5 = version == MqttProtocolVersion.V500;
        switch (packet)
        {
            case MqttConnect connect:
                WriteConnect(ref w, version, connect);
                break;
            case MqttConnAck connAck:
                w.WriteByte(connAck.SessionPresent ? (byte)1 : (byte)0);
                w.WriteByte(v5 ? (byte)connAck.ReasonCode : MqttReasonCodes.ToV311ConnectReturnCode(connAck.ReasonCode));
                WritePropertiesIfV5(ref w, v5, packet.Properties, MqttPropertyScope.ConnAck);
                break;
            case MqttSubscribe subscribe:
                WriteSubscribe(ref w, v5, subscribe);
                break;
            case MqttSubAck subAck:
                w.WriteUInt16(subAck.PacketId);
                WritePropertiesIfV5(ref w, v5, packet.Properties, MqttPropertyScope.SubAck);
                foreach (MqttReasonCode code in subAck.ReasonCodes)
                {
                    w.WriteByte(v5 ? (byte)code : MqttReasonCodes.ToV311SubAckReturnCode(code));
                }

                break;
            case MqttUnsubscribe unsubscribe:
                w.WriteUInt16(unsubscribe.PacketId);
                WritePropertiesIfV5(ref w, v5, packet.Properties, MqttPropertyScope.Unsubscribe);
                foreach (string filter in unsubscribe.TopicFilters)
                {
                    w.WriteString(filter);
                }

                break;
            case MqttUnsubAck unsubAck:
                w.WriteUInt16(unsubAck.PacketId);
                if (v5)
                {
                    MqttPropertiesCodec.Write(ref w, packet.Properties, MqttPropertyScope.UnsubAck);
                    foreach (MqttReasonCode code in unsubAck.ReasonCodes)
                    {
                        w.WriteByte((byte)code);
                    }
                }

                break;
            case MqttDisconnect disconnect:
                if (v5)
                {
                    WriteOptionalReason(ref w, disconnect.ReasonCode, packet.Properties, MqttPropertyScope.Disconnect);
                }

                break;
            case MqttAuth auth:
                WriteOptionalReason(ref w, auth.ReasonCode, packet.Properties, MqttPropertyScope.Auth);
                break;
        }
    }

    private static void WriteConnect(ref MqttBodyWriter w, MqttProtocolVersion version, MqttConnect connect)
    {
        bool v5 = version == MqttProtocolVersion.V500;
        if (!v5 && connect.Password is not null && connect.UserName is null)
        {
            MqttThrow.InvalidOperation("MQTT 3.1.1 does not allow a password without a user name.");
        }

        int flags = connect.CleanStart ? 0x02 : 0;
        if (connect.Will is { } will)
        {
            flags |= 0x04 | ((int)will.Qos << 3) | (will.Retain ? 0x20 : 0);
        }

        flags |= connect.Password is null ? 0 : 0x40;
        flags |= connect.UserName is null ? 0 : 0x80;

        w.WriteBinary("MQTT"u8);
        w.WriteByte((byte)version);
        w.WriteByte((byte)flags);
        w.WriteUInt16(connect.KeepAliveSeconds);
        WritePropertiesIfV5(ref w, v5, connect.Properties, MqttPropertyScope.Connect);
        w.WriteString(connect.ClientId);
        if (connect.Will is { } w2)
        {
            WritePropertiesIfV5(ref w, v5, w2.Properties, MqttPropertyScope.Will);
            w.WriteString(w2.Topic);
            w.WriteBinary(w2.Payload);
        }

        if (connect.UserName is { } userName)
        {
            w.WriteString(userName);
        }

        if (connect.Password is { } password)
        {
            w.WriteBinary(password);
        }
    }

    private static void WriteSubscribe(ref MqttBodyWriter w, bool v5, MqttSubscribe subscribe)
    {
        w.WriteUInt16(subscribe.PacketId);
        WritePropertiesIfV5(ref w, v5, subscribe.Properties, MqttPropertyScope.Subscribe);
        foreach (MqttSubscription subscription in subscribe.Subscriptions)
        {
            w.WriteString(subscription.TopicFilter);
            MqttSubscriptionOptions o = subscription.Options;
            int options = (int)o.MaximumQos;
            if (v5)
            {
                options |= (o.NoLocal ? 0x04 : 0) | (o.RetainAsPublished ? 0x08 : 0) | ((int)o.RetainHandling << 4);
            }

            w.WriteByte((byte)options);
        }
    }

    // A Success reason without properties is omitted altogether; a reason without properties stands alone.
    private static void WriteOptionalReason(ref MqttBodyWriter w, MqttReasonCode reason, MqttProperties? properties, MqttPropertyScope scope)
    {
        if (reason == MqttReasonCode.Success && properties is null)
        {
            return;
        }

        w.WriteByte((byte)reason);
        if (properties is not null)
        {
            MqttPropertiesCodec.Write(ref w, properties, scope);
        }
    }

    private static void WritePropertiesIfV5(ref MqttBodyWriter w, bool v5, MqttProperties? properties, MqttPropertyScope scope)
    {
        if (v5)
        {
            MqttPropertiesCodec.Write(ref w, properties, scope);
        }
    }
}
