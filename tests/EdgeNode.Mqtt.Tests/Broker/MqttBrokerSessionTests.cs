using System.Buffers;
using System.Text;
using EdgeNode.Mqtt.Codec;
using Microsoft.Extensions.Time.Testing;

namespace EdgeNode.Mqtt.Tests.Broker;

/// <summary>Session behaviour through real connections (in-memory pipes) and the real codec.</summary>
public class MqttBrokerSessionTests
{
    /// <summary>
    /// A ping round trip: the broker answers packets in order, so anything it was going to send this client before
    /// handling the ping has arrived by the time the answer does.
    /// </summary>
    private static async Task AssertOnlyPingAnswerAsync(BrokerHarness client)
    {
        await client.SendAsync(MqttPacketWriter.WritePingReq);
        Assert.Equal(MqttPacketType.PingResp, (await client.ReceiveAsync()).Type);
    }

    private static Task PublishAsync(BrokerHarness client, string topic, string payload, MqttQos qos, ushort id = 0, bool duplicate = false, MqttPublishProperties properties = default, bool retain = false) =>
        client.SendAsync(w => MqttPacketWriter.WritePublish(w, MqttProtocolVersion.V500, new MqttPublishHeader(qos, id, retain, duplicate), Encoding.UTF8.GetBytes(topic), Encoding.UTF8.GetBytes(payload), properties));

    [Fact]
    public async Task Qos2_DuplicateBeforePubRel_DeliveredOnce()
    {
        var broker = BrokerHarness.NewBroker();
        await using var sub = new BrokerHarness(broker);
        await using var pub = new BrokerHarness(broker);
        await sub.ConnectAsync("sub");
        await sub.SubscribeAsync("a/#", new MqttSubscriptionOptions(MqttQos.AtMostOnce));
        await pub.ConnectAsync("pub");

        await PublishAsync(pub, "a/1", "once", MqttQos.ExactlyOnce, 7);
        Assert.Equal(MqttPacketType.PubRec, (await pub.ReceiveAsync()).Type);
        await PublishAsync(pub, "a/1", "once", MqttQos.ExactlyOnce, 7, duplicate: true);
        Assert.Equal(MqttPacketType.PubRec, (await pub.ReceiveAsync()).Type);
        await pub.SendAsync(w => MqttPacketWriter.WriteAck(w, MqttProtocolVersion.V500, MqttPacketType.PubRel, 7));
        Assert.Equal(MqttPacketType.PubComp, (await pub.ReceiveAsync()).Type);
        await PublishAsync(pub, "a/2", "marker", MqttQos.AtMostOnce);

        var first = await sub.ReceiveAsync();
        var second = await sub.ReceiveAsync();
        Assert.Equal("a/1", Encoding.UTF8.GetString(first.Publish.Topic.Span));
        Assert.Equal("a/2", Encoding.UTF8.GetString(second.Publish.Topic.Span));
    }

    [Fact]
    public async Task Qos1_ReceiveMaximum_WindowHeldUntilAck()
    {
        var broker = BrokerHarness.NewBroker();
        await using var sub = new BrokerHarness(broker);
        await using var pub = new BrokerHarness(broker);
        await sub.ConnectAsync("sub", properties: new MqttProperties { ReceiveMaximum = 2 });
        await sub.SubscribeAsync("w/#", new MqttSubscriptionOptions(MqttQos.AtLeastOnce));
        await pub.ConnectAsync("pub");
        for (ushort i = 1; i <= 3; i++)
        {
            await PublishAsync(pub, $"w/{i}", "x", MqttQos.AtLeastOnce, i);
            Assert.Equal(MqttPacketType.PubAck, (await pub.ReceiveAsync()).Type);
        }

        var p1 = await sub.ReceiveAsync();
        var p2 = await sub.ReceiveAsync();
        Assert.Equal(["w/1", "w/2"], new[] { p1, p2 }.Select(p => Encoding.UTF8.GetString(p.Publish.Topic.Span)));
        await AssertOnlyPingAnswerAsync(sub); // the third waits for room in the window
        await sub.SendAsync(w => MqttPacketWriter.WriteAck(w, MqttProtocolVersion.V500, MqttPacketType.PubAck, p1.Publish.PacketId));
        var p3 = await sub.ReceiveAsync();
        Assert.Equal("w/3", Encoding.UTF8.GetString(p3.Publish.Topic.Span));
        Assert.False(p3.Publish.Duplicate);
    }

