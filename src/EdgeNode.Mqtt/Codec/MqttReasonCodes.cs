namespace EdgeNode.Mqtt.Codec;

/// <summary>
/// Which reason codes each MQTT 5.0 packet may carry (the tables of sections 3.2 to 3.15), and the
/// mapping to the six MQTT 3.1.1 CONNACK return codes and four SUBACK return codes.
/// </summary>
public static class MqttReasonCodes
{
    public static bool IsValidForConnAck(MqttReasonCode code) => (byte)code switch
    {
        0x00 or 0x80 or 0x81 or 0x82 or 0x83 or 0x84 or 0x85 or 0x86 or 0x87 or 0x88 or 0x89 or 0x8A
            or 0x8C or 0x90 or 0x95 or 0x97 or 0x99 or 0x9A or 0x9B or 0x9C or 0x9D or 0x9F => true,
        _ => false,
    };

    public static bool IsValidForPubAckOrPubRec(MqttReasonCode code) => (byte)code switch
    {
        0x00 or 0x10 or 0x80 or 0x83 or 0x87 or 0x90 or 0x91 or 0x97 or 0x99 => true,
        _ => false,
    };

    public static bool IsValidForPubRelOrPubComp(MqttReasonCode code) => code is MqttReasonCode.Success or MqttReasonCode.PacketIdentifierNotFound;

    public static bool IsValidForSubAck(MqttReasonCode code) => (byte)code switch
    {
        0x00 or 0x01 or 0x02 or 0x80 or 0x83 or 0x87 or 0x8F or 0x91 or 0x97 or 0x9E or 0xA1 or 0xA2 => true,
        _ => false,
    };

    public static bool IsValidForUnsubAck(MqttReasonCode code) => (byte)code switch
    {
        0x00 or 0x11 or 0x80 or 0x83 or 0x87 or 0x8F or 0x91 => true,
        _ => false,
    };

    public static bool IsValidForDisconnect(MqttReasonCode code) => (byte)code switch
    {
        0x00 or 0x04 or 0x80 or 0x81 or 0x82 or 0x83 or 0x87 or 0x89 or 0x8B or 0x8D or 0x8E or 0x8F or 0x90
            or 0x93 or 0x94 or 0x95 or 0x96 or 0x97 or 0x98 or 0x99 or 0x9A or 0x9B or 0x9C or 0x9D or 0x9E
            or 0x9F or 0xA0 or 0xA1 or 0xA2 => true,
        _ => false,
    };

    public static bool IsValidForAuth(MqttReasonCode code) =>
        code is MqttReasonCode.Success or MqttReasonCode.ContinueAuthentication or MqttReasonCode.ReAuthenticate;

    /// <summary>
    /// The MQTT 3.1.1 CONNACK return code for a reason. 3.1.1 has no general failure code, so
    /// every reason without its own return code becomes 3, "server unavailable".
    /// </summary>
    public static byte ToV311ConnectReturnCode(MqttReasonCode code) => code switch
    {
        MqttReasonCode.Success => 0,
        MqttReasonCode.UnsupportedProtocolVersion => 1,
        MqttReasonCode.ClientIdentifierNotValid => 2,
        MqttReasonCode.BadUserNameOrPassword => 4,
        MqttReasonCode.NotAuthorized => 5,
        _ => 3,
    };

    /// <summary>The reason for an MQTT 3.1.1 CONNACK return code, or false for the reserved values 6-255.</summary>
    public static bool TryFromV311ConnectReturnCode(byte returnCode, out MqttReasonCode code)
    {
        code = returnCode switch
        {
            0 => MqttReasonCode.Success,
            1 => MqttReasonCode.UnsupportedProtocolVersion,
            2 => MqttReasonCode.ClientIdentifierNotValid,
            3 => MqttReasonCode.ServerUnavailable,
            4 => MqttReasonCode.BadUserNameOrPassword,
            5 => MqttReasonCode.NotAuthorized,
            _ => MqttReasonCode.UnspecifiedError,
        };
        return returnCode <= 5;
    }

    /// <summary>MQTT 3.1.1 SUBACK knows only the granted QoS and 0x80 failure.</summary>
    public static byte ToV311SubAckReturnCode(MqttReasonCode code) =>
        code is MqttReasonCode.GrantedQos0 or MqttReasonCode.GrantedQos1 or MqttReasonCode.GrantedQos2 ? (byte)code : (byte)0x80;
}
