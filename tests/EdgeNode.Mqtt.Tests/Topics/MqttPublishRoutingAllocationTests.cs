using System.Buffers;
using EdgeNode.Mqtt.Codec;
using EdgeNode.Mqtt.Tests.Codec.Support;
using EdgeNode.Mqtt.Topics;

namespace EdgeNode.Mqtt.Tests.Topics;

public class MqttPublishRoutingAllocationTests
{
    [Fact]
    public void DecodeAndMatch_TenThousandPublishes_AllocatesNothing()
    {
        var tree = new SubscriptionTree<int>();
        for (int i = 0; i < 300; i++)
        {
            tree.Subscribe(i, $"tele/plug{i}/+", new MqttSubscriptionOptions(MqttQos.AtMostOnce));
        }

        tree.Subscribe(1000, "tele/#", new MqttSubscriptionOptions(MqttQos.AtLeastOnce));
        tree.Subscribe(1001, "$share/g/tele/+/SENSOR", new MqttSubscriptionOptions(MqttQos.AtMostOnce));
        tree.Subscribe(1002, "$share/g/tele/+/SENSOR", new MqttSubscriptionOptions(MqttQos.AtMostOnce));

        byte[] v5 = PacketCodec.Write(o => MqttPacketWriter.WritePublish(o, MqttProtocolVersion.V500, new MqttPublishHeader(MqttQos.AtLeastOnce, 5),
            "tele/plug42/SENSOR"u8, "{\"power\":12.5}"u8, new MqttPublishProperties { MessageExpiryInterval = 30 }));
        byte[] v3 = PacketCodec.Write(o => MqttPacketWriter.WritePublish(o, MqttProtocolVersion.V311, default, "tele/plug7/STATE"u8, "ON"u8));

        // Single segment, and split inside the topic so the scratch-copy path runs too.
        ReadOnlySequence<byte>[] inputs =
        [
            new ReadOnlySequence<byte>(v5),
            Segments.Split(v5, 9),
            Segments.Split(v5, 4, 20),
            new ReadOnlySequence<byte>(v3),
            Segments.Split(v3, 8),
        ];
        MqttProtocolVersion[] versions = [MqttProtocolVersion.V500, MqttProtocolVersion.V500, MqttProtocolVersion.V500, MqttProtocolVersion.V311, MqttProtocolVersion.V311];
        var readers = versions.Select(v => new MqttPacketReader(version: v)).ToArray();

        var counter = new CountingVisitor();
        Run(readers, inputs, tree, ref counter, 1_000);

        counter = default;
        long before = GC.GetAllocatedBytesForCurrentThread();
        Run(readers, inputs, tree, ref counter, 10_000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(10_000 / inputs.Length * (3 * 3 + 2 * 2), counter.Count); // v5: plug42/+, tele/#, one shared; v3: plug7/+, tele/#
    }

    // Fully optimised from its first call: in a Release build this loop would otherwise start as tier-0 code and be
    // replaced on the stack (OSR) partway through the measured run, which allocates 40 bytes on this thread that
    // the code under test does not.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void Run(MqttPacketReader[] readers, ReadOnlySequence<byte>[] inputs, SubscriptionTree<int> tree, ref CountingVisitor visitor, int count)
    {
        for (int i = 0; i < count; i++)
        {
            int which = i % inputs.Length;
            var input = new SequenceReader<byte>(inputs[which]);
            if (!readers[which].TryRead(ref input, out MqttPacket packet))
            {
                throw new InvalidOperationException("The sample packet is complete.");
            }

            tree.Match(packet.Publish.Topic.Span, ref visitor);
            visitor.Bytes += packet.Publish.Payload.Length;
        }
    }

    private struct CountingVisitor : ISubscriptionVisitor<int>
    {
        public int Count;
        public long Bytes;

        public void Visit(in MatchedSubscription<int> match) => Count++;
    }
}
