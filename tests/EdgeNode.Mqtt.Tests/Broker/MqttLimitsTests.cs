using System.Text;
using EdgeNode.Core.Configuration;
using EdgeNode.Core.Storage;
using EdgeNode.Mqtt.Broker;
using EdgeNode.Mqtt.Codec;
using EdgeNode.Mqtt.Messaging;
using EdgeNode.Mqtt.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeNode.Mqtt.Tests.Broker;

/// <summary>Retained messages per account and per node, persistent sessions per account, bytes queued per session.</summary>
public class MqttLimitsTests
{
    private static MqttOptions Options(Func<MqttOptions, MqttOptions> change) =>
        change(new MqttOptions { Port = 1883, TlsPort = 0, AnonymousLoopback = true, SysInterval = TimeSpan.Zero });

    private static Task PublishAsync(BrokerHarness client, string topic, string payload, MqttQos qos, ushort id, bool retain = true) =>
        client.SendAsync(w => MqttPacketWriter.WritePublish(w, client.Version, new MqttPublishHeader(qos, id, retain), Encoding.UTF8.GetBytes(topic), Encoding.UTF8.GetBytes(payload)));

    private static async Task<MqttReasonCode> PublishRetainedAsync(BrokerHarness client, string topic, string payload, ushort id, MqttQos qos = MqttQos.AtLeastOnce)
    {
        await PublishAsync(client, topic, payload, qos, id);
        MqttPacket ack = await client.ReceiveAsync();
        Assert.Equal(qos == MqttQos.AtLeastOnce ? MqttPacketType.PubAck : MqttPacketType.PubRec, ack.Type);
        Assert.Equal(id, ack.Ack.PacketId);
        return ack.Ack.ReasonCode;
    }

    [Fact]
    public async Task RetainedPerAccount_CountReached_V5QuotaExceededAndStoredKept()
    {
        var broker = BrokerHarness.NewBroker(Options(o => o with { MaxRetainedPerAccount = 2 }));
        await using var client = new BrokerHarness(broker);
        await client.ConnectAsync("c");

        Assert.Equal(MqttReasonCode.Success, await PublishRetainedAsync(client, "r/1", "one", 1));
        Assert.Equal(MqttReasonCode.Success, await PublishRetainedAsync(client, "r/2", "two", 2));
        Assert.Equal(MqttReasonCode.QuotaExceeded, await PublishRetainedAsync(client, "r/3", "three", 3));
        Assert.Equal(MqttReasonCode.QuotaExceeded, await PublishRetainedAsync(client, "r/4", "four", 4, MqttQos.ExactlyOnce));
        // Replacing its own does not grow the count; deleting makes room.
        Assert.Equal(MqttReasonCode.Success, await PublishRetainedAsync(client, "r/1", "uno", 5));
        Assert.Equal(MqttReasonCode.Success, await PublishRetainedAsync(client, "r/2", "", 6));
        Assert.Equal(MqttReasonCode.Success, await PublishRetainedAsync(client, "r/3", "three", 7));

        Assert.Equal(2, broker.RetainedCount);
        Assert.Equal(["r/1 uno", "r/3 three"], broker.RetainedMessages().Select(m => $"{m.Topic} {Encoding.UTF8.GetString(m.Payload.Span)}").Order());
    }

    [Fact]
    public async Task RetainedPerAccount_RefusedMessage_NotDeliveredEither()
    {
        var broker = BrokerHarness.NewBroker(Options(o => o with { MaxRetainedPerAccount = 1 }));
        await using var watcher = new BrokerHarness(broker);
        await watcher.ConnectAsync("w");
        await watcher.SubscribeAsync("r/#", new MqttSubscriptionOptions(MqttQos.AtMostOnce));
        await using var client = new BrokerHarness(broker);
        await client.ConnectAsync("c");

        Assert.Equal(MqttReasonCode.Success, await PublishRetainedAsync(client, "r/1", "kept", 1));
        Assert.Equal(MqttReasonCode.QuotaExceeded, await PublishRetainedAsync(client, "r/2", "refused", 2));
        await PublishAsync(client, "r/marker", "live", MqttQos.AtMostOnce, 0, retain: false);

        Assert.Equal("r/1", Encoding.UTF8.GetString((await watcher.ReceiveAsync()).Publish.Topic.Span));
        Assert.Equal("r/marker", Encoding.UTF8.GetString((await watcher.ReceiveAsync()).Publish.Topic.Span));
    }

