using EdgeNode.Core.Configuration;
using EdgeNode.Core.Storage;
using EdgeNode.Mqtt.Broker;
using EdgeNode.Mqtt.Codec;
using EdgeNode.Mqtt.Messaging;
using EdgeNode.Mqtt.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeNode.Mqtt.Tests.Broker;

/// <summary>Subscriptions per session and per account, and what a SUBSCRIBE costs the database: its own rows only.</summary>
public class MqttSubscriptionLimitsTests
{
    private static readonly MqttProperties Persistent = new() { SessionExpiryInterval = 600 };

    private static MqttOptions Options(Func<MqttOptions, MqttOptions> change) =>
        change(new MqttOptions { Port = 1883, TlsPort = 0, AnonymousLoopback = true, SysInterval = TimeSpan.Zero });

    private static async Task<List<MqttReasonCode>> SubscribeManyAsync(BrokerHarness client, ushort packetId, IEnumerable<string> filters)
    {
        var subscribe = new MqttSubscribe { PacketId = packetId };
        foreach (string filter in filters)
        {
            subscribe.Subscriptions.Add(new MqttSubscription(filter, new MqttSubscriptionOptions(MqttQos.AtLeastOnce)));
        }

        await client.SendAsync(subscribe);
        var ack = (MqttSubAck)(await client.ReceiveAsync()).Control!;
        Assert.Equal(packetId, ack.PacketId);
        return ack.ReasonCodes;
    }

    private static long StoredSubscriptions(Store store, string clientId) => store.Read(c =>
    {
        using var query = c.Command("SELECT count(*) FROM mqtt_subscriptions WHERE client_id = $c");
        query.Parameters.AddWithValue("$c", clientId);
        return (long)query.ExecuteScalar()!;
    });

    [Fact]
    public async Task Subscribe_PerSessionLimitReachedWithinOnePacket_RestRefusedQuotaExceeded()
    {
        var broker = BrokerHarness.NewBroker(Options(o => o with { MaxSubscriptionsPerSession = 3 }));
        await using var client = new BrokerHarness(broker);
        await client.ConnectAsync("c");

        List<MqttReasonCode> codes = await SubscribeManyAsync(client, 1, ["a/1", "a/2", "a/3", "a/4", "a/5"]);

        Assert.Equal([MqttReasonCode.GrantedQos1, MqttReasonCode.GrantedQos1, MqttReasonCode.GrantedQos1, MqttReasonCode.QuotaExceeded, MqttReasonCode.QuotaExceeded], codes);
        Assert.Equal(3, broker.SubscriptionCount);
        // Replacing one it has is still allowed at the limit; unsubscribing makes room.
        Assert.Equal([MqttReasonCode.GrantedQos1], await SubscribeManyAsync(client, 2, ["a/2"]));
        await client.SendAsync(new MqttUnsubscribe { PacketId = 3, TopicFilters = { "a/1" } });
        Assert.Equal(MqttPacketType.UnsubAck, (await client.ReceiveAsync()).Type);
        Assert.Equal([MqttReasonCode.GrantedQos1, MqttReasonCode.QuotaExceeded], await SubscribeManyAsync(client, 4, ["a/4", "a/5"]));
    }

