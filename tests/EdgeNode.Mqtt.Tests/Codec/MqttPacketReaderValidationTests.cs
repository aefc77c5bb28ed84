using EdgeNode.Mqtt.Codec;
using EdgeNode.Mqtt.Tests.Codec.Support;

namespace EdgeNode.Mqtt.Tests.Codec;

public class MqttPacketReaderValidationTests
{
    private const MqttProtocolVersion V3 = MqttProtocolVersion.V311;
    private const MqttProtocolVersion V5 = MqttProtocolVersion.V500;

    [Theory]
    [InlineData("30 05 00 03 61 FF 62")]       // 0xFF never occurs in UTF-8
    [InlineData("30 05 00 03 61 00 62")]       // U+0000
    [InlineData("30 05 00 03 ED A0 80")]       // U+D800, a surrogate, encoded as UTF-8
    [InlineData("30 05 00 03 C0 AF 62")]       // overlong '/'
    [InlineData("30 04 00 02 61 E2")]          // truncated sequence
    public void TryRead_PublishTopicNotValidUtf8_IsMalformed(string hex)
    {
        Assert.Equal(MqttReasonCode.MalformedPacket, PacketCodec.ReadFails(Hex.Parse(hex), V3).ReasonCode);
    }

    [Fact]
    public void TryRead_PublishTopicWithControlCharacter_IsAccepted()
    {
        // U+0001 and U+0085 are "SHOULD NOT" in the specification, not malformed.
        MqttPublish publish = PacketCodec.ReadOne(Hex.Parse("30 06 00 04 61 01 C2 85"), V3).Publish;
        Assert.Equal(4, publish.Topic.Length);
    }

    [Theory]
    [InlineData("30 05 00 03 61 2F 2B")]
    [InlineData("30 05 00 03 61 2F 23")]
    public void TryRead_PublishTopicWithWildcard_IsTopicNameInvalid(string hex)
    {
        Assert.Equal(MqttReasonCode.TopicNameInvalid, PacketCodec.ReadFails(Hex.Parse(hex), V3).ReasonCode);
    }

    [Theory]
    [InlineData("36 07 00 03 61 2F 62 00 01")] // PUBLISH QoS 3
    [InlineData("38 05 00 03 61 2F 62")]       // DUP on QoS 0
    [InlineData("41 02 00 01")]                // PUBACK flags 0001
    [InlineData("60 02 00 01")]                // PUBREL flags 0000
    [InlineData("80 06 00 01 00 01 61 00")]    // SUBSCRIBE flags 0000
    [InlineData("A0 05 00 01 00 01 61")]       // UNSUBSCRIBE flags 0000
    [InlineData("C1 00")]                      // PINGREQ flags 0001
    [InlineData("C0 01 00")]                   // PINGREQ with a body
    [InlineData("00 00")]                      // type 0 is reserved
    [InlineData("F0 00")]                      // AUTH does not exist in 3.1.1
    [InlineData("E0 01 00")]                   // 3.1.1 DISCONNECT has no body
    [InlineData("40 03 00 01 00")]             // 3.1.1 PUBACK has exactly 2 bytes
    [InlineData("82 06 00 01 00 01 61 04")]    // 3.1.1 requested-QoS reserved bits
    [InlineData("82 06 00 01 00 01 61 03")]    // requested QoS 3
    [InlineData("30 04 00 05 61 62")]          // string length past the end
    [InlineData("20 02 02 00")]                // CONNACK reserved acknowledge flag
    public void TryRead_ReservedBitsOrBadShape_IsMalformed(string hex)
    {
        Assert.Equal(MqttReasonCode.MalformedPacket, PacketCodec.ReadFails(Hex.Parse(hex), V3).ReasonCode);
    }

