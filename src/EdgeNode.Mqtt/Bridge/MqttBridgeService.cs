using System.Buffers;
using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading.Channels;
using EdgeNode.Core.Configuration;
using EdgeNode.Mqtt.Codec;
using EdgeNode.Mqtt.Messaging;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Mqtt.Bridge;

/// <summary>
/// The bridge client (Mqtt:Upstream): keeps one connection to an external broker with a persistent session,
/// subscribes to Mqtt:Upstream:Topics and hands what arrives to the hub (and to the embedded broker), and
/// carries upstream what the node publishes and what local clients publish under Mqtt:Upstream:Publish.
/// Reconnects with exponential back-off and jitter; QoS 1/2 messages not yet acknowledged are resent (DUP)
/// after a reconnect, and QoS 1/2 messages queued upstream for the session arrive when it is back.
/// </summary>
public sealed class MqttBridgeService : BackgroundService, IMqttMessageObserver, IMqttMessageTarget
{
    private const int MaxQueued = 10_000;
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    private readonly MqttUpstreamOptions _options;
    private readonly MqttMessageHub _hub;
    private readonly IMqttMessageTarget? _local;
    private readonly ILogger _logger;
    private readonly MqttProtocolVersion _version;
    private readonly Channel<MqttMessage> _outbox = Channel.CreateBounded<MqttMessage>(new BoundedChannelOptions(MaxQueued)
    {
        FullMode = BoundedChannelFullMode.DropOldest,
        SingleReader = true,
    });

