using System.Buffers;
using System.Text;
using EdgeNode.Mqtt.Broker;
using EdgeNode.Mqtt.Codec;

namespace EdgeNode.Mqtt.Tests.Broker;

/// <summary>
/// A client that publishes and never reads: its output stays within the connection's bound, the broker stops reading
/// from it, its QoS 1 deliveries wait in its session, and everybody else is still served.
/// </summary>
public class MqttBackpressureTests
{
    private const int Bound = 4096;
    private const int Flood = 2000;

    private static byte[] Publishes(string topic, int count, int payloadSize, ushort firstId = 1)
    {
        var buffer = new ArrayBufferWriter<byte>();
        byte[] payload = new byte[payloadSize];
        for (int i = 0; i < count; i++)
        {
            MqttPacketWriter.WritePublish(buffer, MqttProtocolVersion.V500, new MqttPublishHeader(MqttQos.AtLeastOnce, (ushort)(firstId + i)),
                Encoding.UTF8.GetBytes(topic), payload);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static async Task<(BrokerHarness Slow, BrokerHarness Watcher)> FloodAsync(MqttBroker broker, ushort keepAlive = 60)
    {
        var slow = new BrokerHarness(broker);
        await slow.ConnectAsync("slow", keepAlive: keepAlive);
        await slow.SubscribeAsync("load/#", new MqttSubscriptionOptions(MqttQos.AtLeastOnce));
        var watcher = new BrokerHarness(broker);
        await watcher.ConnectAsync("watcher");
        await watcher.SubscribeAsync("load/#", new MqttSubscriptionOptions(MqttQos.AtMostOnce));

        slow.Drain();
        slow.Output.Stall();
        byte[] flood = Publishes("load/slow", Flood, 100);
        await slow.SendAsync(w => w.Write(flood));
        var connection = slow.Connection("slow");
        await BrokerHarness.WaitUntilAsync(() => connection.IsBacklogged, "the slow client's output reached its bound");
        return (slow, watcher);
    }

    [Fact]
    public async Task ClientNeverReads_OutputStaysWithinBoundAndReadingStops()
    {
        var broker = BrokerHarness.NewBroker();
        broker.BacklogLimit = Bound;
        (BrokerHarness slow, BrokerHarness watcher) = await FloodAsync(broker);
        await using var _ = watcher;
        var connection = slow.Connection("slow");
        var session = connection.Session!;

        long received = broker.Stats.PublishReceived;
        Assert.True(received < Flood, $"the broker read all {received} PUBLISHes of a client that takes no acknowledgements");
        Assert.True(slow.Output.MaxLength <= Bound, $"{slow.Output.MaxLength} bytes waited for a socket bounded at {Bound}");
        Assert.True(connection.Unsent <= Bound);
        // Its own QoS 1 deliveries wait in its session, beyond the in-flight window, instead of going into the output.
        Assert.True(session.QueuedCount > broker.Options.MaxInflight, $"only {session.QueuedCount} messages wait in the session");

        // The socket takes everything again: the broker reads the rest and the session's messages flow.
        slow.Output.Flow();
        await BrokerHarness.WaitUntilAsync(() => broker.Stats.PublishReceived == Flood, "the broker read the rest of the flood");
        await slow.DisposeAsync();
    }

    [Fact]
    public async Task ClientNeverReads_OtherClientsStillServed()
    {
        var broker = BrokerHarness.NewBroker();
        broker.BacklogLimit = Bound;
        (BrokerHarness slow, BrokerHarness watcher) = await FloodAsync(broker);
        await using var _ = watcher;
        await using var publisher = new BrokerHarness(broker);
        await publisher.ConnectAsync("publisher");

        byte[] burst = Publishes("load/other", 50, 20);
        await publisher.SendAsync(w => w.Write(burst));
        for (int i = 0; i < 50; i++)
        {
            MqttPacket ack = await publisher.ReceiveAsync();
            Assert.Equal(MqttPacketType.PubAck, ack.Type);
            Assert.Equal((ushort)(i + 1), ack.Ack.PacketId);
        }

        int others = 0;
        while (others < 50)
        {
            MqttPacket packet = await watcher.ReceiveAsync();
            if (Encoding.UTF8.GetString(packet.Publish.Topic.Span) == "load/other")
            {
                others++;
            }
        }

        Assert.True(slow.Output.MaxLength <= Bound);
        Assert.True(slow.Connection("slow").IsBacklogged);
        slow.Output.Flow();
        await slow.DisposeAsync();
    }

    [Fact]
    public async Task BacklogNeverDrains_ClosedWithQuotaExceededAfterTimeoutNotKeepAlive()
    {
        var broker = BrokerHarness.NewBroker();
        broker.BacklogLimit = Bound;
        (BrokerHarness slow, BrokerHarness watcher) = await FloodAsync(broker, keepAlive: 10);
        await using var _ = watcher;
        await using var __ = slow;
        var connection = slow.Connection("slow");
        long now = Environment.TickCount64;

        // Past its keep-alive window (15 s), but the broker is the one not reading: not closed yet.
        connection.CheckTimers(now + 20_000);
        Assert.False(connection.IsClosing);

        connection.CheckTimers(now + 31_000);
        Assert.True(connection.IsClosing);
        await BrokerHarness.WaitUntilAsync(() => slow.Closed, "the stalled connection was closed");

        // What the broker wrote last, still in the socket that never took it, is the reason.
        MqttPacket last = default;
        try
        {
            while (true)
            {
                last = await slow.ReceiveAsync();
            }
        }
        catch (EndOfStreamException)
        {
        }

        Assert.Equal(MqttPacketType.Disconnect, last.Type);
        Assert.Equal(MqttReasonCode.QuotaExceeded, ((MqttDisconnect)last.Control!).ReasonCode);
        int disconnect = MqttPacketWriter.GetSize(MqttProtocolVersion.V500, new MqttDisconnect { ReasonCode = MqttReasonCode.QuotaExceeded });
        Assert.True(slow.Output.MaxLength <= Bound + disconnect, "only the DISCONNECT may go past the bound");
        await BrokerHarness.WaitUntilAsync(() => broker.Stats.Connected == 1, "the session let go of the connection");
    }

    [Fact]
    public async Task PacketArrivingInHalves_HeldWhenOutputFull_ReadAgainAfterDrain()
    {
        const int bound = 1000;
        var broker = BrokerHarness.NewBroker();
        broker.BacklogLimit = bound;
        await using var slow = new BrokerHarness(broker);
        await slow.ConnectAsync("slow");
        await slow.SubscribeAsync("fill/#", new MqttSubscriptionOptions(MqttQos.AtMostOnce));
        await using var filler = new BrokerHarness(broker);
        await filler.ConnectAsync("filler");
        var connection = slow.Connection("slow");
        slow.Drain();
        slow.Output.Stall();

        // A whole PUBLISH and the first half of the next: the broker acknowledges the one and examines the other.
        byte[] two = Publishes("x/1", 2, 50);
        int half = two.Length / 2 + 10;
        long before = broker.Stats.PacketsReceived;
        await slow.SendAsync(w => w.Write(two.AsSpan(0, half)));
        await BrokerHarness.WaitUntilAsync(() => broker.Stats.PacketsReceived == before + 1 && connection.Unsent == 4, "the first PUBLISH was acknowledged");

        // Another client's message fills the slow client's output to 2 bytes short of the bound: no room for a PUBACK.
        int payload = bound - 4 - 2;
        while (MqttPacketWriter.GetPublishSize(MqttProtocolVersion.V500, new MqttPublishHeader(MqttQos.AtMostOnce), "fill/1".Length, payload) > bound - 4 - 2)
        {
            payload--;
        }

        await filler.SendAsync(w => MqttPacketWriter.WritePublish(w, MqttProtocolVersion.V500, new MqttPublishHeader(MqttQos.AtMostOnce),
            "fill/1"u8, new byte[payload]));
        await BrokerHarness.WaitUntilAsync(() => connection.Unsent == bound - 2, "the filler's message reached the slow client");

        await slow.SendAsync(w => w.Write(two.AsSpan(half)));
        await BrokerHarness.WaitUntilAsync(() => connection.IsBacklogged, "the second PUBLISH was held");
        Assert.False(connection.IsClosing);
        Assert.Equal(before + 2, broker.Stats.PacketsReceived); // the first half's PUBLISH and the filler's, not the held one
        Assert.True(slow.Output.MaxLength <= bound);

        slow.Output.Flow();
        Assert.Equal(MqttPacketType.PubAck, (await slow.ReceiveAsync()).Type);
        Assert.Equal("fill/1", System.Text.Encoding.UTF8.GetString((await slow.ReceiveAsync()).Publish.Topic.Span));
        MqttPacket second = await slow.ReceiveAsync();
        Assert.Equal(MqttPacketType.PubAck, second.Type);
        Assert.Equal(2, second.Ack.PacketId);
    }
}
