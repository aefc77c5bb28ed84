namespace EdgeNode.Core.Configuration;

/// <summary>The Mqtt section. Read by OptionsReader.Mqtt.cs.</summary>
public sealed record MqttOptions
{
    public required int Port { get; init; }
    public required int TlsPort { get; init; }
}
