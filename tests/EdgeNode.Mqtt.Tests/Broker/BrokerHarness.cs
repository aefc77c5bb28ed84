using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using EdgeNode.Core.Configuration;
using EdgeNode.Mqtt.Broker;
using EdgeNode.Mqtt.Codec;
using EdgeNode.Mqtt.Messaging;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeNode.Mqtt.Tests.Broker;

/// <summary>
/// A broker without a database and a client connected to it through in-memory pipes (anonymous, loopback):
/// the test writes packets as the client would and reads what the broker sends back.
/// </summary>
internal sealed class BrokerHarness : IAsyncDisposable
{
    private readonly Pipe _toBroker = new();
    private readonly CapturingPipeWriter _fromBroker = new();
    private readonly Task _serve;
    private readonly MqttPacketReader _reader = new(version: MqttProtocolVersion.V500);

    public BrokerHarness(MqttBroker? broker = null)
    {
        Broker = broker ?? NewBroker();
        var context = new DefaultConnectionContext("test", new DuplexPipe(_toBroker.Reader, _fromBroker), new DuplexPipe(PipeReader.Create(Stream.Null), _toBroker.Writer))
        {
            RemoteEndPoint = new IPEndPoint(IPAddress.Loopback, 40000),
        };
        _serve = Broker.ServeAsync(context);
    }

    public MqttBroker Broker { get; }

    public static MqttBroker NewBroker(MqttOptions? options = null) =>
        new(options ?? new MqttOptions { Port = 1883, TlsPort = 0, AnonymousLoopback = true, SysInterval = TimeSpan.Zero }, new MqttMessageHub(), NullLogger.Instance);

    public async Task SendAsync(MqttControlPacket packet)
    {
        MqttPacketWriter.Write(_toBroker.Writer, MqttProtocolVersion.V500, packet);
        await _toBroker.Writer.FlushAsync();
    }

    public async Task SendAsync(Action<IBufferWriter<byte>> write)
    {
        write(_toBroker.Writer);
        await _toBroker.Writer.FlushAsync();
    }

    /// <summary>The next packet from the broker (copied out, so it stays valid).</summary>
    public async Task<MqttPacket> ReceiveAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            byte[] bytes = _fromBroker.Peek();
            if (_reader.TryRead(new ReadOnlySequence<byte>(bytes), out MqttPacket packet, out SequencePosition consumed, out _))
            {
                _fromBroker.Take(new byte[consumed.GetInteger()]);
                return packet;
            }

            if (_fromBroker.IsCompleted)
            {
                throw new EndOfStreamException("the broker closed the connection");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("nothing from the broker");
            }

            await Task.Delay(5);
        }
    }

    /// <summary>Throws away whatever the broker has sent so far, without waiting (allocation-free).</summary>
    public long Drain() => _fromBroker.Discard();

    public async Task ConnectAsync(string clientId = "", bool cleanStart = true, MqttProperties? properties = null)
    {
        await SendAsync(new MqttConnect { ClientId = clientId, CleanStart = cleanStart, KeepAliveSeconds = 60, Properties = properties });
        var connAck = (MqttConnAck)(await ReceiveAsync()).Control!;
        if (connAck.ReasonCode != MqttReasonCode.Success)
        {
            throw new InvalidOperationException($"refused: {connAck.ReasonCode}");
        }
    }

    public async Task<MqttSubAck> SubscribeAsync(string filter, MqttSubscriptionOptions options, uint identifier = 0)
    {
        var subscribe = new MqttSubscribe { PacketId = 1 };
        subscribe.Subscriptions.Add(new MqttSubscription(filter, options));
        if (identifier != 0)
        {
            subscribe.Properties = new MqttProperties { SubscriptionIdentifier = identifier };
        }

        await SendAsync(subscribe);
        return (MqttSubAck)(await ReceiveAsync()).Control!;
    }

    public async ValueTask DisposeAsync()
    {
        // Both directions end, as when a socket goes away.
        await _toBroker.Writer.CompleteAsync();
        await _serve.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
