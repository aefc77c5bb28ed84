using System.Buffers;
using System.IO.Pipelines;
using EdgeNode.Mqtt.Codec;
using EdgeNode.Mqtt.Tests.Codec.Support;

namespace EdgeNode.Mqtt.Tests.Codec;

public class MqttPacketWriterTests
{
    [Fact]
    public async Task WritePublish_LargeSegmentedPayloadIntoPipe_ReadsBackWhole()
    {
        byte[] payload = new byte[300_000];
        new Random(3).NextBytes(payload);
        ReadOnlySequence<byte> segmented = Segments.Split(payload, 1000, 70_000, 250_001);
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0));

        MqttPacketWriter.WritePublish(pipe.Writer, MqttProtocolVersion.V500, new MqttPublishHeader(MqttQos.ExactlyOnce, 9), "big/one"u8, segmented);
        await pipe.Writer.FlushAsync();
        await pipe.Writer.CompleteAsync();

        ReadResult result = await pipe.Reader.ReadAtLeastAsync(payload.Length + 20);
        var reader = new MqttPacketReader(MqttFixedHeader.MaxPacketSize, MqttProtocolVersion.V500);
        Assert.True(reader.TryRead(result.Buffer, out MqttPacket packet, out SequencePosition consumed, out _));
        Assert.Equal(result.Buffer.End, consumed);
        Assert.Equal(MqttQos.ExactlyOnce, packet.Publish.Qos);
        Assert.Equal(9, packet.Publish.PacketId);
        Assert.Equal(payload, packet.Publish.Payload.ToArray());
        pipe.Reader.AdvanceTo(consumed);
    }

    [Fact]
    public void GetPublishSize_MatchesWrittenBytes()
    {
        var properties = new MqttPublishProperties { MessageExpiryInterval = 5, SubscriptionIdentifiers = new uint[] { 1, 300 } };
        byte[] payload = new byte[200];
        var header = new MqttPublishHeader(MqttQos.AtLeastOnce, 1);
        byte[] bytes = PacketCodec.Write(o => MqttPacketWriter.WritePublish(o, MqttProtocolVersion.V500, header, "t"u8, payload, properties));
        Assert.Equal(bytes.Length, MqttPacketWriter.GetPublishSize(MqttProtocolVersion.V500, header, 1, payload.Length, properties));
    }

    [Fact]
    public void WritePublish_ForwardedWithSubscriptionIdentifiers_KeepsUserPropertiesAndDropsAlias()
    {
        MqttPublish incoming = PacketCodec.ReadOne(GoldenPackets.V5PublishQos1WithProperties, MqttProtocolVersion.V500).Publish;
        MqttPublishProperties outgoing = incoming.Properties with { TopicAlias = 0, SubscriptionIdentifiers = new uint[] { 200 } };
        byte[] bytes = PacketCodec.Write(o => MqttPacketWriter.WritePublish(o, MqttProtocolVersion.V500, new MqttPublishHeader(MqttQos.AtMostOnce), incoming.Topic.Span, incoming.Payload, outgoing));

        Assert.Equal(
            Hex.Format(Hex.Parse(
                "30 19" +                 // PUBLISH QoS 0, remaining 25
                "00 03 61 2F 62" +        // topic "a/b"
                "11" +                    // property length 17
                "01 01" +                 //   payload format indicator: UTF-8
                "02 00 00 00 3C" +        //   message expiry interval 60
                "0B C8 01" +              //   subscription identifier 200
                "26 00 01 6B 00 01 76" +  //   user property k=v, copied
                "68 69")),                // payload "hi"
            Hex.Format(bytes));
    }

    [Theory]
    [InlineData(MqttQos.AtLeastOnce, 0)]
    [InlineData((MqttQos)3, 1)]
    public void WritePublish_InvalidHeader_Throws(MqttQos qos, ushort packetId)
    {
        Assert.Throws<ArgumentException>(() => PacketCodec.Write(o => MqttPacketWriter.WritePublish(o, MqttProtocolVersion.V311, new MqttPublishHeader(qos, packetId), "t"u8, "x"u8)));
    }

    [Fact]
    public void Write_PropertyNotAllowedInPacket_Throws()
    {
        var connAck = new MqttConnAck { Properties = new MqttProperties { WillDelayInterval = 1 } };
        Assert.Throws<InvalidOperationException>(() => PacketCodec.Write(o => MqttPacketWriter.Write(o, MqttProtocolVersion.V500, connAck)));
    }

    [Fact]
    public void Write_StringWithNullCharacter_Throws()
    {
        // [MQTT-1.5.4-2]: the peer would treat the packet as malformed and close the connection.
        var connect = new MqttConnect { ProtocolVersion = MqttProtocolVersion.V311, ClientId = "a\0b" };
        Assert.Throws<ArgumentException>(() => PacketCodec.Write(o => MqttPacketWriter.Write(o, MqttProtocolVersion.V311, connect)));
    }

    [Fact]
    public void WriteAck_NotAnAckType_Throws()
    {
        Assert.Throws<ArgumentException>(() => PacketCodec.Write(o => MqttPacketWriter.WriteAck(o, MqttProtocolVersion.V500, MqttPacketType.Publish, 1)));
    }
}