    // Written when an acknowledgement frees a window slot; the send loop sleeps on it while the window is full.
    private readonly Channel<byte> _windowOpened = Channel.CreateBounded<byte>(new BoundedChannelOptions(1)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });

    private readonly Dictionary<ushort, Outgoing> _inflight = [];
    private readonly HashSet<ushort> _incomingQos2 = [];
    private readonly Lock _stateLock = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly List<IDisposable> _observations = [];
    private ushort _lastPacketId;
    private int _window = 20;

    public MqttBridgeService(MqttUpstreamOptions options, MqttMessageHub hub, IMqttMessageTarget? local, ILogger<MqttBridgeService> logger)
    {
        _options = options;
        _hub = hub;
        _local = local;
        _logger = logger;
        _version = options.ProtocolVersion == 5 ? MqttProtocolVersion.V500 : MqttProtocolVersion.V311;
        hub.AddTarget(this);
        foreach (string filter in options.Publish)
        {
            _observations.Add(hub.Observe(filter, this));
        }
    }

    /// <summary>True while a session with the upstream broker is established.</summary>
    public bool IsConnected { get; private set; }

    /// <summary>The node publishes: carried upstream too.</summary>
    public void Publish(MqttMessage message, MqttMessageOrigin origin)
    {
        if (origin != MqttMessageOrigin.Upstream)
        {
            _outbox.Writer.TryWrite(message);
        }
    }

    /// <summary>A local client published under one of the Mqtt:Upstream:Publish filters.</summary>
    public void OnMessage(MqttMessage message, MqttMessageOrigin origin)
    {
        if (origin == MqttMessageOrigin.EmbeddedBroker)
        {
            _outbox.Writer.TryWrite(message);
        }
    }

    public override void Dispose()
    {
        foreach (IDisposable observation in _observations)
        {
            observation.Dispose();
        }

        _writeLock.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        int attempt = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            string reason;
            try
            {
                await RunSessionAsync(() => attempt = 0, stoppingToken).ConfigureAwait(false);
                reason = "the connection closed";
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is IOException or SocketException or MqttProtocolException or OperationCanceledException
                or System.Security.Authentication.AuthenticationException or InvalidOperationException or ObjectDisposedException)
            {
                MqttBridgeLog.ConnectFailed(_logger, _options.Host, _options.Port, e);
                reason = e.Message;
            }
            finally
            {
                IsConnected = false;
            }

            TimeSpan delay = BackOff(attempt++);
            MqttBridgeLog.Disconnected(_logger, _options.Host, _options.Port, reason, (long)delay.TotalMilliseconds);
            try
            {
                await Task.Delay(delay, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Exponential from ReconnectMin to ReconnectMax, with "equal jitter" (half fixed, half random) so bridges do not reconnect in step.</summary>
    internal TimeSpan BackOff(int attempt)
    {
        double ceiling = Math.Min(_options.ReconnectMax.TotalMilliseconds, _options.ReconnectMin.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 20)));
        return TimeSpan.FromMilliseconds(ceiling / 2 + Random.Shared.NextDouble() * ceiling / 2);
    }

    private async Task RunSessionAsync(Action connected, CancellationToken stoppingToken)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
        {
            connectTimeout.CancelAfter(ConnectTimeout);
            await socket.ConnectAsync(_options.Host, _options.Port, connectTimeout.Token).ConfigureAwait(false);
        }

        Stream stream = new NetworkStream(socket, ownsSocket: false);
        await using (stream.ConfigureAwait(false))
        {
            // The TLS stream is disposed with this connection too: the using above holds only the network stream.
            await using SslStream? tls = _options.Tls ? new SslStream(stream, leaveInnerStreamOpen: true) : null;
            if (tls is not null)
            {
                await tls.AuthenticateAsClientAsync(TlsOptions(), stoppingToken).ConfigureAwait(false);
                stream = tls;
            }

            PipeReader input = PipeReader.Create(stream);
            PipeWriter output = PipeWriter.Create(stream);
            var reader = new MqttPacketReader(version: _version);
            using var session = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            try
            {
                await WriteAsync(output, w => MqttPacketWriter.Write(w, _version, BuildConnect()), session.Token).ConfigureAwait(false);
                MqttConnAck connAck = await ReadConnAckAsync(input, reader, session.Token).ConfigureAwait(false);
                if (connAck.ReasonCode != MqttReasonCode.Success)
                {
                    MqttBridgeLog.Refused(_logger, _options.Host, _options.Port, (byte)connAck.ReasonCode);
                    throw new InvalidOperationException($"the upstream broker refused the connection (reason 0x{(byte)connAck.ReasonCode:X2})");
                }

                if (connAck.Properties?.ReceiveMaximum is { } receiveMaximum)
                {
                    _window = Math.Min(receiveMaximum, (ushort)20);
                }

                IsConnected = true;
                connected();
                MqttBridgeLog.Connected(_logger, _options.Host, _options.Port, _options.ClientId, connAck.SessionPresent);
                await WriteAsync(output, w => MqttPacketWriter.Write(w, _version, BuildSubscribe()), session.Token).ConfigureAwait(false);
                await ResendInflightAsync(output, session.Token).ConfigureAwait(false);

                Task readTask = ReadLoopAsync(input, output, reader, session.Token);
                Task sendTask = SendLoopAsync(output, session.Token);
                Task pingTask = PingLoopAsync(output, session.Token);
                await Task.WhenAny(readTask, sendTask, pingTask).ConfigureAwait(false);
                await session.CancelAsync().ConfigureAwait(false);
                await Task.WhenAll(Observe(readTask), Observe(sendTask), Observe(pingTask)).ConfigureAwait(false);
                await readTask.ConfigureAwait(false);
            }
            finally
            {
                await session.CancelAsync().ConfigureAwait(false);
                await input.CompleteAsync().ConfigureAwait(false);
                await output.CompleteAsync().ConfigureAwait(false);
            }
        }
    }

    // Collects a loop's end without throwing, so all three loops are waited for.
    private static async Task Observe(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Reported by whichever loop ended first.
        }
    }

    private SslClientAuthenticationOptions TlsOptions()
    {
        var options = new SslClientAuthenticationOptions { TargetHost = _options.Host };
        if (_options.CaFile is { } caFile)
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPemFile(caFile);
            options.CertificateChainPolicy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust };
            options.CertificateChainPolicy.CustomTrustStore.AddRange(roots);
        }

        return options;
    }

    private MqttConnect BuildConnect()
    {
        var connect = new MqttConnect
        {
            ClientId = _options.ClientId,
            CleanStart = false,
            KeepAliveSeconds = (ushort)Math.Min(ushort.MaxValue, _options.KeepAlive.TotalSeconds),
            UserName = _options.Username,
            Password = _options.Password is null ? null : Encoding.UTF8.GetBytes(_options.Password),
        };
        if (_version == MqttProtocolVersion.V500)
        {
            // The upstream broker must not send what our reader refuses (MQTT 5 3.1.2.11.4).
            connect.Properties = new MqttProperties
            {
                SessionExpiryInterval = (uint)Math.Min(uint.MaxValue, _options.SessionExpiry.TotalSeconds),
                MaximumPacketSize = MqttPacketReader.DefaultMaximumPacketSize,
            };
        }

        return connect;
    }

    private MqttSubscribe BuildSubscribe()
    {
        var subscribe = new MqttSubscribe { PacketId = NextPacketId() };
        foreach (string filter in _options.Topics)
        {
            // No Local keeps what we publish upstream from coming back to us (MQTT 5.0 only).
            subscribe.Subscriptions.Add(new MqttSubscription(filter, new MqttSubscriptionOptions((MqttQos)_options.Qos,
                NoLocal: _version == MqttProtocolVersion.V500, RetainAsPublished: _version == MqttProtocolVersion.V500)));
        }

        return subscribe;
    }

    private static async Task<MqttConnAck> ReadConnAckAsync(PipeReader input, MqttPacketReader reader, CancellationToken token)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
        timeout.CancelAfter(ConnectTimeout);
        while (true)
        {
            ReadResult result = await input.ReadAsync(timeout.Token).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            if (reader.TryRead(buffer, out MqttPacket packet, out SequencePosition consumed, out SequencePosition examined))
            {
                input.AdvanceTo(consumed, examined);
                return packet.Control as MqttConnAck ?? throw new MqttProtocolException(MqttReasonCode.ProtocolError, "The upstream broker did not answer CONNECT with CONNACK.");
            }

            input.AdvanceTo(consumed, examined);
            if (result.IsCompleted)
            {
                throw new IOException("The upstream broker closed the connection before CONNACK.");
            }
        }
    }

    private async Task ReadLoopAsync(PipeReader input, PipeWriter output, MqttPacketReader reader, CancellationToken token)
    {
        var replies = new ArrayBufferWriter<byte>();
        while (true)
        {
            ReadResult result = await input.ReadAsync(token).ConfigureAwait(false);
            SequencePosition consumed = HandleAll(result.Buffer, reader, replies);
            input.AdvanceTo(consumed, result.Buffer.End);
            if (replies.WrittenCount > 0)
            {
                byte[] bytes = replies.WrittenSpan.ToArray();
                replies.Clear();
                await WriteAsync(output, w => w.Write(bytes), token).ConfigureAwait(false);
            }

            if (result.IsCompleted)
            {
                throw new IOException("The upstream broker closed the connection.");
            }
        }
    }

    private SequencePosition HandleAll(in ReadOnlySequence<byte> buffer, MqttPacketReader reader, ArrayBufferWriter<byte> replies)
    {
        var sequence = new SequenceReader<byte>(buffer);
        while (reader.TryRead(ref sequence, out MqttPacket packet))
        {
            switch (packet.Type)
            {
                case MqttPacketType.Publish:
                    OnPublish(packet.Publish, replies);
                    break;
                case MqttPacketType.PubAck:
                case MqttPacketType.PubComp:
                    Acknowledged(packet.Ack.PacketId);
                    break;
                case MqttPacketType.PubRec:
                    if ((byte)packet.Ack.ReasonCode >= 0x80)
                    {
                        Acknowledged(packet.Ack.PacketId);
                    }
                    else
                    {
                        lock (_stateLock)
                        {
                            if (_inflight.TryGetValue(packet.Ack.PacketId, out Outgoing? item))
                            {
                                item.Released = true;
                            }
                        }

                        MqttPacketWriter.WriteAck(replies, _version, MqttPacketType.PubRel, packet.Ack.PacketId);
                    }

                    break;
                case MqttPacketType.PubRel:
                    lock (_stateLock)
                    {
                        _incomingQos2.Remove(packet.Ack.PacketId);
                    }

                    MqttPacketWriter.WriteAck(replies, _version, MqttPacketType.PubComp, packet.Ack.PacketId);
                    break;
                case MqttPacketType.Disconnect:
                    throw new IOException($"the upstream broker disconnected us (reason 0x{(byte)((MqttDisconnect)packet.Control!).ReasonCode:X2})");
            }
        }

        return sequence.Position;
    }

    private void OnPublish(in MqttPublish publish, ArrayBufferWriter<byte> replies)
    {
        bool deliver = true;
        if (publish.Qos == MqttQos.ExactlyOnce)
        {
            lock (_stateLock)
            {
                deliver = _incomingQos2.Add(publish.PacketId);
            }
        }

        if (deliver && !publish.Topic.IsEmpty)
        {
            // Handed on before it is acknowledged: a crash in between means a resend, never a loss.
            MqttMessage message = MqttMessage.Copy(publish.Topic.Span, publish, publish.Qos, publish.Retain);
            _hub.Arrived(message, MqttMessageOrigin.Upstream);
            _local?.Publish(message, MqttMessageOrigin.Upstream);
        }

        if (publish.Qos == MqttQos.AtLeastOnce)
        {
            MqttPacketWriter.WriteAck(replies, _version, MqttPacketType.PubAck, publish.PacketId);
        }
        else if (publish.Qos == MqttQos.ExactlyOnce)
        {
            MqttPacketWriter.WriteAck(replies, _version, MqttPacketType.PubRec, publish.PacketId);
        }
    }

    internal void Acknowledged(ushort packetId)
    {
        bool removed;
        lock (_stateLock)
        {
            removed = _inflight.Remove(packetId);
        }

        if (removed)
        {
            _windowOpened.Writer.TryWrite(0);
        }
    }

    /// <summary>QoS 1/2 messages sent upstream and not yet acknowledged.</summary>
    internal int InflightCount
    {
        get
        {
            lock (_stateLock)
            {
                return _inflight.Count;
            }
        }
    }

    internal int Window
    {
        get => _window;
        set => _window = value;
    }

    internal async Task SendLoopAsync(PipeWriter output, CancellationToken token)
    {
        ChannelReader<MqttMessage> outbox = _outbox.Reader;
        while (await outbox.WaitToReadAsync(token).ConfigureAwait(false))
        {
            while (true)
            {
                int inflight;
                lock (_stateLock)
                {
                    inflight = _inflight.Count;
                }

                if (inflight >= _window)
                {
                    // The window is full: sleep until an acknowledgement frees a slot (a signal from before the check
                    // only costs one more look).
                    await _windowOpened.Reader.ReadAsync(token).ConfigureAwait(false);
                    continue;
                }

                if (!outbox.TryRead(out MqttMessage? message))
                {
                    break;
                }

                var qos = (MqttQos)Math.Min((int)message.Qos, _options.Qos);
                var item = new Outgoing(message, qos);
                if (qos != MqttQos.AtMostOnce)
                {
                    lock (_stateLock)
                    {
                        item.PacketId = NextPacketId();
                        _inflight[item.PacketId] = item;
                    }
                }

                await SendAsync(output, item, duplicate: false, token).ConfigureAwait(false);
            }
        }
    }

    private async Task ResendInflightAsync(PipeWriter output, CancellationToken token)
    {
        Outgoing[] pending;
        lock (_stateLock)
        {
            pending = [.. _inflight.Values.OrderBy(i => i.Sequence)];
        }

        foreach (Outgoing item in pending)
        {
            if (item.Released)
            {
                await WriteAsync(output, w => MqttPacketWriter.WriteAck(w, _version, MqttPacketType.PubRel, item.PacketId), token).ConfigureAwait(false);
            }
            else
            {
                await SendAsync(output, item, duplicate: true, token).ConfigureAwait(false);
            }
        }
    }

    private Task SendAsync(PipeWriter output, Outgoing item, bool duplicate, CancellationToken token)
    {
        MqttMessage m = item.Message;
        m.IsExpired(Environment.TickCount64, out uint? remaining);
        var header = new MqttPublishHeader(item.Qos, item.PacketId, m.Retain, duplicate);
        return WriteAsync(output, w => MqttPacketWriter.WritePublish(w, _version, header, m.TopicUtf8, m.PayloadBytes, m.ToPublishProperties(remaining)), token);
    }

    private async Task PingLoopAsync(PipeWriter output, CancellationToken token)
    {
        // About three quarters of the keep-alive, so the broker hears from us before its 1.5x deadline.
        using var timer = new PeriodicTimer(_options.KeepAlive * 0.75);
        while (await timer.WaitForNextTickAsync(token).ConfigureAwait(false))
        {
            await WriteAsync(output, MqttPacketWriter.WritePingReq, token).ConfigureAwait(false);
        }
    }

    private async Task WriteAsync(PipeWriter output, Action<IBufferWriter<byte>> write, CancellationToken token)
    {
        await _writeLock.WaitAsync(token).ConfigureAwait(false);
        try
        {
            write(output);
            FlushResult result = await output.FlushAsync(token).ConfigureAwait(false);
            if (result.IsCompleted)
            {
                throw new IOException("The upstream connection is closed.");
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private ushort NextPacketId()
    {
        lock (_stateLock)
        {
            do
            {
                _lastPacketId = _lastPacketId == ushort.MaxValue ? (ushort)1 : (ushort)(_lastPacketId + 1);
            }
            while (_inflight.ContainsKey(_lastPacketId));

            return _lastPacketId;
        }
    }

    private sealed class Outgoing(MqttMessage message, MqttQos qos)
    {
        private static long s_sequence;

        public MqttMessage Message { get; } = message;

        public MqttQos Qos { get; } = qos;

        public ushort PacketId { get; set; }

        public bool Released { get; set; }

        public long Sequence { get; } = Interlocked.Increment(ref s_sequence);
    }
}
