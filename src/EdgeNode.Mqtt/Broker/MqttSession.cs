using EdgeNode.Core.Configuration;
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
    private long _queuedBytes;
    private bool _fullLogged;

    public readonly Lock Sync = new();

    public string ClientId { get; } = clientId;

    /// <summary>The session's key among the broker's sessions: account and client id (see <see cref="SessionKeys"/>).</summary>
    public string Key { get; init; } = clientId;

    /// <summary>The session's row key in the database: <see cref="Key"/>, or the plain client id of a row stored before keys had an account.</summary>
    public string StorageKey { get; init; } = clientId;

    public MqttConnection? Connection { get; private set; }

    public Dictionary<string, SessionSubscription> Subscriptions { get; } = new(StringComparer.Ordinal);

    /// <summary>Seconds the session outlives a disconnection (already capped by the broker); 0 ends it with the connection.</summary>
    public uint ExpirySeconds { get; set; }

    public bool Persistent => ExpirySeconds > 0;

    /// <summary>The device name (MQTT user name) that last used the session; null for anonymous.</summary>
    public string? Username { get; set; }

    /// <summary><see cref="MqttBroker.Now"/> at the last disconnection.</summary>
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

    /// <summary>Bytes of the QoS 1/2 messages held (queued and in flight), against Mqtt:MaxQueuedBytes.</summary>
    public long QueuedBytes
    {
        get
        {
            lock (Sync)
            {
                return _queuedBytes;
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
                // PUBRELs are a few bytes each, at most one per window slot; the PUBLISHes go out as the output bound allows.
                item.OnWire = item.State == OutboundState.Released;
                if (item.OnWire)
                {
                    connection.WriteAck(MqttPacketType.PubRel, item.PacketId);
                }
            }

            Pump(connection);
            connection.RequestFlush();
        }
    }

    /// <summary>The connection's output drained after a backlog: what waited goes out now.</summary>
    public void Resume(MqttConnection connection)
    {
        lock (Sync)
        {
            if (Connection == connection && !Discarded)
            {
                Pump(connection);
                connection.RequestFlush();
            }
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
            DisconnectedAt = broker.Now;
            return true;
        }
    }

    /// <summary>
    /// A routed message for this session at the QoS its subscriptions grant. <paramref name="sharedGroup"/>: the shared
    /// subscription group that chose this session, when it has the message only through such groups.
    /// </summary>
    public void Deliver(ref RoutedMessage message, MqttQos qos, bool retain, ReadOnlyMemory<uint> subscriptionIds, object? sharedGroup = null)
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
                if (connection is not null && connection.WritePublish(new MqttPublishHeader(MqttQos.AtMostOnce, 0, retain), message.Topic, message.Payload,
                        message.Properties with { SubscriptionIdentifiers = subscriptionIds }) == PublishWrite.Written)
                {
                    connection.RequestFlush();
                }
                else
                {
                    broker.Stats.Dropped();
                }

                return;
            }

            MqttOptions options = broker.Options;
            MqttMessage owned = message.GetOwned();
            long size = owned.TopicUtf8.Length + owned.PayloadBytes.Length + owned.PropertyBlock.Length;
            if (_queue.Count + _inflight.Count >= options.MaxQueuedMessages + options.MaxInflight || _queuedBytes + size > options.MaxQueuedBytes)
            {
                broker.Stats.Dropped();
                if (!_fullLogged)
                {
                    // Once until the queue has room again: a session that stays away would otherwise log every message.
                    _fullLogged = true;
                    broker.LogQueueFull(ClientId, _queue.Count + _inflight.Count, _queuedBytes);
                }

                return;
            }

            _fullLogged = false;
            var item = new OutboundItem(owned, qos, retain, subscriptionIds.IsEmpty ? NoIds : subscriptionIds.ToArray(), ++_lastSeq)
            {
                SharedGroup = qos == MqttQos.AtLeastOnce ? sharedGroup : null,
            };
            if (Persistent)
            {
                broker.Storage?.InsertMessage(StorageKey, item);
            }

            _queuedBytes += item.Size;
            _queue.Enqueue(item);
            if (connection is not null)
            {
                Pump(connection);
                connection.RequestFlush();
            }
        }
    }

    /// <summary>The QoS 1 messages a shared group gave this session and it has not acknowledged; called as the session ends.</summary>
    public List<OutboundItem>? UnacknowledgedShared()
    {
        lock (Sync)
        {
            List<OutboundItem>? found = null;
            foreach (OutboundItem item in _inflight)
            {
                if (item.SharedGroup is not null)
                {
                    (found ??= []).Add(item);
                }
            }

            foreach (OutboundItem item in _queue)
            {
                if (item.SharedGroup is not null)
                {
                    (found ??= []).Add(item);
                }
            }

            return found;
        }
    }

    /// <summary>Puts back a message restored from the database (the session is offline at start-up).</summary>
    public void Restore(OutboundItem item)
    {
        lock (Sync)
        {
            _lastSeq = Math.Max(_lastSeq, item.Seq);
            _queuedBytes += item.Size;
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
                broker.Storage?.UpdateMessage(StorageKey, item);
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
        Forget(item);
        if (Connection is { } connection)
        {
            Pump(connection);
            connection.RequestFlush();
        }
    }

    private void Forget(OutboundItem item)
    {
        _queuedBytes -= item.Size;
        if (Persistent)
        {
            broker.Storage?.DeleteMessage(StorageKey, item.Seq);
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

    /// <summary>
    /// Sends what the connection has not had yet, while its output has room: first in-flight messages from before a
    /// reconnect (DUP set), then queued ones while the client's window has room. What does not fit waits here.
    /// </summary>
    private void Pump(MqttConnection connection)
    {
        for (int i = 0; i < _inflight.Count; i++)
        {
            OutboundItem item = _inflight[i];
            if (item.OnWire || item.State != OutboundState.Sent)
            {
                continue;
            }

            PublishWrite result = Write(connection, item, duplicate: item.SentBefore);
            if (result == PublishWrite.TooLarge)
            {
                Drop(item);
                _inflight.RemoveAt(i--);
            }
            else if (result != PublishWrite.Written)
            {
                return;
            }
        }

        long now = Environment.TickCount64;
        while (_inflight.Count < connection.SendWindow && _queue.TryPeek(out OutboundItem? item))
        {
            if (item.Message.IsExpired(now, out _))
            {
                _queue.Dequeue();
                Forget(item);
                continue;
            }

            item.PacketId = NextPacketId();
            PublishWrite result = Write(connection, item, duplicate: false);
            if (result == PublishWrite.TooLarge)
            {
                _queue.Dequeue();
                Drop(item);
                continue;
            }

            if (result != PublishWrite.Written)
            {
                return;
            }

            _queue.Dequeue();
            item.State = OutboundState.Sent;
            _inflight.Add(item);
        }
    }

    // Larger than the client's Maximum Packet Size: it could never be delivered, and would hold a window slot for ever.
    private void Drop(OutboundItem item)
    {
        broker.Stats.Dropped();
        broker.LogDropped(ClientId, "larger than the client's Maximum Packet Size");
        Forget(item);
    }

    private static PublishWrite Write(MqttConnection connection, OutboundItem item, bool duplicate)
    {
        item.Message.IsExpired(Environment.TickCount64, out uint? remaining);
        MqttPublishProperties properties = item.Message.ToPublishProperties(remaining) with { SubscriptionIdentifiers = item.SubscriptionIds };
        PublishWrite result = connection.WritePublish(new MqttPublishHeader(item.Qos, item.PacketId, item.Retain, duplicate), item.Message.TopicUtf8,
            new System.Buffers.ReadOnlySequence<byte>(item.Message.PayloadBytes), properties);
        if (result == PublishWrite.Written)
        {
            item.OnWire = true;
            item.SentBefore = true;
        }

        return result;
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
