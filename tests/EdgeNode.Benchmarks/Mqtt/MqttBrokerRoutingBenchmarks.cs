using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using BenchmarkDotNet.Attributes;
using EdgeNode.Core.Configuration;
using EdgeNode.Mqtt.Broker;
using EdgeNode.Mqtt.Codec;
using EdgeNode.Mqtt.Messaging;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeNode.Benchmarks.Mqtt;

/// <summary>
/// The broker's whole hot path: decode a PUBLISH, match it in the subscription tree and write it into the
/// subscriber's connection output (a QoS 0 subscriber connected through the real connection code).
/// </summary>
[MemoryDiagnoser]
public class MqttBrokerRoutingBenchmarks
{
    private readonly MqttPacketReader _reader = new(version: MqttProtocolVersion.V500);
    private readonly SinkWriter _sink = new();
    private MqttBroker _broker = null!;
    private MqttSession _publisher = null!;
    private ReadOnlySequence<byte> _single;
    private ReadOnlySequence<byte> _split;
    private Pipe _input = null!;

    [GlobalSetup]
    public void Setup()
    {
        _broker = new MqttBroker(new MqttOptions { Port = 1883, TlsPort = 0, AnonymousLoopback = true, SysInterval = TimeSpan.Zero }, new MqttMessageHub(), NullLogger.Instance);
        _input = new Pipe();
        var context = new DefaultConnectionContext("bench", new Duplex(_input.Reader, _sink), new Duplex(PipeReader.Create(Stream.Null), _input.Writer))
        {
            RemoteEndPoint = new IPEndPoint(IPAddress.Loopback, 40000),
        };
        _ = _broker.ServeAsync(context);
        MqttPacketWriter.Write(_input.Writer, MqttProtocolVersion.V500, new MqttConnect { ClientId = "display", CleanStart = true, KeepAliveSeconds = 0 });
        var subscribe = new MqttSubscribe { PacketId = 1 };
        subscribe.Subscriptions.Add(new MqttSubscription("tele/+/SENSOR", new MqttSubscriptionOptions(MqttQos.AtMostOnce)));
        MqttPacketWriter.Write(_input.Writer, MqttProtocolVersion.V500, subscribe);
        _input.Writer.FlushAsync().AsTask().Wait();
        SpinWait.SpinUntil(() => _broker.SubscriptionCount == 1, TimeSpan.FromSeconds(10));
        _publisher = new MqttSession(_broker, "plug42");

        var output = new ArrayBufferWriter<byte>();
        MqttPacketWriter.WritePublish(output, MqttProtocolVersion.V500, new MqttPublishHeader(MqttQos.AtMostOnce),
            "tele/plug42/SENSOR"u8, "{\"Time\":\"2024-06-01T12:00:00\",\"ENERGY\":{\"Power\":12.5,\"Voltage\":231}}"u8,
            new MqttPublishProperties { MessageExpiryInterval = 60 });
        byte[] packet = output.WrittenSpan.ToArray();
        _single = new ReadOnlySequence<byte>(packet);
        var first = new Segment(packet.AsMemory(0, 10), 0);
        var second = new Segment(packet.AsMemory(10), 10);
        first.SetNext(second);
        _split = new ReadOnlySequence<byte>(first, 0, second, packet.Length - 10);
    }

    [Benchmark(Baseline = true)]
    public int DecodeRouteWriteSingleSegment() => Route(_single);

    [Benchmark]
    public int DecodeRouteWriteTwoSegments() => Route(_split);

    private int Route(ReadOnlySequence<byte> buffer)
    {
        var input = new SequenceReader<byte>(buffer);
        _reader.TryRead(ref input, out MqttPacket packet);
        _broker.PublishFromClient(_publisher, packet.Publish.Topic.Span, packet.Publish);
        return _sink.Discard();
    }

    private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }

    /// <summary>The subscriber's socket: bytes are written into one reused buffer and forgotten.</summary>
    private sealed class SinkWriter : PipeWriter
    {
        private readonly byte[] _buffer = new byte[1 << 20];
        private int _length;

        public int Discard()
        {
            int n = Volatile.Read(ref _length);
            Interlocked.Exchange(ref _length, 0);
            return n;
        }

        public override void Advance(int bytes) => Interlocked.Add(ref _length, bytes);

        public override Memory<byte> GetMemory(int sizeHint = 0) =>
            _buffer.AsMemory(Math.Min(Volatile.Read(ref _length), _buffer.Length - Math.Max(sizeHint, 4096)));

        public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => new(new FlushResult(false, false));

        public override void CancelPendingFlush()
        {
        }

        public override void Complete(Exception? exception = null)
        {
        }
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
