using System.Buffers;
using System.Text;
using EdgeNode.Core.Configuration;
using EdgeNode.Core.Storage;
using EdgeNode.Mqtt.Broker;
using EdgeNode.Mqtt.Codec;
using EdgeNode.Mqtt.Messaging;
using EdgeNode.Mqtt.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeNode.Mqtt.Tests.Broker;

/// <summary>
/// An acknowledgement is a promise: PUBACK, PUBREC and PUBCOMP go out only once the database holds what the PUBLISH
/// changed, so a kill right after the client heard it loses nothing (found by tests/crash: QoS 1 messages acknowledged
/// and then lost with the last 50 ms batch); SUBACK and UNSUBACK of a persistent session likewise wait for its
/// subscription rows.
/// </summary>
public class MqttDurabilityTests
{
    private static readonly MqttProperties Persistent = new() { SessionExpiryInterval = 3600 };

    private static MqttOptions Options() => new() { Port = 1883, TlsPort = 0, AnonymousLoopback = true, SysInterval = TimeSpan.Zero };

    private static Task PublishAsync(BrokerHarness client, string topic, string payload, MqttQos qos, ushort id, bool retain = false) =>
        client.SendAsync(w => MqttPacketWriter.WritePublish(w, client.Version, new MqttPublishHeader(qos, id, retain), Encoding.UTF8.GetBytes(topic), Encoding.UTF8.GetBytes(payload)));

