using System.Buffers;

namespace EdgeNode.Mqtt.Codec;

/// <summary>Reads a property block into <see cref="MqttProperties"/> and writes one back, in identifier order.</summary>
internal static class MqttPropertiesCodec
{
    /// <summary>Reads Property Length and the block; null when the block is empty, so packets without properties allocate nothing for them.</summary>
    public static MqttProperties? Read(ref SequenceReader<byte> reader, MqttPropertyScope scope)
    {
        ReadOnlySequence<byte> block = ReadBlock(ref reader);
        if (block.IsEmpty)
        {
            return null;
        }

        var result = new MqttProperties();
        var properties = new MqttPropertyReader(block, scope);
        while (properties.TryRead(out MqttProperty p))
        {
            Apply(result, p);
        }

        return result;
    }

    /// <summary>The property block as a view after checking that its declared length fits in the packet.</summary>
    public static ReadOnlySequence<byte> ReadBlock(ref SequenceReader<byte> reader)
    {
        int length = MqttWireReader.ReadVariableByteInteger(ref reader);
        if (reader.Remaining < length)
        {
            MqttThrow.Malformed("The property length runs past the end of the packet.");
        }

        ReadOnlySequence<byte> block = reader.Sequence.Slice(reader.Position, length);
        reader.Advance(length);
        return block;
    }

    private static void Apply(MqttProperties target, in MqttProperty p)
    {
        switch (p.Id)
        {
            case MqttPropertyId.PayloadFormatIndicator: target.PayloadFormatIndicator = (MqttPayloadFormat)p.Integer; break;
            case MqttPropertyId.MessageExpiryInterval: target.MessageExpiryInterval = p.Integer; break;
            case MqttPropertyId.ContentType: target.ContentType = Text(p.Value); break;
            case MqttPropertyId.ResponseTopic: target.ResponseTopic = Text(p.Value); break;
            case MqttPropertyId.CorrelationData: target.CorrelationData = p.Value.ToArray(); break;
            case MqttPropertyId.SubscriptionIdentifier: target.SubscriptionIdentifier = p.Integer; break;
            case MqttPropertyId.SessionExpiryInterval: target.SessionExpiryInterval = p.Integer; break;
            case MqttPropertyId.AssignedClientIdentifier: target.AssignedClientIdentifier = Text(p.Value); break;
            case MqttPropertyId.ServerKeepAlive: target.ServerKeepAlive = (ushort)p.Integer; break;
            case MqttPropertyId.AuthenticationMethod: target.AuthenticationMethod = Text(p.Value); break;
            case MqttPropertyId.AuthenticationData: target.AuthenticationData = p.Value.ToArray(); break;
            case MqttPropertyId.RequestProblemInformation: target.RequestProblemInformation = p.Integer != 0; break;
            case MqttPropertyId.WillDelayInterval: target.WillDelayInterval = p.Integer; break;
            case MqttPropertyId.RequestResponseInformation: target.RequestResponseInformation = p.Integer != 0; break;
            case MqttPropertyId.ResponseInformation: target.ResponseInformation = Text(p.Value); break;
            case MqttPropertyId.ServerReference: target.ServerReference = Text(p.Value); break;
            case MqttPropertyId.ReasonString: target.ReasonString = Text(p.Value); break;
            case MqttPropertyId.ReceiveMaximum: target.ReceiveMaximum = (ushort)p.Integer; break;
            case MqttPropertyId.TopicAliasMaximum: target.TopicAliasMaximum = (ushort)p.Integer; break;
            case MqttPropertyId.MaximumQos: target.MaximumQos = (MqttQos)p.Integer; break;
            case MqttPropertyId.RetainAvailable: target.RetainAvailable = p.Integer != 0; break;
            case MqttPropertyId.UserProperty: target.UserProperties.Add(new MqttUserProperty(Text(p.Value), Text(p.PairValue))); break;
            case MqttPropertyId.MaximumPacketSize: target.MaximumPacketSize = p.Integer; break;
            case MqttPropertyId.WildcardSubscriptionAvailable: target.WildcardSubscriptionAvailable = p.Integer != 0; break;
            case MqttPropertyId.SubscriptionIdentifierAvailable: target.SubscriptionIdentifierAvailable = p.Integer != 0; break;
            case MqttPropertyId.SharedSubscriptionAvailable: target.SharedSubscriptionAvailable = p.Integer != 0; break;

            // Topic Alias only occurs in PUBLISH, which never decodes into this type.
            default: break;
        }
    }

    private static string Text(in ReadOnlySequence<byte> value) => MqttWireReader.ToText(value);

    /// <summary>Writes Property Length then the properties; an absent or empty set is the single byte 0.</summary>
    public static void Write(ref MqttBodyWriter writer, MqttProperties? properties, MqttPropertyScope scope)
    {
        if (properties is null)
        {
            writer.WriteVariableByteInteger(0);
            return;
        }

        MqttBodyWriter measure = MqttBodyWriter.Measuring();
        WriteBody(ref measure, properties, scope);
        writer.WriteVariableByteInteger(measure.Position);
        WriteBody(ref writer, properties, scope);
    }

