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
    // Like Kestrel's socket input (1 MiB), and room enough to queue many packets for a broker that has stopped reading them.
    private readonly Pipe _toBroker = new(new PipeOptions(pauseWriterThreshold: 1 << 20, resumeWriterThreshold: 1 << 19));
    private readonly CapturingPipeWriter _fromBroker = new();
    private readonly Task _serve;
    private readonly MqttPacketReader _reader;

    public BrokerHarness(MqttBroker? broker = null, MqttProtocolVersion version = MqttProtocolVersion.V500)
    {
        Version = version;
        _reader = new MqttPacketReader(version: version);
        Broker = broker ?? NewBroker();
        var context = new DefaultConnectionContext("test", new DuplexPipe(_toBroker.Reader, _fromBroker), new DuplexPipe(PipeReader.Create(Stream.Null), _toBroker.Writer))
        {
            RemoteEndPoint = new IPEndPoint(IPAddress.Loopback, 40000),
        };
        _serve = Broker.ServeAsync(context);
    }

    public MqttBroker Broker { get; }

    public MqttProtocolVersion Version { get; }

    /// <summary>The broker's output as the socket sees it: <see cref="CapturingPipeWriter.Stall"/> it to play a client that stops reading.</summary>
    public CapturingPipeWriter Output => _fromBroker;

    /// <summary>True once the broker has completed its output (the connection is closed).</summary>
    public bool Closed => _fromBroker.IsCompleted;

    /// <summary>A broker on <paramref name="time"/> (a <c>FakeTimeProvider</c> when the test drives its timers), else on the system clock.</summary>
    public static MqttBroker NewBroker(MqttOptions? options = null, TimeProvider? time = null) =>
        new(options ?? new MqttOptions { Port = 1883, TlsPort = 0, AnonymousLoopback = true, SysInterval = TimeSpan.Zero }, new MqttMessageHub(), NullLogger.Instance, time: time);

    public async Task SendAsync(MqttControlPacket packet)
    {
        MqttPacketWriter.Write(_toBroker.Writer, Version, packet);
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

    public async Task ConnectAsync(string clientId = "", bool cleanStart = true, MqttProperties? properties = null, ushort keepAlive = 60)
    {
        MqttConnAck connAck = await TryConnectAsync(clientId, cleanStart, properties, keepAlive);
        if (connAck.ReasonCode != MqttReasonCode.Success)
        {
            throw new InvalidOperationException($"refused: {connAck.ReasonCode}");
        }
    }

    public async Task<MqttConnAck> TryConnectAsync(string clientId = "", bool cleanStart = true, MqttProperties? properties = null, ushort keepAlive = 60)
    {
        await SendAsync(new MqttConnect
        {
            ProtocolVersion = Version, ClientId = clientId, CleanStart = cleanStart, KeepAliveSeconds = keepAlive,
            Properties = Version == MqttProtocolVersion.V500 ? properties : null,
        });
        return (MqttConnAck)(await ReceiveAsync()).Control!;
    }

    /// <summary>The broker's side of this client's connection (once it has connected).</summary>
    public MqttConnection Connection(string clientId) => Broker.Connections.Single(c => c.ClientId == clientId);

    /// <summary>Waits for a condition the broker reaches on its own threads (never for a time: the deadline only stops a hung test).</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"never happened: {what}");
            }

            await Task.Delay(5);
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
        // Both directions end, as when a socket goes away. A connection whose socket never took its last bytes ends
        // only when the broker gives up its closing flush (10 s), so this waits longer than that.
        await _toBroker.Writer.CompleteAsync();
        await _serve.WaitAsync(TimeSpan.FromSeconds(30));
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