    [Fact]
    public async Task RetainedPerAccount_Bytes_GrowingReplacementRefusedSmallerAllowed()
    {
        // "r/1" + 60 bytes = 63 of 100.
        var broker = BrokerHarness.NewBroker(Options(o => o with { MaxRetainedBytesPerAccount = 100 }));
        await using var client = new BrokerHarness(broker);
        await client.ConnectAsync("c");

        Assert.Equal(MqttReasonCode.Success, await PublishRetainedAsync(client, "r/1", new string('a', 60), 1));
        Assert.Equal(MqttReasonCode.QuotaExceeded, await PublishRetainedAsync(client, "r/2", new string('b', 40), 2));
        Assert.Equal(MqttReasonCode.QuotaExceeded, await PublishRetainedAsync(client, "r/1", new string('c', 98), 3));
        Assert.Equal(MqttReasonCode.Success, await PublishRetainedAsync(client, "r/1", new string('d', 90), 4));
        Assert.Equal((1, 93L), broker.RetainedUsage(null));
        Assert.Equal(new string('d', 90), Encoding.UTF8.GetString(broker.RetainedMessages().Single().Payload.Span));
    }

    [Fact]
    public async Task RetainedNodeWide_NodeMessagesCount_ClientRefusedNodeDeliveredButNotKept()
    {
        var broker = BrokerHarness.NewBroker(Options(o => o with { MaxRetained = 2 }));
        await using var watcher = new BrokerHarness(broker);
        await watcher.ConnectAsync("w");
        await watcher.SubscribeAsync("n/#", new MqttSubscriptionOptions(MqttQos.AtMostOnce));
        await using var client = new BrokerHarness(broker);
        await client.ConnectAsync("c");

        broker.Publish(new MqttMessage("n/node", "from the node"u8.ToArray(), retain: true), MqttMessageOrigin.Node);
        Assert.Equal("n/node", Encoding.UTF8.GetString((await watcher.ReceiveAsync()).Publish.Topic.Span));
        Assert.Equal(MqttReasonCode.Success, await PublishRetainedAsync(client, "n/1", "one", 1));
        Assert.Equal("n/1", Encoding.UTF8.GetString((await watcher.ReceiveAsync()).Publish.Topic.Span));
        Assert.Equal(MqttReasonCode.QuotaExceeded, await PublishRetainedAsync(client, "n/2", "two", 2));

        broker.Publish(new MqttMessage("n/node2", "delivered"u8.ToArray(), retain: true), MqttMessageOrigin.Node);
        Assert.Equal("n/node2", Encoding.UTF8.GetString((await watcher.ReceiveAsync()).Publish.Topic.Span));
        Assert.Equal(["n/1", "n/node"], broker.RetainedMessages().Select(m => m.Topic).Order());
    }

    [Fact]
    public async Task RetainedPerAccount_V311_AcknowledgedButDropped()
    {
        var broker = BrokerHarness.NewBroker(Options(o => o with { MaxRetainedPerAccount = 1 }));
        await using var watcher = new BrokerHarness(broker);
        await watcher.ConnectAsync("w");
        await watcher.SubscribeAsync("v3/#", new MqttSubscriptionOptions(MqttQos.AtMostOnce));
        await using var client = new BrokerHarness(broker, MqttProtocolVersion.V311);
        await client.ConnectAsync("old");

        Assert.Equal(MqttReasonCode.Success, await PublishRetainedAsync(client, "v3/1", "kept", 1));
        Assert.Equal(MqttReasonCode.Success, await PublishRetainedAsync(client, "v3/2", "dropped", 2));
        await PublishAsync(client, "v3/marker", "live", MqttQos.AtMostOnce, 0, retain: false);

        Assert.Equal("v3/1", Encoding.UTF8.GetString((await watcher.ReceiveAsync()).Publish.Topic.Span));
        Assert.Equal("v3/marker", Encoding.UTF8.GetString((await watcher.ReceiveAsync()).Publish.Topic.Span));
        Assert.Equal(1, broker.RetainedCount);
    }

