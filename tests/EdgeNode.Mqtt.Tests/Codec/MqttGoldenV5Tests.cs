using System.Buffers;
using System.Text;
using EdgeNode.Mqtt.Codec;
using EdgeNode.Mqtt.Tests.Codec.Support;
using static EdgeNode.Mqtt.Tests.Codec.Support.GoldenPackets;

namespace EdgeNode.Mqtt.Tests.Codec;

public class MqttGoldenV5Tests
{
    private const MqttProtocolVersion V = MqttProtocolVersion.V500;

    [Fact]
    public void WriteConnect_WithPropertiesAndWill_GivesGoldenBytes()
    {
        var connect = new MqttConnect
        {
            ClientId = "c1",
            CleanStart = true,
            KeepAliveSeconds = 60,
            UserName = "u",
            Properties = new MqttProperties { SessionExpiryInterval = 3600, ReceiveMaximum = 20, TopicAliasMaximum = 10, MaximumPacketSize = 1 << 20 },
            Will = new MqttWill { Topic = "w", Payload = "x"u8.ToArray(), Properties = new MqttProperties { WillDelayInterval = 5 } },
        };
        connect.Properties.UserProperties.Add(new MqttUserProperty("k", "v"));
        byte[] bytes = PacketCodec.Write(o => MqttPacketWriter.Write(o, V, connect));
        Assert.Equal(Hex.Format(V5Connect), Hex.Format(bytes));
    }

    [Fact]
    public void ReadConnect_GoldenBytes_GivesFieldsAndProperties()
    {
        var reader = new MqttPacketReader();
        var input = new SequenceReader<byte>(new ReadOnlySequence<byte>(V5Connect));
        Assert.True(reader.TryRead(ref input, out MqttPacket packet));
        Assert.Equal(MqttProtocolVersion.V500, reader.Version);

        var connect = Assert.IsType<MqttConnect>(packet.Control);
        Assert.Equal("c1", connect.ClientId);
        Assert.True(connect.CleanStart);
        Assert.Equal(60, connect.KeepAliveSeconds);
        Assert.Equal("u", connect.UserName);
        Assert.Null(connect.Password);
        Assert.NotNull(connect.Properties);
        Assert.Equal(3600u, connect.Properties.SessionExpiryInterval);
        Assert.Equal((ushort)20, connect.Properties.ReceiveMaximum);
        Assert.Equal((ushort)10, connect.Properties.TopicAliasMaximum);
        Assert.Equal(1u << 20, connect.Properties.MaximumPacketSize);
        Assert.Equal([new MqttUserProperty("k", "v")], connect.Properties.UserProperties);
        Assert.NotNull(connect.Will);
        Assert.Equal("w", connect.Will.Topic);
        Assert.Equal(MqttQos.AtMostOnce, connect.Will.Qos);
        Assert.False(connect.Will.Retain);
        Assert.Equal(5u, connect.Will.Properties?.WillDelayInterval);
    }

    [Fact]
    public void WriteConnAck_WithProperties_GivesGoldenBytes()
    {
        var connAck = new MqttConnAck { Properties = new MqttProperties { AssignedClientIdentifier = "id", TopicAliasMaximum = 5 } };
        Assert.Equal(Hex.Format(V5ConnAck), Hex.Format(PacketCodec.Write(o => MqttPacketWriter.Write(o, V, connAck))));

        var refused = new MqttConnAck { ReasonCode = MqttReasonCode.NotAuthorized };
        Assert.Equal(Hex.Format(V5ConnAckRefused), Hex.Format(PacketCodec.Write(o => MqttPacketWriter.Write(o, V, refused))));
    }

    [Fact]
    public void ReadConnAck_GoldenBytes_GivesFields()
    {
        var connAck = Assert.IsType<MqttConnAck>(PacketCodec.ReadOne(V5ConnAck, V).Control);
        Assert.False(connAck.SessionPresent);
        Assert.Equal(MqttReasonCode.Success, connAck.ReasonCode);
        Assert.Equal("id", connAck.Properties?.AssignedClientIdentifier);
        Assert.Equal((ushort)5, connAck.Properties?.TopicAliasMaximum);

        var refused = Assert.IsType<MqttConnAck>(PacketCodec.ReadOne(V5ConnAckRefused, V).Control);
        Assert.Equal(MqttReasonCode.NotAuthorized, refused.ReasonCode);
        Assert.Null(refused.Properties);
    }