    private static void WriteBody(ref MqttBodyWriter w, MqttProperties p, MqttPropertyScope scope)
    {
        if (p.PayloadFormatIndicator is { } pfi) { Id(ref w, MqttPropertyId.PayloadFormatIndicator, scope); w.WriteByte((byte)pfi); }
        if (p.MessageExpiryInterval is { } mei) { Id(ref w, MqttPropertyId.MessageExpiryInterval, scope); w.WriteUInt32(mei); }
        if (p.ContentType is { } ct) { Id(ref w, MqttPropertyId.ContentType, scope); w.WriteString(ct); }
        if (p.ResponseTopic is { } rt) { Id(ref w, MqttPropertyId.ResponseTopic, scope); w.WriteString(rt); }
        if (p.CorrelationData is { } cd) { Id(ref w, MqttPropertyId.CorrelationData, scope); w.WriteBinary(cd); }
        if (p.SubscriptionIdentifier is { } si) { Id(ref w, MqttPropertyId.SubscriptionIdentifier, scope); w.WriteVariableByteInteger(checked((int)si)); }
        if (p.SessionExpiryInterval is { } sei) { Id(ref w, MqttPropertyId.SessionExpiryInterval, scope); w.WriteUInt32(sei); }
        if (p.AssignedClientIdentifier is { } aci) { Id(ref w, MqttPropertyId.AssignedClientIdentifier, scope); w.WriteString(aci); }
        if (p.ServerKeepAlive is { } ska) { Id(ref w, MqttPropertyId.ServerKeepAlive, scope); w.WriteUInt16(ska); }
        if (p.AuthenticationMethod is { } am) { Id(ref w, MqttPropertyId.AuthenticationMethod, scope); w.WriteString(am); }
        if (p.AuthenticationData is { } ad) { Id(ref w, MqttPropertyId.AuthenticationData, scope); w.WriteBinary(ad); }
        if (p.RequestProblemInformation is { } rpi) { Id(ref w, MqttPropertyId.RequestProblemInformation, scope); w.WriteByte(rpi ? (byte)1 : (byte)0); }
        if (p.WillDelayInterval is { } wdi) { Id(ref w, MqttPropertyId.WillDelayInterval, scope); w.WriteUInt32(wdi); }
        if (p.RequestResponseInformation is { } rri) { Id(ref w, MqttPropertyId.RequestResponseInformation, scope); w.WriteByte(rri ? (byte)1 : (byte)0); }
        if (p.ResponseInformation is { } ri) { Id(ref w, MqttPropertyId.ResponseInformation, scope); w.WriteString(ri); }
        if (p.ServerReference is { } sr) { Id(ref w, MqttPropertyId.ServerReference, scope); w.WriteString(sr); }
        if (p.ReasonString is { } rs) { Id(ref w, MqttPropertyId.ReasonString, scope); w.WriteString(rs); }
        if (p.ReceiveMaximum is { } rm) { Id(ref w, MqttPropertyId.ReceiveMaximum, scope); w.WriteUInt16(rm); }
        if (p.TopicAliasMaximum is { } tam) { Id(ref w, MqttPropertyId.TopicAliasMaximum, scope); w.WriteUInt16(tam); }
        if (p.MaximumQos is { } mq) { Id(ref w, MqttPropertyId.MaximumQos, scope); w.WriteByte((byte)mq); }
        if (p.RetainAvailable is { } ra) { Id(ref w, MqttPropertyId.RetainAvailable, scope); w.WriteByte(ra ? (byte)1 : (byte)0); }
        foreach (MqttUserProperty up in p.UserProperties)
        {
            Id(ref w, MqttPropertyId.UserProperty, scope);
            w.WriteString(up.Name);
            w.WriteString(up.Value);
        }

        if (p.MaximumPacketSize is { } mps) { Id(ref w, MqttPropertyId.MaximumPacketSize, scope); w.WriteUInt32(mps); }
        if (p.WildcardSubscriptionAvailable is { } wsa) { Id(ref w, MqttPropertyId.WildcardSubscriptionAvailable, scope); w.WriteByte(wsa ? (byte)1 : (byte)0); }
        if (p.SubscriptionIdentifierAvailable is { } sia) { Id(ref w, MqttPropertyId.SubscriptionIdentifierAvailable, scope); w.WriteByte(sia ? (byte)1 : (byte)0); }
        if (p.SharedSubscriptionAvailable is { } ssa) { Id(ref w, MqttPropertyId.SharedSubscriptionAvailable, scope); w.WriteByte(ssa ? (byte)1 : (byte)0); }
    }

    // Writing a property the packet may not carry is our bug, not the peer's, so it is an exception for us.
    private static void Id(ref MqttBodyWriter w, MqttPropertyId id, MqttPropertyScope scope)
    {
        MqttPropertyTable.TryGet((int)id, out _, out MqttPropertyScope allowedIn);
        if ((allowedIn & scope) == 0)
        {
            MqttThrow.InvalidOperation("A property is set that this packet may not carry.");
        }

        w.WriteByte((byte)id);
    }
}
