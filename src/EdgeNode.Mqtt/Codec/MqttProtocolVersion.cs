namespace EdgeNode.Mqtt.Codec;

/// <summary>The protocol level byte of CONNECT; it decides how every later packet of the connection is coded.</summary>
public enum MqttProtocolVersion : byte
{
    /// <summary>Not known yet: the connection has not sent its CONNECT.</summary>
    Unknown = 0,

    /// <summary>MQTT 3.1 ("MQIsdp"). Recognised only so that a CONNECT can be answered "unacceptable protocol version".</summary>
    V310 = 3,

    /// <summary>MQTT 3.1.1.</summary>
    V311 = 4,

    /// <summary>MQTT 5.0.</summary>
    V500 = 5,
}