    [Fact]
    public void WritePublish_Qos0NoProperties_GivesGoldenBytes()
    {
        byte[] bytes = PacketCodec.Write(o => MqttPacketWriter.WritePublish(o, V, default, "a/b"u8, "hi"u8));
        Assert.Equal(Hex.Format(V5PublishQos0), Hex.Format(bytes));
    }

    [Fact]
    public void WritePublish_WithProperties_GivesGoldenBytes()
    {
        var properties = new MqttPublishProperties
        {
            PayloadFormatIndicator = MqttPayloadFormat.Utf8,
            MessageExpiryInterval = 60,
            TopicAlias = 3,
            Raw = new ReadOnlySequence<byte>(Hex.Parse("26 00 01 6B 00 01 76")), // user property k=v to copy
        };
        byte[] bytes = PacketCodec.Write(o => MqttPacketWriter.WritePublish(o, V, new MqttPublishHeader(MqttQos.AtLeastOnce, 7), "a/b"u8, "hi"u8, properties));
        Assert.Equal(Hex.Format(V5PublishQos1WithProperties), Hex.Format(bytes));
    }

    [Fact]
    public void ReadPublish_GoldenBytes_GivesViewsAndProperties()
    {
        MqttPublish publish = PacketCodec.ReadOne(V5PublishQos1WithProperties, V).Publish;
        Assert.Equal(MqttQos.AtLeastOnce, publish.Qos);
        Assert.Equal(7, publish.PacketId);
        Assert.Equal("a/b", Encoding.UTF8.GetString(publish.Topic.Span));
        Assert.Equal("hi", Encoding.UTF8.GetString(publish.Payload.ToArray()));
        MqttPublishProperties p = publish.Properties;
        Assert.Equal(MqttPayloadFormat.Utf8, p.PayloadFormatIndicator);
        Assert.Equal(60u, p.MessageExpiryInterval);
        Assert.Equal(3, p.TopicAlias);
        Assert.Null(p.ContentType);
        Assert.Equal(1, p.UserPropertyCount);
        Assert.Equal(0, p.SubscriptionIdentifierCount);

        var reader = new MqttPropertyReader(p.Raw, MqttPropertyScope.Publish);
        var userProperties = new List<string>();
        while (reader.TryRead(out MqttProperty property))
        {
            if (property.Id == MqttPropertyId.UserProperty)
            {
                userProperties.Add(Encoding.UTF8.GetString(property.Value.ToArray()) + "=" + Encoding.UTF8.GetString(property.PairValue.ToArray()));
            }
        }

        Assert.Equal(["k=v"], userProperties);
    }

    [Fact]
    public void WriteAck_ShortAndLongForms_GiveGoldenBytes()
    {
        Assert.Equal(Hex.Format(V5PubAckShort), Hex.Format(PacketCodec.Write(o => MqttPacketWriter.WriteAck(o, V, MqttPacketType.PubAck, 7))));
        Assert.Equal(Hex.Format(V5PubAckNoSubscribers), Hex.Format(PacketCodec.Write(o => MqttPacketWriter.WriteAck(o, V, MqttPacketType.PubAck, 7, MqttReasonCode.NoMatchingSubscribers))));
        Assert.Equal(Hex.Format(V5PubAckWithReasonString), Hex.Format(PacketCodec.Write(o =>
            MqttPacketWriter.WriteAck(o, V, MqttPacketType.PubAck, 7, MqttReasonCode.QuotaExceeded, new MqttProperties { ReasonString = "no" }))));
        Assert.Equal(Hex.Format(V5PubRec), Hex.Format(PacketCodec.Write(o => MqttPacketWriter.WriteAck(o, V, MqttPacketType.PubRec, 7, MqttReasonCode.UnspecifiedError))));
        Assert.Equal(Hex.Format(V5PubRel), Hex.Format(PacketCodec.Write(o => MqttPacketWriter.WriteAck(o, V, MqttPacketType.PubRel, 7, MqttReasonCode.PacketIdentifierNotFound))));
        Assert.Equal(Hex.Format(V5PubComp), Hex.Format(PacketCodec.Write(o => MqttPacketWriter.WriteAck(o, V, MqttPacketType.PubComp, 7))));
    }

