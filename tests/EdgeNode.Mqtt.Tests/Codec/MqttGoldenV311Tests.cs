using System.Buffers;
using System.Text;
using EdgeNode.Mqtt.Codec;
using EdgeNode.Mqtt.Tests.Codec.Support;
using static EdgeNode.Mqtt.Tests.Codec.Support.GoldenPackets;

namespace EdgeNode.Mqtt.Tests.Codec;

public class MqttGoldenV311Tests
{
    private const MqttProtocolVersion V = MqttProtocolVersion.V311;

    [Fact]
    public void WriteConnect_AllFlags_GivesGoldenBytes()
    {
        byte[] bytes = PacketCodec.Write(o => MqttPacketWriter.Write(o, V, NewConnect()));
        Assert.Equal(Hex.Format(V311Connect), Hex.Format(bytes));
    }

    [Fact]
    public void ReadConnect_GoldenBytes_GivesFieldsAndSetsVersion()
    {
        var reader = new MqttPacketReader();
        var input = new SequenceReader<byte>(new ReadOnlySequence<byte>(V311Connect));
        Assert.True(reader.TryRead(ref input, out MqttPacket packet));

        Assert.Equal(MqttProtocolVersion.V311, reader.Version);
        var connect = Assert.IsType<MqttConnect>(packet.Control);
        Assert.Equal(MqttProtocolVersion.V311, connect.ProtocolVersion);
        Assert.Equal("c1", connect.ClientId);
        Assert.True(connect.CleanStart);
        Assert.Equal(60, connect.KeepAliveSeconds);
        Assert.Equal("u", connect.UserName);
        Assert.Equal("p"u8.ToArray(), connect.Password);
        Assert.NotNull(connect.Will);
        Assert.Equal("w", connect.Will.Topic);
        Assert.Equal("x"u8.ToArray(), connect.Will.Payload);
        Assert.Equal(MqttQos.AtLeastOnce, connect.Will.Qos);
        Assert.True(connect.Will.Retain);
        Assert.Null(connect.Properties);
        Assert.Equal(V311Connect.Length, packet.Size);
    }

    [Fact]
    public void WriteConnAck_SessionPresent_GivesGoldenBytes()
    {
        byte[] bytes = PacketCodec.Write(o => MqttPacketWriter.Write(o, V, new MqttConnAck { SessionPresent = true }));
        Assert.Equal(Hex.Format(V311ConnAck), Hex.Format(bytes));
    }

    [Fact]
    public void WriteConnAck_NotAuthorized_MapsToReturnCode5()
    {
        byte[] bytes = PacketCodec.Write(o => MqttPacketWriter.Write(o, V, new MqttConnAck { ReasonCode = MqttReasonCode.NotAuthorized }));
        Assert.Equal(Hex.Format(V311ConnAckRefused), Hex.Format(bytes));
    }

    [Fact]
    public void ReadConnAck_GoldenBytes_GivesFields()
    {
        var accepted = Assert.IsType<MqttConnAck>(PacketCodec.ReadOne(V311ConnAck, V).Control);
        Assert.True(accepted.SessionPresent);
        Assert.Equal(MqttReasonCode.Success, accepted.ReasonCode);

        var refused = Assert.IsType<MqttConnAck>(PacketCodec.ReadOne(V311ConnAckRefused, V).Control);
        Assert.False(refused.SessionPresent);
        Assert.Equal(MqttReasonCode.NotAuthorized, refused.ReasonCode);
    }

    [Fact]
    public void WritePublish_Qos0_GivesGoldenBytes()
    {
        byte[] bytes = PacketCodec.Write(o => MqttPacketWriter.WritePublish(o, V, default, "a/b"u8, "hi"u8));
        Assert.Equal(Hex.Format(V311PublishQos0), Hex.Format(bytes));
    }

