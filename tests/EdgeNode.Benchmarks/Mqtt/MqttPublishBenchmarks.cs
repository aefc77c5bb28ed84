using System.Buffers;
using BenchmarkDotNet.Attributes;
using EdgeNode.Mqtt.Codec;
using EdgeNode.Mqtt.Topics;

namespace EdgeNode.Benchmarks.Mqtt;

/// <summary>The broker's hot path: decode a PUBLISH from the receive buffer and find its subscribers.</summary>
[MemoryDiagnoser]
public class MqttPublishBenchmarks
{
    private readonly MqttPacketReader _reader = new(version: MqttProtocolVersion.V500);
    private readonly SubscriptionTree<int> _tree = new();
    private ReadOnlySequence<byte> _single;
    private ReadOnlySequence<byte> _split;

    [GlobalSetup]
    public void Setup()
    {
        var output = new ArrayBufferWriter<byte>();
        MqttPacketWriter.WritePublish(output, MqttProtocolVersion.V500, new MqttPublishHeader(MqttQos.AtLeastOnce, 17),
            "tele/plug42/SENSOR"u8, "{\"Time\":\"2024-06-01T12:00:00\",\"ENERGY\":{\"Power\":12.5,\"Voltage\":231}}"u8,
            new MqttPublishProperties { MessageExpiryInterval = 60 });
        byte[] packet = output.WrittenSpan.ToArray();
        _single = new ReadOnlySequence<byte>(packet);

        // Cut inside the topic, the worst place: the topic must then be copied to be contiguous.
        _split = TwoSegments(packet, 10);

        for (int i = 0; i < 300; i++)
        {
            _tree.Subscribe(i, $"tele/plug{i}/+", new MqttSubscriptionOptions(MqttQos.AtMostOnce));
        }

        _tree.Subscribe(1000, "tele/#", new MqttSubscriptionOptions(MqttQos.AtLeastOnce));
        _tree.Subscribe(1001, "$share/g/tele/+/SENSOR", new MqttSubscriptionOptions(MqttQos.AtMostOnce));
        _tree.Subscribe(1002, "$share/g/tele/+/SENSOR", new MqttSubscriptionOptions(MqttQos.AtMostOnce));
    }

    [Benchmark(Baseline = true)]
    public long DecodePublishSingleSegment() => Decode(_single).Payload.Length;

    [Benchmark]
    public long DecodePublishTwoSegments() => Decode(_split).Payload.Length;

    [Benchmark]
    public int DecodeAndMatch()
    {
        MqttPublish publish = Decode(_single);
        var visitor = new CountingVisitor();
        _tree.Match(publish.Topic.Span, ref visitor);
        return visitor.Count;
    }

    private MqttPublish Decode(ReadOnlySequence<byte> buffer)
    {
        var input = new SequenceReader<byte>(buffer);
        _reader.TryRead(ref input, out MqttPacket packet);
        return packet.Publish;
    }

    private static ReadOnlySequence<byte> TwoSegments(byte[] data, int cut)
    {
        var first = new Segment(data.AsMemory(0, cut), 0);
        var second = new Segment(data.AsMemory(cut), cut);
        first.SetNext(second);
        return new ReadOnlySequence<byte>(first, 0, second, data.Length - cut);
    }

    private struct CountingVisitor : ISubscriptionVisitor<int>
    {
        public int Count;

        public void Visit(in MatchedSubscription<int> match) => Count++;
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public void SetNext(Segment next) => Next = next;
    }
}
