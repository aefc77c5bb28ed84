namespace EdgeNode.Mqtt.Codec;

public sealed class MqttConnect : MqttControlPacket
{
    public override MqttPacketType Type => MqttPacketType.Connect;

    /// <summary>Set by the reader from the level byte; the writer uses its own version argument instead.</summary>
    public MqttProtocolVersion ProtocolVersion { get; set; } = MqttProtocolVersion.V500;

    /// <summary>May be empty: the server then assigns one (5.0) or requires a clean session (3.1.1).</summary>
    public string ClientId { get; set; } = string.Empty;

    /// <summary>Clean Start in 5.0, Clean Session in 3.1.1.</summary>
    public bool CleanStart { get; set; }

    public ushort KeepAliveSeconds { get; set; }

    public string? UserName { get; set; }

    public byte[]? Password { get; set; }

    public MqttWill? Will { get; set; }
}

public sealed class MqttWill
{
    public string Topic { get; set; } = string.Empty;

    public byte[] Payload { get; set; } = [];

    public MqttQos Qos { get; set; }

    public bool Retain { get; set; }

    /// <summary>MQTT 5.0 Will Properties (Will Delay Interval, Message Expiry, Content Type, ...).</summary>
    public MqttProperties? Properties { get; set; }
}