    [Theory]
    [InlineData("32 07 00 03 61 2F 62 00 00")] // QoS 1 with packet id 0
    [InlineData("82 02 00 01")]                // SUBSCRIBE without filters
    [InlineData("A2 02 00 01")]                // UNSUBSCRIBE without filters
    [InlineData("40 02 00 00")]                // PUBACK for packet id 0
    [InlineData("20 02 00 06")]                // reserved CONNACK return code
    [InlineData("20 02 01 05")]                // a refusal cannot have a session
    public void TryRead_ProtocolViolationV311_IsProtocolError(string hex)
    {
        Assert.Equal(MqttReasonCode.ProtocolError, PacketCodec.ReadFails(Hex.Parse(hex), V3).ReasonCode);
    }

    [Theory]
    [InlineData("30 0A 00 03 61 2F 62 04 01 01 01 00")]                   // payload format indicator twice
    [InlineData("30 0E 00 03 61 2F 62 08 02 00 00 00 01 02 00 00 00 02")] // message expiry twice
    [InlineData("82 0B 00 01 04 0B 01 0B 02 00 01 61 00")]                // subscription identifier twice in SUBSCRIBE
    [InlineData("82 03 00 01 00")]                                        // SUBSCRIBE without filters
    [InlineData("82 07 00 01 00 00 01 61 30")]                            // retain handling 3
    [InlineData("82 07 00 01 00 00 01 61 03")]                            // maximum QoS 3
    [InlineData("82 0E 00 01 00 00 08 24 73 68 61 72 65 2F 67 04")]       // No Local on "$share/g" (shared)
    [InlineData("30 03 00 00 00")]                                        // no topic and no alias
    [InlineData("30 08 00 03 61 2F 62 02 01 02")]                         // payload format indicator 2
    [InlineData("40 03 00 07 92")]                                        // PUBACK cannot say packet id not found
    [InlineData("62 03 00 07 10")]                                        // PUBREL cannot say no matching subscribers
    [InlineData("E0 01 05")]                                              // 0x05 is no DISCONNECT reason
    [InlineData("F0 01 01")]                                              // 0x01 is no AUTH reason
    [InlineData("10 10 00 04 4D 51 54 54 05 02 00 3C 03 21 00 00 00 00")] // receive maximum 0
    public void TryRead_ProtocolViolationV5_IsProtocolError(string hex)
    {
        Assert.Equal(MqttReasonCode.ProtocolError, PacketCodec.ReadFails(Hex.Parse(hex), V5).ReasonCode);
    }

    [Theory]
    [InlineData("30 0B 00 03 61 2F 62 05 11 00 00 00 01")]    // session expiry interval is not a PUBLISH property
    [InlineData("30 08 00 03 61 2F 62 02 05 00")]             // 0x05 is no property at all
    [InlineData("30 08 00 03 61 2F 62 09 01 01")]             // property length past the end
    [InlineData("82 07 00 01 00 00 01 61 C0")]                // reserved subscription option bits
    [InlineData("40 05 00 07 00 01 01")]                      // PUBACK with a PUBLISH property
    [InlineData("40 06 00 07 00 00 00 00")]                   // bytes after the PUBACK properties
    [InlineData("20 03 00 00 01")]                            // CONNACK property length past the end
    public void TryRead_BadPropertiesV5_IsMalformed(string hex)
    {
        Assert.Equal(MqttReasonCode.MalformedPacket, PacketCodec.ReadFails(Hex.Parse(hex), V5).ReasonCode);
    }

    [Fact]
    public void TryRead_TopicAliasZero_IsTopicAliasInvalid()
    {
        Assert.Equal(MqttReasonCode.TopicAliasInvalid, PacketCodec.ReadFails(Hex.Parse("30 09 00 03 61 2F 62 03 23 00 00"), V5).ReasonCode);
    }

    [Fact]
    public void TryRead_EmptyTopicWithAlias_IsAccepted()
    {
        MqttPublish publish = PacketCodec.ReadOne(Hex.Parse("30 06 00 00 03 23 00 05"), V5).Publish;
        Assert.True(publish.Topic.IsEmpty);
        Assert.Equal(5, publish.Properties.TopicAlias);
    }

