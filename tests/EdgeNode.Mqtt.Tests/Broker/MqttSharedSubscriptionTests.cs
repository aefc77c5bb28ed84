using System.Text;
using EdgeNode.Mqtt.Codec;

namespace EdgeNode.Mqtt.Tests.Broker;

/// <summary>Shared subscriptions ($share/{ShareName}/{filter}, MQTT 5.0 section 4.8.2) through real connections.</summary>
public class MqttSharedSubscriptionTests
{
    private static readonly MqttSubscriptionOptions Qos0 = new(MqttQos.AtMostOnce);
    private static readonly MqttSubscriptionOptions Qos1 = new(MqttQos.AtLeastOnce);

    private static Task PublishAsync(BrokerHarness client, string topic, string payload, MqttQos qos = MqttQos.AtMostOnce, ushort id = 0, bool retain = false) =>
        client.SendAsync(w => MqttPacketWriter.WritePublish(w, client.Version, new MqttPublishHeader(qos, id, retain), Encoding.UTF8.GetBytes(topic), Encoding.UTF8.GetBytes(payload)));

    private static string Payload(MqttPacket packet) => Encoding.UTF8.GetString(packet.Publish.Payload);

    [Theory]
    [InlineData("$share/gr+oup/a")]
    [InlineData("$share/#/a")]
    [InlineData("$share/g#/a")]
    [InlineData("$share//a")]
    [InlineData("$share/group")]
    [InlineData("$share/group/")]
    [InlineData("$share/group/a/#/b")]
    [InlineData("$share/group/a+")]
    public async Task Subscribe_MalformedShare_V5_SubAckTopicFilterInvalid(string filter)
    {
        var broker = BrokerHarness.NewBroker();
        await using var client = new BrokerHarness(broker);
        await client.ConnectAsync("c");
        MqttSubAck ack = await client.SubscribeAsync(filter, Qos1);
        Assert.Equal([MqttReasonCode.TopicFilterInvalid], ack.ReasonCodes);
        Assert.Equal(0, broker.SubscriptionCount);
    }

    [Theory]
    [InlineData("$share/gr+oup/a")]
    [InlineData("$share//a")]
    [InlineData("$share/group")]
    public async Task Subscribe_MalformedShare_V311_SubAckFailure0x80(string filter)
    {
        var broker = BrokerHarness.NewBroker();
        await using var client = new BrokerHarness(broker, MqttProtocolVersion.V311);
        await client.ConnectAsync("c");
        await client.SendAsync(w =>
        {
            var subscribe = new MqttSubscribe { PacketId = 3 };
            subscribe.Subscriptions.Add(new MqttSubscription(filter, Qos1));
            MqttPacketWriter.Write(w, MqttProtocolVersion.V311, subscribe);
        });
        // The wire bytes themselves: 3.1.1 has the one failure return code 0x80.
        await BrokerHarness.WaitUntilAsync(() => client.Output.Peek().Length >= 5, "SUBACK");
        Assert.Equal(new byte[] { 0x90, 0x03, 0x00, 0x03, 0x80 }, client.Output.Peek());
    }

    [Fact]
    public async Task ConnAck_V5_AnnouncesSharedSubscriptionAvailable()
    {
        var broker = BrokerHarness.NewBroker();
        await using var client = new BrokerHarness(broker);
        MqttConnAck ack = await client.TryConnectAsync("c");
        Assert.True(ack.Properties?.SharedSubscriptionAvailable);
    }

    [Fact]
    public async Task Publish_GroupOfTwo_EachMessageToExactlyOneMemberInTurn()
    {
        var broker = BrokerHarness.NewBroker();
        await using var a = new BrokerHarness(broker);
        await using var b = new BrokerHarness(broker);
        await using var plain = new BrokerHarness(broker);
        await using var pub = new BrokerHarness(broker);
        await a.ConnectAsync("a");
        await b.ConnectAsync("b");
        await plain.ConnectAsync("plain");
        await pub.ConnectAsync("pub");
        Assert.Equal(MqttReasonCode.GrantedQos1, Assert.Single((await a.SubscribeAsync("$share/work/jobs/+", Qos1)).ReasonCodes));
        await b.SubscribeAsync("$share/work/jobs/+", Qos1);
        await plain.SubscribeAsync("jobs/#", Qos0);

        for (int i = 0; i < 6; i++)
        {
            await PublishAsync(pub, "jobs/x", $"m{i}");
        }

        // The plain subscriber sees everything; the group sees everything once, split between its members.
        var all = new List<string>();
        for (int i = 0; i < 6; i++)
        {
            all.Add(Payload(await plain.ReceiveAsync()));
        }

        var toA = new List<string>();
        var toB = new List<string>();
        for (int i = 0; i < 3; i++)
        {
            toA.Add(Payload(await a.ReceiveAsync()));
            toB.Add(Payload(await b.ReceiveAsync()));
        }

        Assert.Equal(all.Order(), toA.Concat(toB).Order());
        Assert.Empty(toA.Intersect(toB));
    }

