using EdgeNode.Mqtt.Codec;
using EdgeNode.Mqtt.Messaging;

namespace EdgeNode.Mqtt.Broker;

/// <summary>A subscription as the session remembers it (the tree has no "remove everything of one subscriber").</summary>
internal readonly record struct SessionSubscription(MqttSubscriptionOptions Options, uint Identifier);

/// <summary>
/// The state of one client id that outlives its connections: subscriptions, QoS 1/2 messages queued and in
/// flight towards the client, QoS 2 packet ids received but not yet released, and a will waiting for its delay.
/// Everything here is guarded by <see cref="Sync"/>; writes to the current connection happen under it too, so
/// CONNACK, redeliveries and new messages leave in order.
/// </summary>
internal sealed class MqttSession(MqttBroker broker, string clientId)
{
    private static readonly uint[] NoIds = [];

    private readonly Queue<OutboundItem> _queue = new();
    private readonly List<OutboundItem> _inflight = [];
    private readonly HashSet<ushort> _incomingQos2 = [];
    private ushort _lastPacketId;
    private long _lastSeq;

    public readonly Lock Sync = new();

    public string ClientId { get; } = clientId;

    public MqttConnection? Connection { get; private set; }

    public Dictionary<string, SessionSubscription> Subscriptions { get; } = new(StringComparer.Ordinal);

    /// <summary>Seconds the session outlives a disconnection (already capped by the broker); 0 ends it with the connection.</summary>
    public uint ExpirySeconds { get; set; }

    public bool Persistent => ExpirySeconds > 0;

    /// <summary>The device name (MQTT user name) that last used the session; null for anonymous.</summary>
    public string? Username { get; set; }

    /// <summary>Environment.TickCount64 at the last disconnection.</summary>
    public long DisconnectedAt { get; set; }

    /// <summary>A will waiting for its Will Delay Interval; cancelled when the client comes back first.</summary>
    public MqttMessage? PendingWill { get; set; }

    public long WillDueAt { get; set; }

    /// <summary>Set once the broker has dropped the session; late deliveries are ignored.</summary>
    public bool Discarded { get; set; }

    public int QueuedCount
    {
        get
        {
            lock (Sync)
            {
                return _queue.Count + _inflight.Count;
            }
        }
    }

    /// <summary>Attaches a connection: writes CONNACK, then resends what was in flight (DUP set) and what waited.</summary>
    public void Attach(MqttConnection connection, MqttConnAck connAck)
    {
        lock (Sync)
        {
            Connection = connection;
            PendingWill = null;
            connection.WriteControl(connAck);
            foreach (OutboundItem item in _inflight)
            {
                if (item.State == OutboundState.Released)
                {
                    connection.WriteAck(MqttPacketType.PubRel, item.PacketId);
                }
                else
                {
                    item.State = OutboundState.Sent;
                    Write(connection, item, duplicate: true);
                }
            }

            Pump(connection);
            connection.RequestFlush();
        }
    }

    /// <summary>Detaches <paramref name="connection"/> if it is still the session's; false when another took over.</summary>
    public bool Detach(MqttConnection connection)
    {
        lock (Sync)
        {
            if (Connection != connection)
            {
                return false;
            }

            Connection = null;
            DisconnectedAt = Environment.TickCount64;
            return true;
        }
    }

    /// <summary>A routed message for this session at the QoS its subscriptions grant.</summary>
    public void Deliver(ref RoutedMessage message, MqttQos qos, bool retain, ReadOnlyMemory<uint> subscriptionIds)
    {
        lock (Sync)
        {
            if (Discarded)
            {
                return;
            }

            MqttConnection? connection = Connection;
            if (qos == MqttQos.AtMostOnce)
            {
                // QoS 0 is not kept for offline clients, nor for one whose socket cannot keep up.
                if (connection is not null && !connection.IsBacklogged)
                {
                    connection.WritePublish(new MqttPublishHeader(MqttQos.AtMostOnce, 0, retain), message.Topic, message.Payload,
                        message.Properties with { SubscriptionIdentifiers = subscriptionIds });
                    connection.RequestFlush();
                }
                else
                {
                    broker.Stats.Dropped();
                }

                return;
            }

            if (_queue.Count + _inflight.Count >= broker.Options.MaxQueuedMessages + broker.Options.MaxInflight)
            {
                broker.Stats.Dropped();
                broker.LogDropped(ClientId, "its queue is full");
                return;
            }

            var item = new OutboundItem(message.GetOwned(), qos, retain, subscriptionIds.IsEmpty ? NoIds : subscriptionIds.ToArray(), ++_lastSeq);
            if (Persistent)
            {
                broker.Storage?.InsertMessage(ClientId, item);
            }

            _queue.Enqueue(item);
            if (connection is not null)
            {
                Pump(connection);
                connection.RequestFlush();
            }
        }
    }