    [Fact]
    public async Task PersistentSession_UnackedQos1_RedeliveredWithDupOnlyAfterReconnect()
    {
        var broker = BrokerHarness.NewBroker();
        await using var pub = new BrokerHarness(broker);
        await pub.ConnectAsync("pub");
        var first = new BrokerHarness(broker);
        await first.ConnectAsync("keeper", cleanStart: false, new MqttProperties { SessionExpiryInterval = 600 });
        await first.SubscribeAsync("k/#", new MqttSubscriptionOptions(MqttQos.AtLeastOnce));
        await PublishAsync(pub, "k/1", "x", MqttQos.AtLeastOnce, 1);
        var sent = await first.ReceiveAsync();
        Assert.False(sent.Publish.Duplicate);
        await first.DisposeAsync(); // gone without PUBACK

        await using var second = new BrokerHarness(broker);
        await second.ConnectAsync("keeper", cleanStart: false, new MqttProperties { SessionExpiryInterval = 600 });
        var again = await second.ReceiveAsync();
        Assert.Equal("k/1", Encoding.UTF8.GetString(again.Publish.Topic.Span));
        Assert.True(again.Publish.Duplicate);
    }

    [Fact]
    public async Task SubscriptionOptions_NoLocalAndRetainAsPublished_Honoured()
    {
        var broker = BrokerHarness.NewBroker();
        await using var client = new BrokerHarness(broker);
        await client.ConnectAsync("self");
        await client.SubscribeAsync("n/#", new MqttSubscriptionOptions(MqttQos.AtMostOnce, NoLocal: true));
        await client.SubscribeAsync("r/#", new MqttSubscriptionOptions(MqttQos.AtMostOnce, RetainAsPublished: true));
        await PublishAsync(client, "n/1", "mine", MqttQos.AtMostOnce);
        await PublishAsync(client, "r/1", "kept", MqttQos.AtMostOnce, retain: true);
        var packet = await client.ReceiveAsync();
        Assert.Equal("r/1", Encoding.UTF8.GetString(packet.Publish.Topic.Span)); // n/1 was not echoed
        Assert.True(packet.Publish.Retain);
    }

    [Fact]
    public async Task RetainHandling_DoNotSend_NoRetainedOnSubscribe()
    {
        var broker = BrokerHarness.NewBroker();
        await using var client = new BrokerHarness(broker);
        await client.ConnectAsync("c");
        await PublishAsync(client, "h/1", "stored", MqttQos.AtMostOnce, retain: true);
        await client.SubscribeAsync("h/#", new MqttSubscriptionOptions(MqttQos.AtMostOnce, RetainHandling: MqttRetainHandling.DoNotSend));
        await AssertOnlyPingAnswerAsync(client);
        await client.SubscribeAsync("h/+", new MqttSubscriptionOptions(MqttQos.AtMostOnce));
        var retained = await client.ReceiveAsync();
        Assert.True(retained.Publish.Retain);
    }

    [Fact]
    public async Task TopicAliases_OutboundToClientWithMaximum_SecondMessageByAliasOnly()
    {
        var broker = BrokerHarness.NewBroker();
        await using var sub = new BrokerHarness(broker);
        await sub.ConnectAsync("sub", properties: new MqttProperties { TopicAliasMaximum = 4 });
        await sub.SubscribeAsync("t/#", new MqttSubscriptionOptions(MqttQos.AtMostOnce));
        await using var pub = new BrokerHarness(broker);
        await pub.ConnectAsync("pub");
        await PublishAsync(pub, "t/long/topic", "1", MqttQos.AtMostOnce);
        await PublishAsync(pub, "t/long/topic", "2", MqttQos.AtMostOnce);
        var first = await sub.ReceiveAsync();
        var second = await sub.ReceiveAsync();
        Assert.Equal("t/long/topic", Encoding.UTF8.GetString(first.Publish.Topic.Span));
        Assert.Equal(1, first.Publish.Properties.TopicAlias);
        Assert.True(second.Publish.Topic.IsEmpty);
        Assert.Equal(1, second.Publish.Properties.TopicAlias);
    }