    [Fact]
    public async Task RetainedOwner_SurvivesRestart_LimitStillHolds()
    {
        string dir = Directory.CreateTempSubdirectory("edgenode-mqtt-limits-").FullName;
        try
        {
            MqttOptions options = Options(o => o with { MaxRetainedPerAccount = 1 });
            using (var store = Store.Open(dir, MqttMigrations.Set))
            {
                var storage = new MqttBrokerStorage(store);
                var broker = new MqttBroker(options, new MqttMessageHub(), NullLogger.Instance, storage);
                await using (new StorageWriter(storage))
                await using (var client = new BrokerHarness(broker))
                {
                    await client.ConnectAsync("c");
                    Assert.Equal(MqttReasonCode.Success, await PublishRetainedAsync(client, "p/1", "kept", 1));
                }

                storage.Flush();
            }

            using (var store = Store.Open(dir, MqttMigrations.Set))
            {
                var broker = new MqttBroker(options, new MqttMessageHub(), NullLogger.Instance, new MqttBrokerStorage(store));
                broker.Load();
                Assert.Equal((1, 7L), broker.RetainedUsage(null));
                await using var client = new BrokerHarness(broker);
                await client.ConnectAsync("c");
                Assert.Equal(MqttReasonCode.QuotaExceeded, await PublishRetainedAsync(client, "p/2", "refused", 1));
                Assert.Equal(["p/1"], broker.RetainedMessages().Select(m => m.Topic));
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void RetainedFromSchemaOne_UpgradedAndLoaded_CountsForNoAccount()
    {
        string dir = Directory.CreateTempSubdirectory("edgenode-mqtt-upgrade-").FullName;
        try
        {
            using (var store = Store.Open(dir, MqttMigrations.Set.UpTo(1)))
            {
                store.Write(tx =>
                {
                    using var insert = tx.Command("INSERT INTO mqtt_retained (topic, payload, qos, properties, stored_at) VALUES ($t, $p, 0, $r, $s)");
                    insert.Parameters.AddWithValue("$t", "old/1"u8.ToArray());
                    insert.Parameters.AddWithValue("$p", "before the upgrade"u8.ToArray());
                    insert.Parameters.AddWithValue("$r", Array.Empty<byte>());
                    insert.Parameters.AddWithValue("$s", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                    insert.ExecuteNonQuery();
                });
            }

            using (var store = Store.Open(dir, MqttMigrations.Set))
            {
                Assert.Equal(MqttMigrations.Set.Latest, store.SchemaVersion("mqtt"));
                var broker = new MqttBroker(Options(o => o), new MqttMessageHub(), NullLogger.Instance, new MqttBrokerStorage(store));
                broker.Load();
                Assert.Equal("before the upgrade", Encoding.UTF8.GetString(Assert.Single(broker.RetainedMessages()).Payload.Span));
                Assert.Equal((0, 0L), broker.RetainedUsage(null));
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task SessionsPerAccount_NewPersistentSessionBeyondLimit_Refused()
    {
        var broker = BrokerHarness.NewBroker(Options(o => o with { MaxSessionsPerAccount = 1 }));
        var persistent = new MqttProperties { SessionExpiryInterval = 600 };
        var first = new BrokerHarness(broker);
        await first.ConnectAsync("a", cleanStart: false, persistent);
        await first.DisposeAsync();

        await using var second = new BrokerHarness(broker);
        Assert.Equal(MqttReasonCode.QuotaExceeded, (await second.TryConnectAsync("b", cleanStart: false, new MqttProperties { SessionExpiryInterval = 600 })).ReasonCode);
        await using var clean = new BrokerHarness(broker);
        Assert.Equal(MqttReasonCode.Success, (await clean.TryConnectAsync("b")).ReasonCode);
        await using var back = new BrokerHarness(broker);
        MqttConnAck resumed = await back.TryConnectAsync("a", cleanStart: false, new MqttProperties { SessionExpiryInterval = 600 });
        Assert.Equal(MqttReasonCode.Success, resumed.ReasonCode);
        Assert.True(resumed.SessionPresent);
    }

    [Fact]
    public async Task SessionsPerAccount_V311CleanSessionZeroBeyondLimit_Refused()
    {
        var broker = BrokerHarness.NewBroker(Options(o => o with { MaxSessionsPerAccount = 1 }));
        await using var first = new BrokerHarness(broker, MqttProtocolVersion.V311);
        await first.ConnectAsync("a", cleanStart: false);
        await using var second = new BrokerHarness(broker, MqttProtocolVersion.V311);
        MqttConnAck refused = await second.TryConnectAsync("b", cleanStart: false);
        Assert.Equal(MqttReasonCode.ServerUnavailable, refused.ReasonCode);
        Assert.Equal(1, broker.SessionCount);
    }

    [Fact]
    public async Task QueuedBytes_OfflineSession_NewerMessagesDroppedBeyondLimit()
    {
        // Each message holds "q/x" (3) + 100 bytes: two fit in 250, the third does not.
        var broker = BrokerHarness.NewBroker(Options(o => o with { MaxQueuedBytes = 250 }));
        var persistent = new MqttProperties { SessionExpiryInterval = 600 };
        var away = new BrokerHarness(broker);
        await away.ConnectAsync("away", cleanStart: false, persistent);
        await away.SubscribeAsync("q/#", new MqttSubscriptionOptions(MqttQos.AtLeastOnce));
        await away.DisposeAsync();

        await using var publisher = new BrokerHarness(broker);
        await publisher.ConnectAsync("p");
        for (ushort i = 1; i <= 4; i++)
        {
            await PublishAsync(publisher, $"q/{i}", new string('x', 100), MqttQos.AtLeastOnce, i, retain: false);
            Assert.Equal(MqttReasonCode.Success, (await publisher.ReceiveAsync()).Ack.ReasonCode);
        }

        await using var back = new BrokerHarness(broker);
        await back.ConnectAsync("away", cleanStart: false, persistent);
        Assert.Equal("q/1", Encoding.UTF8.GetString((await back.ReceiveAsync()).Publish.Topic.Span));
        Assert.Equal("q/2", Encoding.UTF8.GetString((await back.ReceiveAsync()).Publish.Topic.Span));
        await PublishAsync(publisher, "q/marker", "m", MqttQos.AtLeastOnce, 9, retain: false);
        Assert.Equal("q/marker", Encoding.UTF8.GetString((await back.ReceiveAsync()).Publish.Topic.Span));
    }
}
