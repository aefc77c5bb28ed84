namespace EdgeNode.Core.Configuration;

public sealed partial class OptionsReader
{
    private static readonly string[] MqttKeys = ["Port", "TlsPort"];

    private MqttOptions ReadMqtt() => new()
    {
        Port = ReadPort("Mqtt:Port", 1883),
        TlsPort = ReadPort("Mqtt:TlsPort", 8883),
    };
}
