namespace EdgeNode.Mqtt.Codec;

/// <summary>
/// The MQTT 5.0 properties of a control packet (CONNECT, CONNACK, will, SUBSCRIBE, acks, DISCONNECT, AUTH).
/// A null member was absent. Control packets are rare enough that a plain object is the simple choice;
/// PUBLISH uses the allocation-free <see cref="MqttPublishProperties"/> instead.
/// </summary>
public sealed class MqttProperties
{
    public MqttPayloadFormat? PayloadFormatIndicator { get; set; }

    public uint? MessageExpiryInterval { get; set; }

    public string? ContentType { get; set; }

    public string? ResponseTopic { get; set; }

    public byte[]? CorrelationData { get; set; }

    /// <summary>In SUBSCRIBE, the identifier to attach to matching messages (1 to 268,435,455).</summary>
    public uint? SubscriptionIdentifier { get; set; }

    public uint? SessionExpiryInterval { get; set; }

    public string? AssignedClientIdentifier { get; set; }

    public ushort? ServerKeepAlive { get; set; }

    public string? AuthenticationMethod { get; set; }

    public byte[]? AuthenticationData { get; set; }

    public bool? RequestProblemInformation { get; set; }

    public uint? WillDelayInterval { get; set; }

    public bool? RequestResponseInformation { get; set; }

    public string? ResponseInformation { get; set; }

    public string? ServerReference { get; set; }

    public string? ReasonString { get; set; }

    public ushort? ReceiveMaximum { get; set; }

    public ushort? TopicAliasMaximum { get; set; }

    public MqttQos? MaximumQos { get; set; }

    public bool? RetainAvailable { get; set; }

    public uint? MaximumPacketSize { get; set; }

    public bool? WildcardSubscriptionAvailable { get; set; }

    public bool? SubscriptionIdentifierAvailable { get; set; }

    public bool? SharedSubscriptionAvailable { get; set; }

    public List<MqttUserProperty> UserProperties { get; } = [];
}
