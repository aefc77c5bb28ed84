namespace EdgeNode.Mqtt.Codec;

/// <summary>MQTT 5.0 property identifiers (section 2.2.2.2).</summary>
public enum MqttPropertyId : byte
{
    PayloadFormatIndicator = 0x01,
    MessageExpiryInterval = 0x02,
    ContentType = 0x03,
    ResponseTopic = 0x08,
    CorrelationData = 0x09,
    SubscriptionIdentifier = 0x0B,
    SessionExpiryInterval = 0x11,
    AssignedClientIdentifier = 0x12,
    ServerKeepAlive = 0x13,
    AuthenticationMethod = 0x15,
    AuthenticationData = 0x16,
    RequestProblemInformation = 0x17,
    WillDelayInterval = 0x18,
    RequestResponseInformation = 0x19,
    ResponseInformation = 0x1A,
    ServerReference = 0x1C,
    ReasonString = 0x1F,
    ReceiveMaximum = 0x21,
    TopicAliasMaximum = 0x22,
    TopicAlias = 0x23,
    MaximumQos = 0x24,
    RetainAvailable = 0x25,
    UserProperty = 0x26,
    MaximumPacketSize = 0x27,
    WildcardSubscriptionAvailable = 0x28,
    SubscriptionIdentifierAvailable = 0x29,
    SharedSubscriptionAvailable = 0x2A,
}

/// <summary>How a property value is coded on the wire (section 1.5).</summary>
public enum MqttPropertyType : byte
{
    Byte,
    TwoByteInteger,
    FourByteInteger,
    VariableByteInteger,
    Utf8String,
    BinaryData,
    Utf8StringPair,
}

/// <summary>The places a property block occurs; one bit each so that the table can hold a set.</summary>
[Flags]
public enum MqttPropertyScope : ushort
{
    None = 0,
    Connect = 1 << 0,
    ConnAck = 1 << 1,
    Publish = 1 << 2,
    Will = 1 << 3,
    PubAck = 1 << 4,
    PubRec = 1 << 5,
    PubRel = 1 << 6,
    PubComp = 1 << 7,
    Subscribe = 1 << 8,
    SubAck = 1 << 9,
    Unsubscribe = 1 << 10,
    UnsubAck = 1 << 11,
    Disconnect = 1 << 12,
    Auth = 1 << 13,
}