    [Fact]
    public void TryRead_SubscriptionIdentifiersInPublish_MayRepeat()
    {
        MqttPublish publish = PacketCodec.ReadOne(Hex.Parse("30 0A 00 03 61 2F 62 04 0B 01 0B 02"), V5).Publish;
        Assert.Equal(2, publish.Properties.SubscriptionIdentifierCount);
    }

    [Fact]
    public void TryRead_FirstPacketNotConnect_IsProtocolError()
    {
        Assert.Equal(MqttReasonCode.ProtocolError, PacketCodec.ReadFails(GoldenPackets.V311PublishQos0, MqttProtocolVersion.Unknown).ReasonCode);
    }

    [Theory]
    [InlineData("10 0C 00 04 4D 51 54 54 04 03 00 3C 00 00")]       // reserved CONNECT flag
    [InlineData("10 0C 00 04 4D 51 54 54 04 1A 00 3C 00 00")]       // will QoS 3
    [InlineData("10 0C 00 04 4D 51 54 54 04 22 00 3C 00 00")]       // will retain without a will
    [InlineData("10 0F 00 04 4D 51 54 54 04 42 00 3C 00 00 00 01 70")] // 3.1.1 password without user name
    [InlineData("10 0D 00 04 4D 51 54 54 04 02 00 3C 00 00 00")]    // a byte after the last field
    public void TryRead_BadConnect_IsMalformed(string hex)
    {
        Assert.Equal(MqttReasonCode.MalformedPacket, PacketCodec.ReadFails(Hex.Parse(hex), MqttProtocolVersion.Unknown).ReasonCode);
    }

    [Fact]
    public void TryRead_ConnectLevel6_ThrowsUnsupportedVersion()
    {
        var error = Assert.IsType<MqttUnsupportedProtocolVersionException>(
            PacketCodec.ReadFails(Hex.Parse("10 0C 00 04 4D 51 54 54 06 02 00 3C 00 00"), MqttProtocolVersion.Unknown));
        Assert.Equal(6, error.ProtocolLevel);
    }

    [Fact]
    public void TryRead_V5ConnectAuthenticationDataWithoutMethod_IsProtocolError()
    {
        // Properties: Authentication Data (0x16) = AA, and no Authentication Method (0x15).
        byte[] connect = Hex.Parse("10 14 00 04 4D 51 54 54 05 42 00 3C 04 16 00 01 AA 00 00 00 01 70");
        Assert.Equal(MqttReasonCode.ProtocolError, PacketCodec.ReadFails(connect, MqttProtocolVersion.Unknown).ReasonCode);
    }

    [Fact]
    public void TryRead_V5ConnectAuthenticationDataWithMethod_IsAccepted()
    {
        // Authentication Method (0x15) = "M", then Authentication Data (0x16) = AA.
        byte[] bytes = Hex.Parse("10 18 00 04 4D 51 54 54 05 42 00 3C 08 15 00 01 4D 16 00 01 AA 00 00 00 01 70");
        var connect = Assert.IsType<MqttConnect>(PacketCodec.ReadOne(bytes, MqttProtocolVersion.Unknown).Control);
        Assert.Equal("M", connect.Properties!.AuthenticationMethod);
        Assert.Equal([0xAA], connect.Properties.AuthenticationData);
    }

    [Fact]
    public void TryRead_V5ConnectPasswordWithoutUserName_IsAccepted()
    {
        var connect = Assert.IsType<MqttConnect>(PacketCodec.ReadOne(Hex.Parse("10 10 00 04 4D 51 54 54 05 42 00 3C 00 00 00 00 01 70"), MqttProtocolVersion.Unknown).Control);
        Assert.Null(connect.UserName);
        Assert.Equal("p"u8.ToArray(), connect.Password);
    }
}