    [Fact]
    public async Task Publish_SharedMembersWithDifferentQos_EachGetsItsGrantedQos()
    {
        var broker = BrokerHarness.NewBroker();
        await using var low = new BrokerHarness(broker);
        await using var high = new BrokerHarness(broker);
        await using var pub = new BrokerHarness(broker);
        await low.ConnectAsync("low");
        await high.ConnectAsync("high");
        await pub.ConnectAsync("pub");
        await low.SubscribeAsync("$share/g/q/#", Qos0);
        await high.SubscribeAsync("$share/g/q/#", new MqttSubscriptionOptions(MqttQos.ExactlyOnce));
        await PublishAsync(pub, "q/1", "one", MqttQos.AtLeastOnce, 1);
        Assert.Equal(MqttPacketType.PubAck, (await pub.ReceiveAsync()).Type);
        await PublishAsync(pub, "q/2", "two", MqttQos.AtLeastOnce, 2);
        Assert.Equal(MqttPacketType.PubAck, (await pub.ReceiveAsync()).Type);

        MqttPacket toLow = await low.ReceiveAsync();
        MqttPacket toHigh = await high.ReceiveAsync();
        Assert.Equal(MqttQos.AtMostOnce, toLow.Publish.Qos);
        Assert.Equal(MqttQos.AtLeastOnce, toHigh.Publish.Qos); // the lower of the message's QoS and the grant
    }

    [Fact]
    public async Task Subscribe_SharedWithRetainedMessage_RetainedNotSent()
    {
        var broker = BrokerHarness.NewBroker();
        await using var client = new BrokerHarness(broker);
        await client.ConnectAsync("c");
        await PublishAsync(client, "st/power", "ON", retain: true);
        await client.SubscribeAsync("$share/g/st/#", Qos0);
        await client.SubscribeAsync("other/#", Qos0);
        await PublishAsync(client, "other/marker", "marker");
        // Had the retained message been sent on the shared subscribe, it would come before the marker.
        Assert.Equal("marker", Payload(await client.ReceiveAsync()));
        await client.SubscribeAsync("st/#", Qos0);
        MqttPacket retained = await client.ReceiveAsync();
        Assert.Equal("ON", Payload(retained));
        Assert.True(retained.Publish.Retain);
    }

    [Fact]
    public async Task Publish_OneMemberOffline_AllGoToTheConnectedMember()
    {
        var broker = BrokerHarness.NewBroker();
        var away = new BrokerHarness(broker);
        await away.ConnectAsync("away", cleanStart: false, new MqttProperties { SessionExpiryInterval = 600 });
        await away.SubscribeAsync("$share/g/w/#", Qos1);
        await away.DisposeAsync();
        await using var here = new BrokerHarness(broker);
        await here.ConnectAsync("here");
        await here.SubscribeAsync("$share/g/w/#", Qos1);
        await using var pub = new BrokerHarness(broker);
        await pub.ConnectAsync("pub");

        for (ushort i = 1; i <= 4; i++)
        {
            await PublishAsync(pub, "w/job", $"j{i}", MqttQos.AtLeastOnce, i);
            Assert.Equal(MqttPacketType.PubAck, (await pub.ReceiveAsync()).Type);
        }

        var got = new List<string>();
        for (int i = 0; i < 4; i++)
        {
            MqttPacket packet = await here.ReceiveAsync();
            got.Add(Payload(packet));
            await here.SendAsync(w => MqttPacketWriter.WriteAck(w, MqttProtocolVersion.V500, MqttPacketType.PubAck, packet.Publish.PacketId));
        }

        Assert.Equal(["j1", "j2", "j3", "j4"], got);

        // The offline member's session kept its subscription and had nothing queued for it.
        await using var back = new BrokerHarness(broker);
        MqttConnAck resumed = await back.TryConnectAsync("away", cleanStart: false, new MqttProperties { SessionExpiryInterval = 600 });
        Assert.True(resumed.SessionPresent);
        await PublishAsync(pub, "w/job", "j5", MqttQos.AtLeastOnce, 5);
        Assert.Equal(MqttPacketType.PubAck, (await pub.ReceiveAsync()).Type);
        await PublishAsync(pub, "w/job", "j6", MqttQos.AtLeastOnce, 6);
        Assert.Equal(MqttPacketType.PubAck, (await pub.ReceiveAsync()).Type);
        string first = Payload(await back.ReceiveAsync());
        Assert.Contains(first, new[] { "j5", "j6" });
    }