    [Fact]
    public async Task ClientPublish_AliasAboveMaximumOrSubscriptionIdentifier_DisconnectedWithReason()
    {
        var broker = BrokerHarness.NewBroker();
        await using var client = new BrokerHarness(broker);
        await client.ConnectAsync("c");
        await PublishAsync(client, "x", "1", MqttQos.AtMostOnce, properties: new MqttPublishProperties { TopicAlias = 200 });
        var disconnect = (MqttDisconnect)(await client.ReceiveAsync()).Control!;
        Assert.Equal(MqttReasonCode.TopicAliasInvalid, disconnect.ReasonCode);

        await using var other = new BrokerHarness(broker);
        await other.ConnectAsync("d");
        await PublishAsync(other, "x", "1", MqttQos.AtMostOnce, properties: new MqttPublishProperties { SubscriptionIdentifiers = new uint[] { 5 } });
        Assert.Equal(MqttReasonCode.ProtocolError, ((MqttDisconnect)(await other.ReceiveAsync()).Control!).ReasonCode);
    }

    [Fact]
    public async Task SameClientId_SecondConnection_TakesOverAndFirstIsToldWhy()
    {
        var broker = BrokerHarness.NewBroker();
        await using var first = new BrokerHarness(broker);
        await first.ConnectAsync("twin");
        var taken = first.Connection("twin");
        Assert.Null(taken.ClosedByNode);
        await using var second = new BrokerHarness(broker);
        await second.ConnectAsync("twin");
        var disconnect = (MqttDisconnect)(await first.ReceiveAsync()).Control!;
        Assert.Equal(MqttReasonCode.SessionTakenOver, disconnect.ReasonCode);
        // The log says the node closed it, and why, not "connection lost".
        Assert.Equal("another connection took over its session", taken.ClosedByNode);
        Assert.Equal(1, broker.Stats.Connected);
    }

    [Fact]
    public async Task Will_DelayInterval_CancelledWhenClientReturnsInTime()
    {
        var time = new FakeTimeProvider();
        var broker = BrokerHarness.NewBroker(time: time);
        await using var watcher = new BrokerHarness(broker);
        await watcher.ConnectAsync("watcher");
        await watcher.SubscribeAsync("lwt/#", new MqttSubscriptionOptions(MqttQos.AtMostOnce));

        var device = new BrokerHarness(broker);
        await ConnectWithWillAsync(device);
        await device.DisposeAsync(); // unclean
        var back = new BrokerHarness(broker);
        await ConnectWithWillAsync(back);
        time.Advance(TimeSpan.FromSeconds(1.3));
        broker.Sweep();
        await AssertOnlyPingAnswerAsync(watcher);

        await back.DisposeAsync(); // unclean again, and this time it stays away
        time.Advance(TimeSpan.FromSeconds(1.3));
        broker.Sweep();
        var will = await watcher.ReceiveAsync();
        Assert.Equal("gone", Encoding.UTF8.GetString(will.Publish.Payload));
        Assert.Equal("lwt/dev", Encoding.UTF8.GetString(will.Publish.Topic.Span));
    }

    private static async Task ConnectWithWillAsync(BrokerHarness device)
    {
        await device.SendAsync(new MqttConnect
        {
            ClientId = "dev", CleanStart = false, KeepAliveSeconds = 60, Properties = new MqttProperties { SessionExpiryInterval = 600 },
            Will = new MqttWill { Topic = "lwt/dev", Payload = "gone"u8.ToArray(), Properties = new MqttProperties { WillDelayInterval = 1 } },
        });
        Assert.Equal(MqttPacketType.ConnAck, (await device.ReceiveAsync()).Type);
    }
}