    [Fact]
    public void ReadAck_GoldenBytes_GivesReasonAndProperties()
    {
        Assert.Equal(MqttReasonCode.Success, PacketCodec.ReadOne(V5PubAckShort, V).Ack.ReasonCode);
        Assert.Equal(MqttReasonCode.NoMatchingSubscribers, PacketCodec.ReadOne(V5PubAckNoSubscribers, V).Ack.ReasonCode);
        Assert.Equal(MqttReasonCode.UnspecifiedError, PacketCodec.ReadOne(V5PubRec, V).Ack.ReasonCode);
        Assert.Equal(MqttReasonCode.PacketIdentifierNotFound, PacketCodec.ReadOne(V5PubRel, V).Ack.ReasonCode);

        MqttAck ack = PacketCodec.ReadOne(V5PubAckWithReasonString, V).Ack;
        Assert.Equal(7, ack.PacketId);
        Assert.Equal(MqttReasonCode.QuotaExceeded, ack.ReasonCode);
        var reader = new MqttPropertyReader(ack.Properties, MqttPropertyScope.PubAck);
        Assert.True(reader.TryRead(out MqttProperty reason));
        Assert.Equal(MqttPropertyId.ReasonString, reason.Id);
        Assert.Equal("no", Encoding.UTF8.GetString(reason.Value.ToArray()));
        Assert.False(reader.TryRead(out _));
    }

    [Fact]
    public void WriteSubscribe_OptionsAndIdentifier_GivesGoldenBytes()
    {
        var subscribe = new MqttSubscribe { PacketId = 1, Properties = new MqttProperties { SubscriptionIdentifier = 200 } };
        subscribe.Subscriptions.Add(new MqttSubscription("a/+", new MqttSubscriptionOptions(MqttQos.AtLeastOnce, NoLocal: true, RetainAsPublished: true, MqttRetainHandling.DoNotSend)));
        subscribe.Subscriptions.Add(new MqttSubscription("$share/g/x", new MqttSubscriptionOptions(MqttQos.AtMostOnce)));
        Assert.Equal(Hex.Format(V5Subscribe), Hex.Format(PacketCodec.Write(o => MqttPacketWriter.Write(o, V, subscribe))));
    }

    [Fact]
    public void ReadSubscribe_GoldenBytes_GivesOptions()
    {
        var subscribe = Assert.IsType<MqttSubscribe>(PacketCodec.ReadOne(V5Subscribe, V).Control);
        Assert.Equal(200u, subscribe.Properties?.SubscriptionIdentifier);
        Assert.Equal(2, subscribe.Subscriptions.Count);
        Assert.Equal("a/+", subscribe.Subscriptions[0].TopicFilter);
        Assert.Equal(new MqttSubscriptionOptions(MqttQos.AtLeastOnce, true, true, MqttRetainHandling.DoNotSend), subscribe.Subscriptions[0].Options);
        Assert.Equal("$share/g/x", subscribe.Subscriptions[1].TopicFilter);
        Assert.Equal(new MqttSubscriptionOptions(MqttQos.AtMostOnce), subscribe.Subscriptions[1].Options);
    }

    [Fact]
    public void WriteSubAck_WithReasonString_GivesGoldenBytes()
    {
        var subAck = new MqttSubAck { PacketId = 1, Properties = new MqttProperties { ReasonString = "ok" } };
        subAck.ReasonCodes.AddRange([MqttReasonCode.GrantedQos1, MqttReasonCode.TopicFilterInvalid]);
        Assert.Equal(Hex.Format(V5SubAck), Hex.Format(PacketCodec.Write(o => MqttPacketWriter.Write(o, V, subAck))));

        var decoded = Assert.IsType<MqttSubAck>(PacketCodec.ReadOne(V5SubAck, V).Control);
        Assert.Equal("ok", decoded.Properties?.ReasonString);
        Assert.Equal([MqttReasonCode.GrantedQos1, MqttReasonCode.TopicFilterInvalid], decoded.ReasonCodes);
    }