    [Fact]
    public void WritePublish_Qos1RetainDup_GivesGoldenBytes()
    {
        var header = new MqttPublishHeader(MqttQos.AtLeastOnce, 10, Retain: true, Duplicate: true);
        byte[] bytes = PacketCodec.Write(o => MqttPacketWriter.WritePublish(o, V, header, "a/b"u8, new ReadOnlySequence<byte>("hi"u8.ToArray())));
        Assert.Equal(Hex.Format(V311PublishQos1RetainDup), Hex.Format(bytes));
    }

    [Fact]
    public void ReadPublish_GoldenBytes_GivesViews()
    {
        MqttPacket packet = PacketCodec.ReadOne(V311PublishQos1RetainDup, V);
        Assert.Equal(MqttPacketType.Publish, packet.Type);
        MqttPublish publish = packet.Publish;
        Assert.Equal(MqttQos.AtLeastOnce, publish.Qos);
        Assert.True(publish.Retain);
        Assert.True(publish.Duplicate);
        Assert.Equal(10, publish.PacketId);
        Assert.Equal("a/b", Encoding.UTF8.GetString(publish.Topic.Span));
        Assert.Equal("hi", Encoding.UTF8.GetString(publish.Payload.ToArray()));

        MqttPublish qos0 = PacketCodec.ReadOne(V311PublishQos0, V).Publish;
        Assert.Equal(MqttQos.AtMostOnce, qos0.Qos);
        Assert.Equal(0, qos0.PacketId);
        Assert.False(qos0.Retain);
    }

    [Theory]
    [InlineData(MqttPacketType.PubAck)]
    [InlineData(MqttPacketType.PubRec)]
    [InlineData(MqttPacketType.PubRel)]
    [InlineData(MqttPacketType.PubComp)]
    public void WriteAck_EachType_GivesGoldenBytes(MqttPacketType type)
    {
        byte[] expected = type switch
        {
            MqttPacketType.PubAck => V311PubAck,
            MqttPacketType.PubRec => V311PubRec,
            MqttPacketType.PubRel => V311PubRel,
            _ => V311PubComp,
        };
        byte[] bytes = PacketCodec.Write(o => MqttPacketWriter.WriteAck(o, V, type, 10));
        Assert.Equal(Hex.Format(expected), Hex.Format(bytes));

        MqttPacket packet = PacketCodec.ReadOne(expected, V);
        Assert.Equal(type, packet.Type);
        Assert.Equal(10, packet.Ack.PacketId);
        Assert.Equal(MqttReasonCode.Success, packet.Ack.ReasonCode);
    }

    [Fact]
    public void WriteSubscribe_TwoFilters_GivesGoldenBytes()
    {
        var subscribe = new MqttSubscribe { PacketId = 1 };
        subscribe.Subscriptions.Add(new MqttSubscription("a/+", new MqttSubscriptionOptions(MqttQos.AtLeastOnce)));
        subscribe.Subscriptions.Add(new MqttSubscription("#", new MqttSubscriptionOptions(MqttQos.AtMostOnce)));
        byte[] bytes = PacketCodec.Write(o => MqttPacketWriter.Write(o, V, subscribe));
        Assert.Equal(Hex.Format(V311Subscribe), Hex.Format(bytes));
    }

    [Fact]
    public void ReadSubscribe_GoldenBytes_GivesFilters()
    {
        var subscribe = Assert.IsType<MqttSubscribe>(PacketCodec.ReadOne(V311Subscribe, V).Control);
        Assert.Equal(1, subscribe.PacketId);
        Assert.Equal(
            [new MqttSubscription("a/+", new MqttSubscriptionOptions(MqttQos.AtLeastOnce)), new MqttSubscription("#", new MqttSubscriptionOptions(MqttQos.AtMostOnce))],
            subscribe.Subscriptions);
    }