    [Fact]
    public async Task Publish_NoMemberConnected_QueuedForAPersistentMember()
    {
        var broker = BrokerHarness.NewBroker();
        var away = new BrokerHarness(broker);
        await away.ConnectAsync("away", cleanStart: false, new MqttProperties { SessionExpiryInterval = 600 });
        await away.SubscribeAsync("$share/g/w/#", Qos1);
        await away.DisposeAsync();
        await using var pub = new BrokerHarness(broker);
        await pub.ConnectAsync("pub");
        await PublishAsync(pub, "w/job", "kept", MqttQos.AtLeastOnce, 1);
        Assert.Equal(MqttPacketType.PubAck, (await pub.ReceiveAsync()).Type);

        await using var back = new BrokerHarness(broker);
        await back.ConnectAsync("away", cleanStart: false, new MqttProperties { SessionExpiryInterval = 600 });
        Assert.Equal("kept", Payload(await back.ReceiveAsync()));
    }

    [Fact]
    public async Task Unsubscribe_SharedFilter_NoMoreDeliveries()
    {
        var broker = BrokerHarness.NewBroker();
        await using var client = new BrokerHarness(broker);
        await client.ConnectAsync("c");
        await client.SubscribeAsync("$share/g/u/#", Qos0);
        await client.SubscribeAsync("marker", Qos0);
        await client.SendAsync(new MqttUnsubscribe { PacketId = 9, TopicFilters = { "$share/g/u/#" } });
        var unsubAck = (MqttUnsubAck)(await client.ReceiveAsync()).Control!;
        Assert.Equal([MqttReasonCode.Success], unsubAck.ReasonCodes);
        await PublishAsync(client, "u/1", "gone");
        await PublishAsync(client, "marker", "marker");
        Assert.Equal("marker", Payload(await client.ReceiveAsync()));
        Assert.Equal(1, broker.SubscriptionCount);
    }

    [Fact]
    public async Task Subscribe_SharedFromV311Client_Delivered()
    {
        var broker = BrokerHarness.NewBroker();
        await using var client = new BrokerHarness(broker, MqttProtocolVersion.V311);
        await client.ConnectAsync("old");
        MqttSubAck ack = await client.SubscribeAsync("$share/g/v3/#", Qos1);
        Assert.Equal([MqttReasonCode.GrantedQos1], ack.ReasonCodes);
        await PublishAsync(client, "v3/x", "hello");
        Assert.Equal("hello", Payload(await client.ReceiveAsync()));
    }

    [Theory]
    [InlineData(MqttQos.AtLeastOnce, true)]
    [InlineData(MqttQos.ExactlyOnce, false)]
    public async Task SessionEnds_UnacknowledgedSharedMessage_Qos1HandedToAnotherMemberQos2Not(MqttQos qos, bool handedOver)
    {
        var broker = BrokerHarness.NewBroker();
        var leaving = new BrokerHarness(broker);
        await leaving.ConnectAsync("leaving");
        await leaving.SubscribeAsync("$share/g/h/#", new MqttSubscriptionOptions(qos));
        await using var staying = new BrokerHarness(broker);
        await staying.ConnectAsync("staying");
        await staying.SubscribeAsync("$share/g/h/#", new MqttSubscriptionOptions(qos));
        await using var pub = new BrokerHarness(broker);
        await pub.ConnectAsync("pub");

        // Round-robin: one to each member.
        await PublishAsync(pub, "h/1", "first", qos, 1);
        await pub.ReceiveAsync();
        await PublishAsync(pub, "h/2", "second", qos, 2);
        await pub.ReceiveAsync();
        string toLeaving = Payload(await leaving.ReceiveAsync());
        string toStaying = Payload(await staying.ReceiveAsync());
        Assert.Equal(["first", "second"], new[] { toLeaving, toStaying }.Order(StringComparer.Ordinal));

        // The session without expiry ends with its connection, its message unacknowledged.
        await leaving.DisposeAsync();
        await PublishAsync(pub, "h/3", "marker", MqttQos.AtMostOnce);
        List<string> next = [Payload(await staying.ReceiveAsync())];
        if (next[0] != "marker")
        {
            next.Add(Payload(await staying.ReceiveAsync()));
        }

        Assert.Equal(handedOver ? [toLeaving, "marker"] : ["marker"], next);
    }
}