    [Fact]
    public async Task Subscribe_V311PastPerSessionLimit_FailureReturnCodeOnTheWire()
    {
        var broker = BrokerHarness.NewBroker(Options(o => o with { MaxSubscriptionsPerSession = 1 }));
        await using var client = new BrokerHarness(broker, MqttProtocolVersion.V311);
        await client.ConnectAsync("c");

        var subscribe = new MqttSubscribe { PacketId = 7 };
        subscribe.Subscriptions.Add(new MqttSubscription("a/1", new MqttSubscriptionOptions(MqttQos.AtLeastOnce)));
        subscribe.Subscriptions.Add(new MqttSubscription("a/2", new MqttSubscriptionOptions(MqttQos.AtLeastOnce)));
        var wire = new System.Buffers.ArrayBufferWriter<byte>();
        MqttPacketWriter.Write(wire, MqttProtocolVersion.V311, new MqttSubAck { PacketId = 7, ReasonCodes = { MqttReasonCode.GrantedQos1, MqttReasonCode.QuotaExceeded } });

        Assert.Equal(new byte[] { 0x90, 0x04, 0x00, 0x07, 0x01, 0x80 }, wire.WrittenSpan.ToArray());
        await client.SendAsync(subscribe);
        var ack = (MqttSubAck)(await client.ReceiveAsync()).Control!;
        Assert.Equal([MqttReasonCode.GrantedQos1, MqttReasonCode.UnspecifiedError], ack.ReasonCodes); // 0x80 read back as 3.1.1
    }

    [Fact]
    public async Task Subscribe_PerAccountLimitAcrossSessions_RefusedAndFreedWhenSessionEnds()
    {
        var broker = BrokerHarness.NewBroker(Options(o => o with { MaxSubscriptionsPerAccount = 3 }));
        var first = new BrokerHarness(broker);
        await first.ConnectAsync("one");
        Assert.Equal([MqttReasonCode.GrantedQos1, MqttReasonCode.GrantedQos1], await SubscribeManyAsync(first, 1, ["a/1", "a/2"]));
        await using var second = new BrokerHarness(broker);
        await second.ConnectAsync("two");

        Assert.Equal([MqttReasonCode.GrantedQos1, MqttReasonCode.QuotaExceeded], await SubscribeManyAsync(second, 1, ["b/1", "b/2"]));
        await first.DisposeAsync();
        await BrokerHarness.WaitUntilAsync(() => broker.SubscriptionsOf(null) == 1, "the ended clean session to give its subscriptions back");
        Assert.Equal([MqttReasonCode.GrantedQos1], await SubscribeManyAsync(second, 2, ["b/2"]));
    }