    /// <summary>Puts back a message restored from the database (the session is offline at start-up).</summary>
    public void Restore(OutboundItem item)
    {
        lock (Sync)
        {
            _lastSeq = Math.Max(_lastSeq, item.Seq);
            if (item.State == OutboundState.Released)
            {
                _inflight.Add(item);
            }
            else
            {
                _queue.Enqueue(item);
            }
        }
    }

    public void OnPubAck(ushort packetId)
    {
        lock (Sync)
        {
            int index = Find(packetId, OutboundState.Sent);
            if (index >= 0 && _inflight[index].Qos == MqttQos.AtLeastOnce)
            {
                Complete(index);
            }
        }
    }

    public void OnPubRec(ushort packetId, MqttReasonCode reason)
    {
        lock (Sync)
        {
            int index = Find(packetId, OutboundState.Sent);
            MqttConnection? connection = Connection;
            if (index < 0 || _inflight[index].Qos != MqttQos.ExactlyOnce)
            {
                connection?.WriteAck(MqttPacketType.PubRel, packetId, MqttReasonCode.PacketIdentifierNotFound);
                connection?.RequestFlush();
                return;
            }

            if ((byte)reason >= 0x80)
            {
                Complete(index);
                return;
            }

            OutboundItem item = _inflight[index];
            item.State = OutboundState.Released;
            if (Persistent)
            {
                broker.Storage?.UpdateMessage(ClientId, item);
            }

            connection?.WriteAck(MqttPacketType.PubRel, packetId);
            connection?.RequestFlush();
        }
    }

    public void OnPubComp(ushort packetId)
    {
        lock (Sync)
        {
            int index = Find(packetId, OutboundState.Released);
            if (index >= 0)
            {
                Complete(index);
            }
        }
    }

    /// <summary>QoS 2 from the client: true the first time a packet id arrives, false for a resend before PUBREL.</summary>
    public bool BeginIncomingQos2(ushort packetId, out int pending)
    {
        lock (Sync)
        {
            bool added = _incomingQos2.Add(packetId);
            pending = _incomingQos2.Count;
            return added;
        }
    }

    public void ForgetIncomingQos2(ushort packetId)
    {
        lock (Sync)
        {
            _incomingQos2.Remove(packetId);
        }
    }

    public bool EndIncomingQos2(ushort packetId)
    {
        lock (Sync)
        {
            return _incomingQos2.Remove(packetId);
        }
    }

    private void Complete(int index)
    {
        OutboundItem item = _inflight[index];
        _inflight.RemoveAt(index);
        if (Persistent)
        {
            broker.Storage?.DeleteMessage(ClientId, item.Seq);
        }

        if (Connection is { } connection)
        {
            Pump(connection);
            connection.RequestFlush();
        }
    }

    private int Find(ushort packetId, OutboundState state)
    {
        for (int i = 0; i < _inflight.Count; i++)
        {
            if (_inflight[i].PacketId == packetId && _inflight[i].State == state)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Sends queued messages while the client's window has room.</summary>
    private void Pump(MqttConnection connection)
    {
        long now = Environment.TickCount64;
        while (_inflight.Count < connection.SendWindow && _queue.TryDequeue(out OutboundItem? item))
        {
            if (item.Message.IsExpired(now, out _))
            {
                if (Persistent)
                {
                    broker.Storage?.DeleteMessage(ClientId, item.Seq);
                }

                continue;
            }

            item.PacketId = NextPacketId();
            item.State = OutboundState.Sent;
            _inflight.Add(item);
            Write(connection, item, duplicate: false);
        }
    }

    private void Write(MqttConnection connection, OutboundItem item, bool duplicate)
    {
        item.Message.IsExpired(Environment.TickCount64, out uint? remaining);
        MqttPublishProperties properties = item.Message.ToPublishProperties(remaining) with { SubscriptionIdentifiers = item.SubscriptionIds };
        connection.WritePublish(new MqttPublishHeader(item.Qos, item.PacketId, item.Retain, duplicate), item.Message.TopicUtf8,
            new System.Buffers.ReadOnlySequence<byte>(item.Message.PayloadBytes), properties);
    }

    private ushort NextPacketId()
    {
        while (true)
        {
            _lastPacketId = _lastPacketId == ushort.MaxValue ? (ushort)1 : (ushort)(_lastPacketId + 1);
            bool used = false;
            foreach (OutboundItem item in _inflight)
            {
                used |= item.PacketId == _lastPacketId;
            }

            if (!used)
            {
                return _lastPacketId;
            }
        }
    }
}