    [Fact]
    public void WriteUnsubscribeAndUnsubAck_GiveGoldenBytes()
    {
        var unsubscribe = new MqttUnsubscribe { PacketId = 2 };
        unsubscribe.TopicFilters.Add("a/+");
        Assert.Equal(Hex.Format(V5Unsubscribe), Hex.Format(PacketCodec.Write(o => MqttPacketWriter.Write(o, V, unsubscribe))));

        var unsubAck = new MqttUnsubAck { PacketId = 2 };
        unsubAck.ReasonCodes.AddRange([MqttReasonCode.Success, MqttReasonCode.NoSubscriptionExisted]);
        Assert.Equal(Hex.Format(V5UnsubAck), Hex.Format(PacketCodec.Write(o => MqttPacketWriter.Write(o, V, unsubAck))));

        Assert.Equal(["a/+"], Assert.IsType<MqttUnsubscribe>(PacketCodec.ReadOne(V5Unsubscribe, V).Control).TopicFilters);
        Assert.Equal([MqttReasonCode.Success, MqttReasonCode.NoSubscriptionExisted], Assert.IsType<MqttUnsubAck>(PacketCodec.ReadOne(V5UnsubAck, V).Control).ReasonCodes);
    }

    [Fact]
    public void WriteDisconnect_ThreeForms_GiveGoldenBytes()
    {
        Assert.Equal(Hex.Format(V5DisconnectNormal), Hex.Format(PacketCodec.Write(o => MqttPacketWriter.Write(o, V, new MqttDisconnect()))));
        Assert.Equal(Hex.Format(V5DisconnectWithWill), Hex.Format(PacketCodec.Write(o =>
            MqttPacketWriter.Write(o, V, new MqttDisconnect { ReasonCode = MqttReasonCode.DisconnectWithWillMessage }))));
        Assert.Equal(Hex.Format(V5DisconnectTakenOver), Hex.Format(PacketCodec.Write(o =>
            MqttPacketWriter.Write(o, V, new MqttDisconnect { ReasonCode = MqttReasonCode.SessionTakenOver, Properties = new MqttProperties { ReasonString = "x" } }))));
    }

    [Fact]
    public void ReadDisconnect_GoldenBytes_GivesReason()
    {
        Assert.Equal(MqttReasonCode.NormalDisconnection, Assert.IsType<MqttDisconnect>(PacketCodec.ReadOne(V5DisconnectNormal, V).Control).ReasonCode);
        Assert.Equal(MqttReasonCode.DisconnectWithWillMessage, Assert.IsType<MqttDisconnect>(PacketCodec.ReadOne(V5DisconnectWithWill, V).Control).ReasonCode);
        var takenOver = Assert.IsType<MqttDisconnect>(PacketCodec.ReadOne(V5DisconnectTakenOver, V).Control);
        Assert.Equal(MqttReasonCode.SessionTakenOver, takenOver.ReasonCode);
        Assert.Equal("x", takenOver.Properties?.ReasonString);
    }

    [Fact]
    public void WriteAuth_SuccessAndContinue_GiveGoldenBytes()
    {
        Assert.Equal(Hex.Format(V5AuthSuccess), Hex.Format(PacketCodec.Write(o => MqttPacketWriter.Write(o, V, new MqttAuth()))));
        var auth = new MqttAuth { ReasonCode = MqttReasonCode.ContinueAuthentication, Properties = new MqttProperties { AuthenticationMethod = "m" } };
        Assert.Equal(Hex.Format(V5AuthContinue), Hex.Format(PacketCodec.Write(o => MqttPacketWriter.Write(o, V, auth))));

        var decoded = Assert.IsType<MqttAuth>(PacketCodec.ReadOne(V5AuthContinue, V).Control);
        Assert.Equal(MqttReasonCode.ContinueAuthentication, decoded.ReasonCode);
        Assert.Equal("m", decoded.Properties?.AuthenticationMethod);
        Assert.Equal(MqttReasonCode.Success, Assert.IsType<MqttAuth>(PacketCodec.ReadOne(V5AuthSuccess, V).Control).ReasonCode);
    }

    [Fact]
    public void WriteAuth_InV311_Throws()
    {
        Assert.Throws<ArgumentException>(() => PacketCodec.Write(o => MqttPacketWriter.Write(o, MqttProtocolVersion.V311, new MqttAuth())));
    }
}