    [Fact]
    public async Task Subscribe_PersistentSessionWithManySubscriptions_WritesOnlyItsOwnRows()
    {
        string dir = Directory.CreateTempSubdirectory("edgenode-mqtt-subrows-").FullName;
        try
        {
            using var store = Store.Open(dir, MqttMigrations.Set);
            var storage = new MqttBrokerStorage(store);
            var broker = new MqttBroker(Options(o => o), new MqttMessageHub(), NullLogger.Instance, storage);
            await using var writer = new StorageWriter(storage);
            await using var client = new BrokerHarness(broker);
            await client.ConnectAsync("keeper", cleanStart: false, Persistent);
            for (int i = 0; i < 5; i++)
            {
                await SubscribeManyAsync(client, (ushort)(i + 1), Enumerable.Range(i * 100, 100).Select(n => $"s/{n}"));
            }

            // Each SUBACK came once its rows were written.
            Assert.Equal(500, StoredSubscriptions(store, "\u001Fkeeper"));

            long queued = storage.Queued;
            await SubscribeManyAsync(client, 10, ["s/new"]);
            Assert.Equal(1, storage.Queued - queued); // one row, not the session's 501

            queued = storage.Queued;
            await client.SendAsync(new MqttUnsubscribe { PacketId = 11, TopicFilters = { "s/0", "s/1" } });
            Assert.Equal(MqttPacketType.UnsubAck, (await client.ReceiveAsync()).Type);
            Assert.Equal(2, storage.Queued - queued);
            Assert.Equal(499, StoredSubscriptions(store, "\u001Fkeeper"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Flush_ManyQueuedChanges_WrittenInTransactionsOfBoundedSize()
    {
        string dir = Directory.CreateTempSubdirectory("edgenode-mqtt-batches-").FullName;
        try
        {
            using var store = Store.Open(dir, MqttMigrations.Set);
            var storage = new MqttBrokerStorage(store);
            var broker = new MqttBroker(Options(o => o), new MqttMessageHub(), NullLogger.Instance, storage);
            await using var client = new BrokerHarness(broker);
            await client.ConnectAsync("keeper", cleanStart: false, Persistent);
            var subscribe = new MqttSubscribe { PacketId = 1 };
            foreach (int n in Enumerable.Range(0, 1000))
            {
                subscribe.Subscriptions.Add(new MqttSubscription($"s/{n}", new MqttSubscriptionOptions(MqttQos.AtLeastOnce)));
            }

            await client.SendAsync(subscribe);
            // The SUBACK waits for the write, which the test does itself.
            using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
            {
                Assert.True(await storage.WaitForWriteRequestAsync(timeout.Token));
            }

            long before = store.Version().Local;

            Assert.Equal(1001, storage.Flush()); // the session row and its 1,000 subscriptions

            Assert.Equal((1001 + MqttBrokerStorage.MaxChangesPerTransaction - 1) / MqttBrokerStorage.MaxChangesPerTransaction, store.Version().Local - before);
            Assert.Equal(1000, StoredSubscriptions(store, "\u001Fkeeper"));
            Assert.Equal(1000, ((MqttSubAck)(await client.ReceiveAsync()).Control!).ReasonCodes.Count);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Load_StoredSubscriptionsBeyondLoweredLimit_KeptAndCountedForTheAccount()
    {
        string dir = Directory.CreateTempSubdirectory("edgenode-mqtt-subload-").FullName;
        try
        {
            using var store = Store.Open(dir, MqttMigrations.Set);
            var storage = new MqttBrokerStorage(store);
            var before = new MqttBroker(Options(o => o), new MqttMessageHub(), NullLogger.Instance, storage);
            await using (new StorageWriter(storage))
            await using (var client = new BrokerHarness(before))
            {
                await client.ConnectAsync("keeper", cleanStart: false, Persistent);
                await SubscribeManyAsync(client, 1, ["s/1", "s/2", "s/3"]);
            }

            storage.Flush();
            var after = new MqttBroker(Options(o => o with { MaxSubscriptionsPerSession = 2 }), new MqttMessageHub(), NullLogger.Instance, new MqttBrokerStorage(store));
            after.Load();

            Assert.Equal(3, after.SubscriptionCount);
            Assert.Equal(3, after.SubscriptionsOf(null));
            await using var back = new BrokerHarness(after);
            await back.ConnectAsync("keeper", cleanStart: false, Persistent);
            Assert.Equal([MqttReasonCode.QuotaExceeded], await SubscribeManyAsync(back, 2, ["s/4"]));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Load_SessionStoredBeforeAccountKeys_ResumedAndChangedUnderItsOldRowKey()
    {
        string dir = Directory.CreateTempSubdirectory("edgenode-mqtt-legacy-").FullName;
        try
        {
            using var store = Store.Open(dir, MqttMigrations.Set);
            store.Write(tx =>
            {
                using var session = tx.Command("INSERT INTO mqtt_sessions (client_id, expiry_seconds, disconnected_at, username) VALUES ('old', 600, NULL, NULL)");
                session.ExecuteNonQuery();
                using var subscription = tx.Command("INSERT INTO mqtt_subscriptions (client_id, filter, options, identifier) VALUES ('old', 'o/1', 1, 0)");
                subscription.ExecuteNonQuery();
            });
            var storage = new MqttBrokerStorage(store);
            var broker = new MqttBroker(Options(o => o), new MqttMessageHub(), NullLogger.Instance, storage);
            broker.Load();
            await using var writer = new StorageWriter(storage);
            await using var client = new BrokerHarness(broker);

            MqttConnAck resumed = await client.TryConnectAsync("old", cleanStart: false, Persistent);
            Assert.True(resumed.SessionPresent);
            await SubscribeManyAsync(client, 1, ["o/2"]);
            storage.Flush();

            Assert.Equal(2, StoredSubscriptions(store, "old"));
            Assert.Equal(0, StoredSubscriptions(store, "\u001Fold"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
