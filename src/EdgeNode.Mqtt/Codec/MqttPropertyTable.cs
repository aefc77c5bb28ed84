namespace EdgeNode.Mqtt.Codec;

/// <summary>The property table of MQTT 5.0 section 2.2.2.2: each identifier's type and the packets that allow it.</summary>
internal static class MqttPropertyTable
{
    private const MqttPropertyScope Acks = MqttPropertyScope.PubAck | MqttPropertyScope.PubRec | MqttPropertyScope.PubRel | MqttPropertyScope.PubComp;
    private const MqttPropertyScope Everywhere = MqttPropertyScope.Connect | MqttPropertyScope.ConnAck | MqttPropertyScope.Publish
        | MqttPropertyScope.Will | Acks | MqttPropertyScope.Subscribe | MqttPropertyScope.SubAck | MqttPropertyScope.Unsubscribe
        | MqttPropertyScope.UnsubAck | MqttPropertyScope.Disconnect | MqttPropertyScope.Auth;

    public const int MaxId = 0x2A;

    // Indexed by identifier; a None scope marks an identifier the specification does not define.
    private static readonly MqttPropertyScope[] Scopes = BuildScopes();
    private static readonly MqttPropertyType[] Types = BuildTypes();

    /// <summary>The type of a defined identifier, or false for an identifier the specification does not define.</summary>
    public static bool TryGet(int id, out MqttPropertyType type, out MqttPropertyScope allowedIn)
    {
        if ((uint)id > MaxId || Scopes[id] == MqttPropertyScope.None)
        {
            type = default;
            allowedIn = MqttPropertyScope.None;
            return false;
        }

        type = Types[id];
        allowedIn = Scopes[id];
        return true;
    }

    /// <summary>User Property may repeat anywhere; Subscription Identifier may repeat only in PUBLISH.</summary>
    public static bool MayRepeat(MqttPropertyId id, MqttPropertyScope scope) =>
        id == MqttPropertyId.UserProperty || (id == MqttPropertyId.SubscriptionIdentifier && scope == MqttPropertyScope.Publish);

    private static MqttPropertyScope[] BuildScopes()
    {
        var s = new MqttPropertyScope[MaxId + 1];
        s[0x01] = MqttPropertyScope.Publish | MqttPropertyScope.Will;
        s[0x02] = MqttPropertyScope.Publish | MqttPropertyScope.Will;
        s[0x03] = MqttPropertyScope.Publish | MqttPropertyScope.Will;
        s[0x08] = MqttPropertyScope.Publish | MqttPropertyScope.Will;
        s[0x09] = MqttPropertyScope.Publish | MqttPropertyScope.Will;
        s[0x0B] = MqttPropertyScope.Publish | MqttPropertyScope.Subscribe;
        s[0x11] = MqttPropertyScope.Connect | MqttPropertyScope.ConnAck | MqttPropertyScope.Disconnect;
        s[0x12] = MqttPropertyScope.ConnAck;
        s[0x13] = MqttPropertyScope.ConnAck;
        s[0x15] = MqttPropertyScope.Connect | MqttPropertyScope.ConnAck | MqttPropertyScope.Auth;
        s[0x16] = MqttPropertyScope.Connect | MqttPropertyScope.ConnAck | MqttPropertyScope.Auth;
        s[0x17] = MqttPropertyScope.Connect;
        s[0x18] = MqttPropertyScope.Will;
        s[0x19] = MqttPropertyScope.Connect;
        s[0x1A] = MqttPropertyScope.ConnAck;
        s[0x1C] = MqttPropertyScope.ConnAck | MqttPropertyScope.Disconnect;
        s[0x1F] = MqttPropertyScope.ConnAck | Acks | MqttPropertyScope.SubAck | MqttPropertyScope.UnsubAck | MqttPropertyScope.Disconnect | MqttPropertyScope.Auth;
        s[0x21] = MqttPropertyScope.Connect | MqttPropertyScope.ConnAck;
        s[0x22] = MqttPropertyScope.Connect | MqttPropertyScope.ConnAck;
        s[0x23] = MqttPropertyScope.Publish;
        s[0x24] = MqttPropertyScope.ConnAck;
        s[0x25] = MqttPropertyScope.ConnAck;
        s[0x26] = Everywhere;
        s[0x27] = MqttPropertyScope.Connect | MqttPropertyScope.ConnAck;
        s[0x28] = MqttPropertyScope.ConnAck;
        s[0x29] = MqttPropertyScope.ConnAck;
        s[0x2A] = MqttPropertyScope.ConnAck;
        return s;
    }

    private static MqttPropertyType[] BuildTypes()
    {
        var t = new MqttPropertyType[MaxId + 1];
        t[0x01] = MqttPropertyType.Byte;
        t[0x02] = MqttPropertyType.FourByteInteger;
        t[0x03] = MqttPropertyType.Utf8String;
        t[0x08] = MqttPropertyType.Utf8String;
        t[0x09] = MqttPropertyType.BinaryData;
        t[0x0B] = MqttPropertyType.VariableByteInteger;
        t[0x11] = MqttPropertyType.FourByteInteger;
        t[0x12] = MqttPropertyType.Utf8String;
        t[0x13] = MqttPropertyType.TwoByteInteger;
        t[0x15] = MqttPropertyType.Utf8String;
        t[0x16] = MqttPropertyType.BinaryData;
        t[0x17] = MqttPropertyType.Byte;
        t[0x18] = MqttPropertyType.FourByteInteger;
        t[0x19] = MqttPropertyType.Byte;
        t[0x1A] = MqttPropertyType.Utf8String;
        t[0x1C] = MqttPropertyType.Utf8String;
        t[0x1F] = MqttPropertyType.Utf8String;
        t[0x21] = MqttPropertyType.TwoByteInteger;
        t[0x22] = MqttPropertyType.TwoByteInteger;
        t[0x23] = MqttPropertyType.TwoByteInteger;
        t[0x24] = MqttPropertyType.Byte;
        t[0x25] = MqttPropertyType.Byte;
        t[0x26] = MqttPropertyType.Utf8StringPair;
        t[0x27] = MqttPropertyType.FourByteInteger;
        t[0x28] = MqttPropertyType.Byte;
        t[0x29] = MqttPropertyType.Byte;
        t[0x2A] = MqttPropertyType.Byte;
        return t;
    }
}
