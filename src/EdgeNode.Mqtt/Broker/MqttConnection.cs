using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using EdgeNode.Core.Configuration;
using EdgeNode.Core.Connections;
using EdgeNode.Mqtt.Auth;
using EdgeNode.Mqtt.Codec;
using EdgeNode.Mqtt.Messaging;
using EdgeNode.Mqtt.Storage;
using EdgeNode.Mqtt.Topics;
using Microsoft.AspNetCore.Connections;

namespace EdgeNode.Mqtt.Broker;

/// <summary>What became of a PUBLISH offered to a connection.</summary>
internal enum PublishWrite : byte
{
    Written = 0,

    /// <summary>The output is at its bound: a QoS 0 message is dropped, a QoS 1/2 one waits in the session.</summary>
    NoRoom = 1,

    /// <summary>Larger than the client's Maximum Packet Size: dropped for this client only.</summary>
    TooLarge = 2,

    /// <summary>The connection is closing.</summary>
    Closed = 3,
}

/// <summary>
/// One client's network connection: reads packets, applies them to the broker and its session, and writes
/// what the broker sends. Packets are handled synchronously straight from the receive buffer; anything may
/// write into the output (under <see cref="_outputLock"/>), and one flush loop pushes it to the socket.
/// </summary>
/// <remarks>
/// The output is bounded (<see cref="MqttBroker.BacklogLimit"/>): what is written and not yet taken by the socket.
/// When a write would pass the bound the connection is backlogged: no more packets are read from it (so it causes no
/// more acknowledgements), QoS 0 messages for it are dropped and QoS 1/2 messages wait in its session's queue. It
/// resumes once the socket has taken the output down to half the bound. Replies are small and counted before a
/// packet is handled, so the bound holds; a connection that stays backlogged too long is closed.
/// </remarks>
internal sealed class MqttConnection
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How long a backlogged connection may stay so when its keep-alive window is shorter.</summary>
    private static readonly TimeSpan MinBacklogTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How long a connection may take to close (its last flush) before it is aborted.</summary>
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(10);

    // Room kept for a CONNACK, whose size depends on the properties not yet decided when the CONNECT is read.
    private const int ConnAckReserve = 256;

    private readonly MqttBroker _broker;
    private readonly ConnectionContext _context;
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly Lock _outputLock = new();
    private readonly MqttPacketReader _reader;
    private readonly Channel<byte> _flushRequests = Channel.CreateBounded<byte>(new BoundedChannelOptions(1)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });

    private readonly Channel<byte> _drained = Channel.CreateBounded<byte>(new BoundedChannelOptions(1)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });

    private readonly long _outputLimit;

    private readonly long _openedAt;

    /// <summary>Replies waiting for the storage to write what their packets changed (see <see cref="Acknowledge"/>, <see cref="Reply"/>).</summary>
    private readonly List<HeldReply> _heldAcks = [];
    private long _heldTicket;

    /// <summary>Cancelled when the connection is closed from outside, so a wait for the storage does not hold it open.</summary>
    private readonly CancellationTokenSource _closing = new();
    private byte[]?[]? _inboundAliases;
    private Dictionary<byte[], ushort>? _outboundAliases;
    private int _clientAliasMaximum;
    private long _clientMaximumPacketSize = long.MaxValue;
    private long _written;
    private long _flushed;
    private bool _outputDone;
    private bool _backlogged;
    private long _backloggedSince;
    private long _closingSince;
    private int _replyReserve;
    private long _examinedAhead;
    private bool _quotaLogged;
    private bool _subscriptionQuotaLogged;
    private volatile bool _closeRequested;
    private volatile bool _aborted;

    public MqttConnection(MqttBroker broker, ConnectionContext context)
    {
        _broker = broker;
        _openedAt = broker.Now;
        _context = context;
        _input = context.Transport.Input;
        _output = context.Transport.Output;
        _reader = new MqttPacketReader(broker.Options.MaxPacketSize);
        _outputLimit = broker.BacklogLimit;
        Remote = context.RemoteEndPoint is IPEndPoint ip ? ip.Address.ToString() : context.RemoteEndPoint?.ToString() ?? "?";
        IsLoopback = context.RemoteEndPoint is IPEndPoint { Address: var a } && IPAddress.IsLoopback(a);
        LastReceived = _openedAt;
    }

    public string Remote { get; }

    public bool IsLoopback { get; }

    public MqttProtocolVersion Version { get; private set; }

    public bool IsConnected { get; private set; }

    public MqttSession? Session { get; set; }

    public string ClientId => Session?.ClientId ?? "?";

    public string? Username { get; private set; }

    public MqttAccess Access { get; private set; } = MqttAccess.Everything;

    public ushort KeepAliveSeconds { get; private set; }

    public long LastReceived { get; private set; }

    /// <summary>How many QoS 1/2 messages may be unacknowledged towards the client.</summary>
    public int SendWindow { get; private set; } = 1;

    public MqttMessage? Will { get; private set; }

    public uint WillDelaySeconds { get; private set; }

    /// <summary>True when the client said goodbye with DISCONNECT (v5: not "with will message").</summary>
    public bool Graceful { get; private set; }

    /// <summary>Why the node closed the connection itself; null when the client closed it or vanished.</summary>
    public string? ClosedByNode => Volatile.Read(ref _closedByNode);

    private string? _closedByNode;

    private void NodeCloses(string why) => Interlocked.CompareExchange(ref _closedByNode, why, null);

    private static string Describe(MqttReasonCode reason) => reason switch
    {
        MqttReasonCode.SessionTakenOver => "another connection took over its session",
        MqttReasonCode.ServerShuttingDown => "the node is stopping",
        MqttReasonCode.KeepAliveTimeout => "silent past its keep-alive",
        MqttReasonCode.QuotaExceeded => "it did not read what was sent to it",
        _ => $"reason 0x{(byte)reason:X2}",
    };

    /// <summary>The output reached its bound and has not drained to half of it yet: nothing is read from the client meanwhile.</summary>
    public bool IsBacklogged
    {
        get
        {
            lock (_outputLock)
            {
                return _backlogged;
            }
        }
    }

    /// <summary>Bytes written for the client and not yet taken by the socket.</summary>
    public long Unsent
    {
        get
        {
            lock (_outputLock)
            {
                return _written - Volatile.Read(ref _flushed);
            }
        }
    }

    /// <summary>Set once the connection is on its way out (by the client, the broker or an error).</summary>
    public bool IsClosing => _closeRequested;

    public async Task RunAsync()
    {
        Task flushLoop = FlushLoopAsync();
        try
        {
            while (!_closeRequested)
            {
                if (IsBacklogged)
                {
                    // Not reading is the backpressure: the client's packets wait in the socket and produce no replies.
                    await _drained.Reader.WaitToReadAsync().ConfigureAwait(false);
                    _drained.Reader.TryRead(out _);
                    continue;
                }

                ReadResult result = await _input.ReadAsync().ConfigureAwait(false);
                if (result.IsCanceled)
                {
                    break;
                }

                ReadOnlySequence<byte> buffer = result.Buffer;
                LastReceived = _broker.Now;
                var reader = new SequenceReader<byte>(buffer);
                bool held = false;
                try
                {
                    while (!_closeRequested)
                    {
                        SequenceReader<byte> before = reader;
                        if (!_reader.TryRead(ref reader, out MqttPacket packet))
                        {
                            break;
                        }

                        if (!ReserveReply(in packet))
                        {
                            // Left unconsumed in the receive buffer until the output drains.
                            reader = before;
                            held = true;
                            break;
                        }

                        _broker.Stats.PacketReceived(packet.Size);
                        try
                        {
                            Handle(in packet);
                        }
                        finally
                        {
                            ReleaseReply();
                        }
                    }
                }
                finally
                {
                    // A held packet must be read again, so the next read may not wait for new bytes; but what was examined
                    // may not move back either (the pipe forbids it), as when a packet that came in halves is held.
                    long examined = held ? Math.Max(reader.Consumed, _examinedAhead) : buffer.Length;
                    _input.AdvanceTo(reader.Position, buffer.GetPosition(examined));
                    _examinedAhead = examined - reader.Consumed;
                }

                if (_heldAcks.Count > 0)
                {
                    await ReleaseHeldAcksAsync().ConfigureAwait(false);
                }

                if (result.IsCompleted && !held)
                {
                    break;
                }
            }
        }
        catch (MqttProtocolException e)
        {
            OnProtocolError(e);
        }
        catch (Exception e) when (e is IOException or ConnectionResetException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            _broker.LogConnectionFailed(Remote, e);
        }
        finally
        {
            await CloseAsync(flushLoop).ConfigureAwait(false);
        }
    }

    /// <summary>Closes from outside (take-over, keep-alive, shutdown): a v5 client is told why first.</summary>
    public void Close(MqttReasonCode reason)
    {
        NodeCloses(Describe(reason));
        lock (_outputLock)
        {
            if (IsConnected && Version == MqttProtocolVersion.V500 && !_outputDone && !_closeRequested)
            {
                WriteControl(new MqttDisconnect { ReasonCode = reason });
            }
        }

        _closeRequested = true;
        RequestFlush();
        _drained.Writer.TryWrite(0);
        _input.CancelPendingRead();
        _closing.Cancel();
    }

    public void Abort() => _context.Abort(new ConnectionAbortedException("MQTT connection closed by the broker"));

    /// <summary>
    /// Called once a second: the CONNECT deadline, the keep-alive (1.5 times the interval in force), a backlog that
    /// does not drain, and a close that does not finish.
    /// </summary>
    public void CheckTimers(long now)
    {
        if (_closeRequested)
        {
            long closing = Interlocked.CompareExchange(ref _closingSince, now, 0);
            if (closing != 0 && now - closing > CloseTimeout.TotalMilliseconds)
            {
                // Its last flush waits for a socket that takes nothing.
                ForceAbort();
            }

            return;
        }

        if (!IsConnected)
        {
            if (now - _openedAt > ConnectTimeout.TotalMilliseconds)
            {
                NodeCloses("no CONNECT in time");
                _closeRequested = true;
                _input.CancelPendingRead();
            }

            return;
        }

        bool backlogged;
        long since;
        lock (_outputLock)
        {
            backlogged = _backlogged;
            since = _backloggedSince;
        }

        long keepAliveWindow = KeepAliveSeconds * 1500L;
        if (backlogged)
        {
            // The client's packets wait unread by our choice, so its keep-alive is not held against it meanwhile.
            if (now - since > Math.Max(keepAliveWindow, (long)MinBacklogTimeout.TotalMilliseconds))
            {
                _broker.LogBacklogTimeout(ClientId, Unsent);
                Close(MqttReasonCode.QuotaExceeded);
                ForceAbort();
            }

            return;
        }

        if (KeepAliveSeconds > 0 && now - LastReceived > keepAliveWindow)
        {
            _broker.LogKeepAliveExpired(ClientId);
            Close(MqttReasonCode.KeepAliveTimeout);
        }
    }

    public void RequestFlush() => _flushRequests.Writer.TryWrite(0);

    /// <summary>Writes a PUBLISH if it fits within the output bound; a client that is not keeping up gets nothing more.</summary>
    public PublishWrite WritePublish(in MqttPublishHeader header, ReadOnlySpan<byte> topic, in ReadOnlySequence<byte> payload, in MqttPublishProperties properties)
    {
        lock (_outputLock)
        {
            if (_outputDone || _closeRequested)
            {
                return PublishWrite.Closed;
            }

            bool v5 = Version == MqttProtocolVersion.V500;
            MqttPublishProperties p = v5 ? properties : default;
            int size = MqttPacketWriter.GetPublishSize(Version, header, topic.Length, payload.Length, p);
            if (size > _clientMaximumPacketSize)
            {
                // The client said it cannot take a packet this large (MQTT-3.1.2-25): it is dropped for this client only.
                return PublishWrite.TooLarge;
            }

            // An alias the broker assigns now adds its property (3 bytes) before the topic can be left out next time.
            if (!HasRoomLocked(size + (v5 && _clientAliasMaximum > 0 ? 3 : 0)))
            {
                return PublishWrite.NoRoom;
            }

            if (v5 && _clientAliasMaximum > 0)
            {
                ApplyOutboundAlias(ref topic, ref p);
                size = MqttPacketWriter.GetPublishSize(Version, header, topic.Length, payload.Length, p);
            }

            MqttPacketWriter.WritePublish(_output, Version, header, topic, payload, p);
            _written += size;
            _broker.Stats.PublishSentOne(size);
            return PublishWrite.Written;
        }
    }

    /// <summary>
    /// Acknowledges a PUBLISH or PUBREL once what it changed is stored: at once when nothing is waiting to be written,
    /// otherwise after the packets read with it, when the broker's storage has written their changes (one commit for
    /// them all). Acknowledgements keep the order of the packets they answer; a refusal changed nothing and waits only
    /// for those before it.
    /// </summary>
    private void Acknowledge(MqttPacketType type, ushort packetId, MqttReasonCode reason)
    {
        MqttBrokerStorage? storage = _broker.Storage;
        long ticket = storage?.Queued ?? 0;
        if (_heldAcks.Count == 0 && (storage is null || reason != MqttReasonCode.Success || storage.IsWritten(ticket)))
        {
            WriteAck(type, packetId, reason);
            RequestFlush();
            return;
        }

        _heldAcks.Add(new HeldReply(type, packetId, reason, null, null, 0));
        _heldTicket = Math.Max(_heldTicket, ticket);
    }

    /// <summary>
    /// Sends a SUBACK or UNSUBACK, and then the retained messages the new subscriptions get, once the subscription rows
    /// it <paramref name="changed"/> for a persistent session are stored, as <see cref="Acknowledge"/> does for a
    /// PUBLISH: a client told that it is subscribed keeps that subscription through a crash. Live messages matching a
    /// new subscription may go out before its SUBACK, which MQTT allows.
    /// </summary>
    private void Reply(MqttControlPacket ack, bool changed, List<(byte[] Filter, MqttSubscriptionOptions Options)>? retained = null, uint identifier = 0)
    {
        MqttBrokerStorage? storage = _broker.Storage;
        long ticket = storage?.Queued ?? 0;
        var reply = new HeldReply(default, 0, default, ack, retained, identifier);
        if (_heldAcks.Count == 0 && (storage is null || !changed || storage.IsWritten(ticket)))
        {
            WriteHeld(reply);
            RequestFlush();
            return;
        }

        _heldAcks.Add(reply);
        _heldTicket = Math.Max(_heldTicket, ticket);
    }

    private async Task ReleaseHeldAcksAsync()
    {
        // Reading waits meanwhile: a client is not answered past what the database holds.
        await _broker.Storage!.WhenWrittenAsync(_heldTicket, _closing.Token).ConfigureAwait(false);
        foreach (HeldReply reply in _heldAcks)
        {
            WriteHeld(reply);
        }

        _heldAcks.Clear();
        RequestFlush();
    }

    private void WriteHeld(in HeldReply reply)
    {
        if (reply.Control is null)
        {
            WriteAck(reply.Type, reply.PacketId, reply.Reason);
            return;
        }

        MqttSession session = Session!;
        lock (session.Sync)
        {
            WriteControl(reply.Control);
            if (reply.Retained is not null)
            {
                foreach ((byte[] filter, MqttSubscriptionOptions options) in reply.Retained)
                {
                    _broker.SendRetained(session, filter, options, reply.Identifier);
                }
            }
        }
    }

    public void WriteAck(MqttPacketType type, ushort packetId, MqttReasonCode reason = MqttReasonCode.Success)
    {
        lock (_outputLock)
        {
            if (!_outputDone)
            {
                MqttReasonCode code = Version == MqttProtocolVersion.V500 ? reason : MqttReasonCode.Success;
                MqttPacketWriter.WriteAck(_output, Version, type, packetId, code);
                int size = MqttPacketWriter.GetAckSize(Version, code);
                _written += size;
                _broker.Stats.PacketSent(size);
            }
        }
    }

    public void WriteControl(MqttControlPacket packet)
    {
        lock (_outputLock)
        {
            if (!_outputDone)
            {
                MqttProtocolVersion version = Version == MqttProtocolVersion.V500 ? MqttProtocolVersion.V500 : MqttProtocolVersion.V311;
                int size = MqttPacketWriter.GetSize(version, packet);
                MqttPacketWriter.Write(_output, version, packet);
                _written += size;
                _broker.Stats.PacketSent(size);
            }
        }
    }

    /// <summary>
    /// Whether <paramref name="size"/> more bytes stay within the output bound; if not, the connection becomes
    /// backlogged. An empty output always takes one packet, so a packet larger than the bound cannot wedge it.
    /// </summary>
    private bool HasRoomLocked(long size)
    {
        if (_backlogged)
        {
            return false;
        }

        long unsent = _written - Volatile.Read(ref _flushed);
        if (unsent == 0 || unsent + _replyReserve + size <= _outputLimit)
        {
            return true;
        }

        _backlogged = true;
        _backloggedSince = _broker.Now;
        RequestFlush();
        return false;
    }

    /// <summary>
    /// Room for the largest reply <paramref name="packet"/> can cause, held while it is handled so that deliveries
    /// from other threads (and the packet's own, such as retained messages) leave it free.
    /// </summary>
    private bool ReserveReply(in MqttPacket packet)
    {
        int reply = packet.Type switch
        {
            MqttPacketType.Connect => ConnAckReserve,
            MqttPacketType.Publish => packet.Publish.Qos == MqttQos.AtMostOnce ? 0 : 5,
            MqttPacketType.PubRec or MqttPacketType.PubRel => 5,
            MqttPacketType.PingReq => 2,
            MqttPacketType.Subscribe => 9 + ((MqttSubscribe)packet.Control!).Subscriptions.Count,
            MqttPacketType.Unsubscribe => 9 + ((MqttUnsubscribe)packet.Control!).TopicFilters.Count,
            _ => 0,
        };
        if (reply == 0)
        {
            return true;
        }

        lock (_outputLock)
        {
            if (_outputDone)
            {
                return true;
            }

            if (!HasRoomLocked(reply))
            {
                return false;
            }

            _replyReserve = reply;
            return true;
        }
    }

    private void ReleaseReply()
    {
        if (_replyReserve != 0)
        {
            lock (_outputLock)
            {
                _replyReserve = 0;
            }
        }
    }

    /// <summary>Ends a connection whose socket takes nothing: pending flushes are cancelled and the transport is aborted.</summary>
    private void ForceAbort()
    {
        NodeCloses("its socket took nothing more");
        _aborted = true;
        _closeRequested = true;
        _output.CancelPendingFlush();
        _drained.Writer.TryWrite(0);
        _input.CancelPendingRead();
        _closing.Cancel();
        Abort();
    }

    private void ApplyOutboundAlias(ref ReadOnlySpan<byte> topic, ref MqttPublishProperties properties)
    {
        _outboundAliases ??= new Dictionary<byte[], ushort>(ByteArrayComparer.Instance);
        var lookup = _outboundAliases.GetAlternateLookup<ReadOnlySpan<byte>>();
        if (lookup.TryGetValue(topic, out ushort alias))
        {
            topic = default;
            properties = properties with { TopicAlias = alias };
        }
        else if (_outboundAliases.Count < _clientAliasMaximum)
        {
            alias = (ushort)(_outboundAliases.Count + 1);
            _outboundAliases.Add(topic.ToArray(), alias);
            properties = properties with { TopicAlias = alias };
        }
    }

    private void Handle(in MqttPacket packet)
    {
        if (!IsConnected)
        {
            if (packet.Type != MqttPacketType.Connect)
            {
                throw new MqttProtocolException(MqttReasonCode.ProtocolError, "The first packet is not CONNECT.");
            }

            HandleConnect((MqttConnect)packet.Control!);
            return;
        }

        MqttSession session = Session!;
        switch (packet.Type)
        {
            case MqttPacketType.Publish:
                HandlePublish(session, in packet);
                break;
            case MqttPacketType.PubAck:
                session.OnPubAck(packet.Ack.PacketId);
                break;
            case MqttPacketType.PubRec:
                session.OnPubRec(packet.Ack.PacketId, packet.Ack.ReasonCode);
                break;
            case MqttPacketType.PubComp:
                session.OnPubComp(packet.Ack.PacketId);
                break;
            case MqttPacketType.PubRel:
                bool known = session.EndIncomingQos2(packet.Ack.PacketId);
                Acknowledge(MqttPacketType.PubComp, packet.Ack.PacketId, known ? MqttReasonCode.Success : MqttReasonCode.PacketIdentifierNotFound);
                break;
            case MqttPacketType.Subscribe:
                HandleSubscribe(session, (MqttSubscribe)packet.Control!);
                break;
            case MqttPacketType.Unsubscribe:
                HandleUnsubscribe(session, (MqttUnsubscribe)packet.Control!);
                break;
            case MqttPacketType.PingReq:
                lock (_outputLock)
                {
                    if (!_outputDone)
                    {
                        MqttPacketWriter.WritePingResp(_output);
                        _written += 2;
                    }
                }

                RequestFlush();
                break;
            case MqttPacketType.Disconnect:
                HandleDisconnect(session, (MqttDisconnect)packet.Control!);
                break;
            default:
                throw new MqttProtocolException(MqttReasonCode.ProtocolError, $"A client does not send {packet.Type}.");
        }
    }

    private void HandleConnect(MqttConnect connect)
    {
        Version = connect.ProtocolVersion;
        bool v5 = Version == MqttProtocolVersion.V500;
        MqttProperties? p = connect.Properties;
        MqttOptions options = _broker.Options;
        if (v5 && p?.AuthenticationMethod is not null)
        {
            Refuse(MqttReasonCode.BadAuthenticationMethod, connect.UserName, "extended authentication is not offered");
            return;
        }

        string clientId = connect.ClientId;
        bool assigned = false;
        if (clientId.Length == 0)
        {
            if (!v5 && !connect.CleanStart)
            {
                Refuse(MqttReasonCode.ClientIdentifierNotValid, connect.UserName, "an empty client id needs a clean session");
                return;
            }

            clientId = "auto-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
            assigned = true;
        }

        MqttReasonCode refusal = _broker.Authenticate(this, connect.UserName, connect.Password, clientId, out MqttAccess? access, out string? why);
        if (refusal != MqttReasonCode.Success)
        {
            Refuse(refusal, connect.UserName, why!);
            return;
        }

        Access = access!;
        Username = connect.UserName;
        if (connect.Will is { } will)
        {
            byte[] topic = Encoding.UTF8.GetBytes(will.Topic);
            if (!Access.MayPublish(topic))
            {
                Refuse(MqttReasonCode.NotAuthorized, connect.UserName, $"the will topic {will.Topic} is not allowed");
                return;
            }

            byte[] properties = will.Properties is { } wp ? MqttMessage.EncodeUserProperties(wp.UserProperties, wp) : [];
            Will = new MqttMessage(topic, will.Payload, will.Qos, will.Retain, properties, Environment.TickCount64);
            WillDelaySeconds = will.Properties?.WillDelayInterval ?? 0;
        }

        // Keep-alive 0 would let a silent connection live forever: it, and anything above the maximum, is held to the maximum.
        ushort maxKeepAlive = (ushort)Math.Clamp(options.MaxKeepAlive.TotalSeconds, 1, ushort.MaxValue);
        KeepAliveSeconds = connect.KeepAliveSeconds == 0 || connect.KeepAliveSeconds > maxKeepAlive ? maxKeepAlive : connect.KeepAliveSeconds;
        SendWindow = Math.Min(p?.ReceiveMaximum ?? ushort.MaxValue, options.MaxInflight);
        _clientMaximumPacketSize = p?.MaximumPacketSize ?? long.MaxValue;
        _clientAliasMaximum = p?.TopicAliasMaximum ?? 0;
        if (v5 && options.TopicAliasMaximum > 0)
        {
            _inboundAliases = new byte[]?[options.TopicAliasMaximum + 1];
        }

        uint requestedExpiry = v5 ? p?.SessionExpiryInterval ?? 0 : connect.CleanStart ? 0 : uint.MaxValue;
        var connAck = new MqttConnAck { ReasonCode = MqttReasonCode.Success };
        // Logged in: no longer one of the listener's connections that have not.
        _context.Features.Get<ConnectionAuthenticationFeature>()?.Authenticated();
        if (v5)
        {
            connAck.Properties = new MqttProperties
            {
                ReceiveMaximum = (ushort)options.MaxInflight,
                MaximumPacketSize = (uint)options.MaxPacketSize,
                TopicAliasMaximum = options.TopicAliasMaximum > 0 ? (ushort)options.TopicAliasMaximum : null,
                AssignedClientIdentifier = assigned ? clientId : null,
                SharedSubscriptionAvailable = true,
                ServerKeepAlive = KeepAliveSeconds != connect.KeepAliveSeconds ? KeepAliveSeconds : null,
            };
        }

        IsConnected = true;
        _reader.Version = Version;
        MqttReasonCode connected = _broker.Connect(this, clientId, connect.CleanStart, requestedExpiry, connAck);
        if (connected != MqttReasonCode.Success)
        {
            IsConnected = false;
            Refuse(connected, connect.UserName, $"the account has {_broker.Options.MaxSessionsPerAccount} persistent sessions already (Mqtt:MaxSessionsPerAccount)");
        }
    }

    private void Refuse(MqttReasonCode code, string? user, string why)
    {
        _broker.LogRefused(Remote, user, why);
        // A 5.0 client is told why in words (the login guard's wait, the session limit).
        WriteControl(new MqttConnAck { ReasonCode = code, Properties = Version == MqttProtocolVersion.V500 ? new MqttProperties { ReasonString = why } : null });
        _closeRequested = true;
        RequestFlush();
    }

    private void HandlePublish(MqttSession session, in MqttPacket packet)
    {
        MqttPublish publish = packet.Publish;
        ReadOnlySpan<byte> topic = publish.Topic.Span;
        if (Version == MqttProtocolVersion.V500)
        {
            if (publish.Properties.SubscriptionIdentifierCount > 0)
            {
                throw new MqttProtocolException(MqttReasonCode.ProtocolError, "A client PUBLISH carries a Subscription Identifier.");
            }

            ushort alias = publish.Properties.TopicAlias;
            if (alias != 0)
            {
                if (_inboundAliases is null || alias >= _inboundAliases.Length)
                {
                    throw new MqttProtocolException(MqttReasonCode.TopicAliasInvalid, "The topic alias is above the maximum the broker announced.");
                }

                if (topic.IsEmpty)
                {
                    topic = _inboundAliases[alias] ?? throw new MqttProtocolException(MqttReasonCode.ProtocolError, "The topic alias was never set on this connection.");
                }
                else if (_inboundAliases[alias] is not { } known || !known.AsSpan().SequenceEqual(topic))
                {
                    _inboundAliases[alias] = topic.ToArray();
                }
            }
        }

        if (!Access.MayPublish(topic) && !_broker.TryClaim(this, topic))
        {
            _broker.LogPublishDenied(ClientId, Username, topic);
            MqttReasonCode reason = MqttReasonCode.NotAuthorized;
            if (publish.Qos == MqttQos.AtLeastOnce)
            {
                WriteAck(MqttPacketType.PubAck, publish.PacketId, reason);
            }
            else if (publish.Qos == MqttQos.ExactlyOnce)
            {
                WriteAck(MqttPacketType.PubRec, publish.PacketId, reason);
            }

            RequestFlush();
            return;
        }

        if (publish.Qos != MqttQos.AtMostOnce && _broker.Storage is { IsFull: true })
        {
            RefuseForFullDisk(publish);
            return;
        }

        MqttReasonCode accepted = MqttReasonCode.Success;
        switch (publish.Qos)
        {
            case MqttQos.AtMostOnce:
                accepted = _broker.PublishFromClient(session, topic, in publish);
                break;
            case MqttQos.AtLeastOnce:
                accepted = _broker.PublishFromClient(session, topic, in publish);
                Acknowledge(MqttPacketType.PubAck, publish.PacketId, accepted);
                break;
            default:
                // Exactly once: delivered onwards on first receipt; a resend before PUBREL is only acknowledged again.
                if (session.BeginIncomingQos2(publish.PacketId, out int pending))
                {
                    if (pending > _broker.Options.MaxInflight && Version == MqttProtocolVersion.V500)
                    {
                        session.ForgetIncomingQos2(publish.PacketId);
                        throw new MqttProtocolException(MqttReasonCode.ReceiveMaximumExceeded, "More QoS 2 messages in flight than the broker's Receive Maximum.");
                    }

                    accepted = _broker.PublishFromClient(session, topic, in publish);
                    if (accepted != MqttReasonCode.Success)
                    {
                        // A refused PUBREC ends the exchange (5.0); a 3.1.1 client's PUBREL then finds nothing to release.
                        session.ForgetIncomingQos2(publish.PacketId);
                    }
                }

                Acknowledge(MqttPacketType.PubRec, publish.PacketId, accepted);
                break;
        }

        if (accepted != MqttReasonCode.Success && !_quotaLogged)
        {
            // Once per connection: a device stuck over its quota would otherwise log every message.
            _quotaLogged = true;
            _broker.LogRetainedQuotaExceeded(ClientId, Username, topic);
        }
    }

    /// <summary>
    /// The disk is full, so a QoS 1/2 message could not be kept as promised: 5.0 is told Quota exceeded (0x97) and may
    /// try later; 3.1.1 has no refusing acknowledgement, so the connection closes and the client resends after it
    /// reconnects. QoS 0 goes on (it promises nothing), as does delivery to connected clients.
    /// </summary>
    private void RefuseForFullDisk(in MqttPublish publish)
    {
        if (Version == MqttProtocolVersion.V500)
        {
            Acknowledge(publish.Qos == MqttQos.AtLeastOnce ? MqttPacketType.PubAck : MqttPacketType.PubRec, publish.PacketId, MqttReasonCode.QuotaExceeded);
            return;
        }

        _closeRequested = true;
        _input.CancelPendingRead();
    }

    private void HandleSubscribe(MqttSession session, MqttSubscribe subscribe)
    {
        uint identifier = subscribe.Properties?.SubscriptionIdentifier ?? 0;
        var ack = new MqttSubAck { PacketId = subscribe.PacketId };
        List<(byte[] Filter, MqttSubscriptionOptions Options)>? retained = null;
        bool changed = false;
        foreach (MqttSubscription subscription in subscribe.Subscriptions)
        {
            byte[] filter = Encoding.UTF8.GetBytes(subscription.TopicFilter);
            MqttSubscriptionOptions options = subscription.Options;
            if (!MqttTopic.IsValidTopicFilter(filter))
            {
                ack.ReasonCodes.Add(MqttReasonCode.TopicFilterInvalid);
                continue;
            }

            bool shared = MqttTopic.IsShared(filter);
            if (shared && options.NoLocal)
            {
                throw new MqttProtocolException(MqttReasonCode.ProtocolError, "No Local is set on a shared subscription.");
            }

            if (!Access.MaySubscribe(filter))
            {
                _broker.LogSubscribeDenied(ClientId, Username, subscription.TopicFilter);
                ack.ReasonCodes.Add(MqttReasonCode.NotAuthorized);
                continue;
            }

            if (!_broker.TrySubscribe(session, subscription.TopicFilter, options, identifier, out SubscribeResult result))
            {
                ack.ReasonCodes.Add(MqttReasonCode.QuotaExceeded);
                if (!_subscriptionQuotaLogged)
                {
                    // Once per connection: a client past its limit sends its refused filters by the thousand.
                    _subscriptionQuotaLogged = true;
                    _broker.LogSubscriptionQuotaExceeded(ClientId, Username, subscription.TopicFilter);
                }

                continue;
            }

            if (result == SubscribeResult.InvalidFilter)
            {
                ack.ReasonCodes.Add(MqttReasonCode.TopicFilterInvalid);
                continue;
            }

            changed |= session.Persistent;
            ack.ReasonCodes.Add((MqttReasonCode)(byte)options.MaximumQos);
            if (!shared && (options.RetainHandling == MqttRetainHandling.SendOnSubscribe
                || (options.RetainHandling == MqttRetainHandling.SendOnNewSubscribe && result == SubscribeResult.Added)))
            {
                (retained ??= []).Add((filter, options));
            }
        }

        Reply(ack, changed, retained, identifier);
    }

    private void HandleUnsubscribe(MqttSession session, MqttUnsubscribe unsubscribe)
    {
        var ack = new MqttUnsubAck { PacketId = unsubscribe.PacketId };
        bool changed = false;
        foreach (string filter in unsubscribe.TopicFilters)
        {
            bool removed = _broker.Unsubscribe(session, filter);
            changed |= removed && session.Persistent;
            ack.ReasonCodes.Add(removed ? MqttReasonCode.Success : MqttReasonCode.NoSubscriptionExisted);
        }

        Reply(ack, changed);
    }

    private void HandleDisconnect(MqttSession session, MqttDisconnect disconnect)
    {
        if (Version == MqttProtocolVersion.V500)
        {
            if (disconnect.Properties?.SessionExpiryInterval is { } expiry)
            {
                if (session.ExpirySeconds == 0 && expiry != 0)
                {
                    throw new MqttProtocolException(MqttReasonCode.ProtocolError, "DISCONNECT sets a session expiry on a session that had none.");
                }

                session.ExpirySeconds = _broker.CapExpiry(expiry);
            }

            Graceful = disconnect.ReasonCode != MqttReasonCode.DisconnectWithWillMessage;
        }
        else
        {
            Graceful = true;
        }

        _closeRequested = true;
    }

    private void OnProtocolError(MqttProtocolException e)
    {
        NodeCloses("protocol error");
        _broker.LogProtocolViolation(Remote, e);
        if (e is MqttUnsupportedProtocolVersionException)
        {
            // Answered in the 3.1.1 layout, which every version can read: return code 1.
            lock (_outputLock)
            {
                if (!_outputDone)
                {
                    _output.Write<byte>([0x20, 0x02, 0x00, 0x01]);
                    _written += 4;
                }
            }
        }
        else if (_reader.Version == MqttProtocolVersion.V500 || Version == MqttProtocolVersion.V500)
        {
            Version = MqttProtocolVersion.V500;
            if (!IsConnected)
            {
                WriteControl(new MqttConnAck { ReasonCode = MqttReasonCodes.IsValidForConnAck(e.ReasonCode) ? e.ReasonCode : MqttReasonCode.UnspecifiedError });
            }
            else
            {
                WriteControl(new MqttDisconnect { ReasonCode = MqttReasonCodes.IsValidForDisconnect(e.ReasonCode) ? e.ReasonCode : MqttReasonCode.ProtocolError });
            }
        }

        _closeRequested = true;
    }

    private async Task FlushLoopAsync()
    {
        try
        {
            ChannelReader<byte> requests = _flushRequests.Reader;
            while (await requests.WaitToReadAsync().ConfigureAwait(false))
            {
                requests.TryRead(out _);
                ValueTask<FlushResult> flush;
                long written;
                lock (_outputLock)
                {
                    if (_outputDone)
                    {
                        return;
                    }

                    written = _written;
                    flush = _output.FlushAsync();
                }

                FlushResult result = await flush.ConfigureAwait(false);
                if (result.IsCompleted || result.IsCanceled)
                {
                    return;
                }

                Volatile.Write(ref _flushed, written);
                OnFlushed();
            }
        }
        catch (Exception e) when (e is IOException or ConnectionResetException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            _closeRequested = true;
            _input.CancelPendingRead();
        }
    }

    /// <summary>After a flush: a backlogged connection that has drained to half its bound reads again and gets its queued messages.</summary>
    private void OnFlushed()
    {
        lock (_outputLock)
        {
            if (!_backlogged || _written - Volatile.Read(ref _flushed) > _outputLimit / 2)
            {
                return;
            }

            _backlogged = false;
        }

        LastReceived = _broker.Now;
        _drained.Writer.TryWrite(0);
        Session?.Resume(this);
    }

    private async Task CloseAsync(Task flushLoop)
    {
        _closeRequested = true;
        Interlocked.CompareExchange(ref _closingSince, _broker.Now, 0);
        _broker.OnConnectionClosed(this);
        _flushRequests.Writer.TryComplete();
        await flushLoop.ConfigureAwait(false);
        ValueTask<FlushResult> flush;
        lock (_outputLock)
        {
            _outputDone = true;
            flush = _aborted ? default : _output.FlushAsync();
        }

        try
        {
            await flush.ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ConnectionResetException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
        }

        await _output.CompleteAsync().ConfigureAwait(false);
        await _input.CompleteAsync().ConfigureAwait(false);
    }

    private sealed class ByteArrayComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
    {
        public static readonly ByteArrayComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => GetHashCode(obj.AsSpan());

        public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

        public int GetHashCode(ReadOnlySpan<byte> alternate)
        {
            var hash = new HashCode();
            hash.AddBytes(alternate);
            return hash.ToHashCode();
        }

        public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
    }
}