    [Theory]
    [InlineData(MqttQos.AtLeastOnce, false)]
    [InlineData(MqttQos.ExactlyOnce, false)]
    [InlineData(MqttQos.AtLeastOnce, true)]
    public async Task Publish_ForOfflinePersistentSessionOrRetained_AcknowledgedOnlyOnceWritten(MqttQos qos, bool retain)
    {
        string dir = Directory.CreateTempSubdirectory("edgenode-mqtt-durable-").FullName;
        try
        {
            using (var store = Store.Open(dir, MqttMigrations.Set))
            {
                var storage = new MqttBrokerStorage(store);
                var broker = new MqttBroker(Options(), new MqttMessageHub(), NullLogger.Instance, storage);
                await using (new StorageWriter(storage))
                await using (var keeper = new BrokerHarness(broker))
                {
                    await keeper.ConnectAsync("keeper", cleanStart: false, Persistent);
                    await keeper.SubscribeAsync("t/#", new MqttSubscriptionOptions(MqttQos.ExactlyOnce));
                }

                await BrokerHarness.WaitUntilAsync(() => !broker.Connections.Any(), "the keeper gone");
                storage.Flush();
                await using var publisher = new BrokerHarness(broker);
                await publisher.ConnectAsync("publisher");

                await PublishAsync(publisher, "t/1", "must survive", qos, 7, retain);
                // The connection asks for a write once it holds the acknowledgement back.
                using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
                {
                    Assert.True(await storage.WaitForWriteRequestAsync(timeout.Token));
                }

                Assert.Empty(publisher.Output.Peek());
                Assert.True(storage.Flush() > 0);
                MqttPacket ack = await publisher.ReceiveAsync();
                Assert.Equal(qos == MqttQos.AtLeastOnce ? MqttPacketType.PubAck : MqttPacketType.PubRec, ack.Type);
                Assert.Equal(7, ack.Ack.PacketId);
                // Nothing written after the acknowledgement: a kill here keeps the message.
            }

            using (var store = Store.Open(dir, MqttMigrations.Set))
            {
                var broker = new MqttBroker(Options(), new MqttMessageHub(), NullLogger.Instance, new MqttBrokerStorage(store));
                broker.Load();
                if (retain)
                {
                    Assert.Equal(["t/1"], broker.RetainedMessages().Select(m => m.Topic));
                }

                await using var keeper = new BrokerHarness(broker);
                Assert.True((await keeper.TryConnectAsync("keeper", cleanStart: false, Persistent)).SessionPresent);
                MqttPacket delivered = await keeper.ReceiveAsync();
                Assert.Equal(MqttPacketType.Publish, delivered.Type);
                Assert.Equal("must survive", Encoding.UTF8.GetString(delivered.Publish.Payload.ToArray()));
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Publish_NothingToStore_AcknowledgedAtOnce()
    {
        string dir = Directory.CreateTempSubdirectory("edgenode-mqtt-durable-").FullName;
        try
        {
            using var store = Store.Open(dir, MqttMigrations.Set);
            var storage = new MqttBrokerStorage(store);
            var broker = new MqttBroker(Options(), new MqttMessageHub(), NullLogger.Instance, storage);
            await using var publisher = new BrokerHarness(broker);
            await publisher.ConnectAsync("publisher");
            storage.Flush();

            await PublishAsync(publisher, "nobody/listens", "x", MqttQos.AtLeastOnce, 3);

            Assert.Equal(MqttPacketType.PubAck, (await publisher.ReceiveAsync()).Type);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static MqttSubscribe Subscribe(ushort id, string filter)
    {
        var subscribe = new MqttSubscribe { PacketId = id };
        subscribe.Subscriptions.Add(new MqttSubscription(filter, new MqttSubscriptionOptions(MqttQos.AtLeastOnce)));
        return subscribe;
    }

    /// <summary>Plays the broker service's writer once: waits until a connection asks for a write, and writes.</summary>
    private static async Task<int> WriteWhenAskedAsync(MqttBrokerStorage storage)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        Assert.True(await storage.WaitForWriteRequestAsync(timeout.Token));
        return storage.Flush();
    }

    [Fact]
    public async Task Subscribe_PersistentSession_SubAckAndRetainedOnlyOnceWritten()
    {
        string dir = Directory.CreateTempSubdirectory("edgenode-mqtt-durable-").FullName;
        try
        {
            using (var store = Store.Open(dir, MqttMigrations.Set))
            {
                var storage = new MqttBrokerStorage(store);
                var broker = new MqttBroker(Options(), new MqttMessageHub(), NullLogger.Instance, storage);
                await using (var publisher = new BrokerHarness(broker))
                {
                    await publisher.ConnectAsync("publisher");
                    await PublishAsync(publisher, "t/retained", "for new subscribers", MqttQos.AtMostOnce, 0, retain: true);
                    await BrokerHarness.WaitUntilAsync(() => broker.RetainedMessages().Any(), "the retained message");
                }

                storage.Flush();
                await using var keeper = new BrokerHarness(broker);
                await keeper.ConnectAsync("keeper", cleanStart: false, Persistent);

                await keeper.SendAsync(Subscribe(5, "t/#"));
                int written = await WriteWhenAskedAsync(storage);

                Assert.True(written >= 2, $"{written} changes written"); // the session row and the subscription
                MqttPacket ack = await keeper.ReceiveAsync();
                Assert.Equal(MqttPacketType.SubAck, ack.Type);
                Assert.Equal(5, ((MqttSubAck)ack.Control!).PacketId);
                // The retained message follows its SUBACK.
                MqttPacket retained = await keeper.ReceiveAsync();
                Assert.Equal(MqttPacketType.Publish, retained.Type);
                Assert.Equal("t/retained", Encoding.UTF8.GetString(retained.Publish.Topic.Span));
                // Nothing written after the SUBACK: a kill here keeps the subscription.
            }

            using (var store = Store.Open(dir, MqttMigrations.Set))
            {
                var storage = new MqttBrokerStorage(store);
                var broker = new MqttBroker(Options(), new MqttMessageHub(), NullLogger.Instance, storage);
                broker.Load();
                await using var writer = new StorageWriter(storage);
                await using var keeper = new BrokerHarness(broker);
                Assert.True((await keeper.TryConnectAsync("keeper", cleanStart: false, Persistent)).SessionPresent);
                await using var publisher = new BrokerHarness(broker);
                await publisher.ConnectAsync("publisher");
                await PublishAsync(publisher, "t/after", "still subscribed", MqttQos.AtLeastOnce, 1);

                MqttPacket delivered = await keeper.ReceiveAsync();
                Assert.Equal(MqttPacketType.Publish, delivered.Type);
                Assert.Equal("still subscribed", Encoding.UTF8.GetString(delivered.Publish.Payload.ToArray()));
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Unsubscribe_PersistentSession_UnsubAckOnlyOnceWritten()
    {
        string dir = Directory.CreateTempSubdirectory("edgenode-mqtt-durable-").FullName;
        try
        {
            using (var store = Store.Open(dir, MqttMigrations.Set))
            {
                var storage = new MqttBrokerStorage(store);
                var broker = new MqttBroker(Options(), new MqttMessageHub(), NullLogger.Instance, storage);
                await using var keeper = new BrokerHarness(broker);
                await keeper.ConnectAsync("keeper", cleanStart: false, Persistent);
                await keeper.SendAsync(Subscribe(1, "t/#"));
                await WriteWhenAskedAsync(storage);
                Assert.Equal(MqttPacketType.SubAck, (await keeper.ReceiveAsync()).Type);

                await keeper.SendAsync(new MqttUnsubscribe { PacketId = 2, TopicFilters = { "t/#" } });
                Assert.Equal(1, await WriteWhenAskedAsync(storage));

                MqttPacket ack = await keeper.ReceiveAsync();
                Assert.Equal(MqttPacketType.UnsubAck, ack.Type);
                Assert.Equal(2, ((MqttUnsubAck)ack.Control!).PacketId);
            }

            using (var store = Store.Open(dir, MqttMigrations.Set))
            {
                var broker = new MqttBroker(Options(), new MqttMessageHub(), NullLogger.Instance, new MqttBrokerStorage(store));
                broker.Load();
                Assert.Equal(0, broker.SubscriptionCount);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Subscribe_CleanSession_AcknowledgedAtOnce()
    {
        string dir = Directory.CreateTempSubdirectory("edgenode-mqtt-durable-").FullName;
        try
        {
            using var store = Store.Open(dir, MqttMigrations.Set);
            var storage = new MqttBrokerStorage(store);
            var broker = new MqttBroker(Options(), new MqttMessageHub(), NullLogger.Instance, storage);
            await using var client = new BrokerHarness(broker);
            await client.ConnectAsync("passer-by");
            storage.Flush();

            // No writer runs: the SUBACK of a session that stores nothing does not wait for one.
            await client.SendAsync(Subscribe(3, "t/#"));

            Assert.Equal(MqttPacketType.SubAck, (await client.ReceiveAsync()).Type);
            Assert.False(storage.HasPending);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