    [Fact]
    public void WriteSubAck_GrantedAndFailure_GivesGoldenBytes()
    {
        var subAck = new MqttSubAck { PacketId = 1 };
        subAck.ReasonCodes.Add(MqttReasonCode.GrantedQos1);
        subAck.ReasonCodes.Add(MqttReasonCode.TopicFilterInvalid); // 3.1.1 knows only 0x80 failure
        byte[] bytes = PacketCodec.Write(o => MqttPacketWriter.Write(o, V, subAck));
        Assert.Equal(Hex.Format(V311SubAck), Hex.Format(bytes));

        var decoded = Assert.IsType<MqttSubAck>(PacketCodec.ReadOne(V311SubAck, V).Control);
        Assert.Equal([MqttReasonCode.GrantedQos1, MqttReasonCode.UnspecifiedError], decoded.ReasonCodes);
    }

    [Fact]
    public void WriteUnsubscribe_OneFilter_GivesGoldenBytes()
    {
        var unsubscribe = new MqttUnsubscribe { PacketId = 2 };
        unsubscribe.TopicFilters.Add("a/+");
        byte[] bytes = PacketCodec.Write(o => MqttPacketWriter.Write(o, V, unsubscribe));
        Assert.Equal(Hex.Format(V311Unsubscribe), Hex.Format(bytes));

        var decoded = Assert.IsType<MqttUnsubscribe>(PacketCodec.ReadOne(V311Unsubscribe, V).Control);
        Assert.Equal(2, decoded.PacketId);
        Assert.Equal(["a/+"], decoded.TopicFilters);
    }

    [Fact]
    public void WriteUnsubAck_PacketIdOnly_GivesGoldenBytes()
    {
        byte[] bytes = PacketCodec.Write(o => MqttPacketWriter.Write(o, V, new MqttUnsubAck { PacketId = 2 }));
        Assert.Equal(Hex.Format(V311UnsubAck), Hex.Format(bytes));
        Assert.Equal(2, Assert.IsType<MqttUnsubAck>(PacketCodec.ReadOne(V311UnsubAck, V).Control).PacketId);
    }

    [Fact]
    public void WritePingAndDisconnect_GiveGoldenBytes()
    {
        Assert.Equal(Hex.Format(PingReq), Hex.Format(PacketCodec.Write(MqttPacketWriter.WritePingReq)));
        Assert.Equal(Hex.Format(PingResp), Hex.Format(PacketCodec.Write(MqttPacketWriter.WritePingResp)));
        Assert.Equal(Hex.Format(V311Disconnect), Hex.Format(PacketCodec.Write(o => MqttPacketWriter.Write(o, V, new MqttDisconnect()))));

        Assert.Equal(MqttPacketType.PingReq, PacketCodec.ReadOne(PingReq, V).Type);
        Assert.Equal(MqttPacketType.PingResp, PacketCodec.ReadOne(PingResp, V).Type);
        Assert.IsType<MqttDisconnect>(PacketCodec.ReadOne(V311Disconnect, V).Control);
    }

    [Fact]
    public void ReadConnect_Mqtt31_ThrowsUnsupportedVersionWithLevel3()
    {
        byte[] bytes = Hex.Parse(
            "10 10" +                    // CONNECT, remaining 16
            "00 06 4D 51 49 73 64 70" +  // "MQIsdp"
            "03 02 00 3C" +              // level 3, clean session, keep alive 60
            "00 02 63 31");              // client id "c1"
        var error = Assert.IsType<MqttUnsupportedProtocolVersionException>(PacketCodec.ReadFails(bytes, MqttProtocolVersion.Unknown));
        Assert.Equal(3, error.ProtocolLevel);
        Assert.Equal(MqttReasonCode.UnsupportedProtocolVersion, error.ReasonCode);
    }

    internal static MqttConnect NewConnect() => new()
    {
        ProtocolVersion = V,
        ClientId = "c1",
        CleanStart = true,
        KeepAliveSeconds = 60,
        UserName = "u",
        Password = "p"u8.ToArray(),
        Will = new MqttWill { Topic = "w", Payload = "x"u8.ToArray(), Qos = MqttQos.AtLeastOnce, Retain = true },
    };
}
