using System.Collections.Concurrent;
using System.Threading.Channels;
using EdgeNode.Core.Storage;
using EdgeNode.Mqtt.Broker;
using EdgeNode.Mqtt.Codec;
using EdgeNode.Mqtt.Messaging;
using Microsoft.Data.Sqlite;

namespace EdgeNode.Mqtt.Storage;

/// <summary>
/// Saves retained messages and persistent sessions. Changes are queued and written in batches, one transaction
/// per batch, so a burst of QoS 1 traffic costs one commit per batch rather than one per message; a message
/// acknowledged within the same batch is never written at all. The broker service writes a batch every 50 ms, and at
/// once when a connection waits for its changes (<see cref="WhenWrittenAsync"/>): a PUBACK, PUBREC or PUBCOMP goes out
/// only once what the PUBLISH changed (queued messages of persistent sessions, retained messages) is in the database,
/// so a crash or kill loses nothing that a client was told the broker has. A batch whose write fails stays queued and
/// is written first at the next attempt.
/// </summary>
public sealed class MqttBrokerStorage(Store store)
{
    private readonly ConcurrentQueue<Change> _changes = new();
    private readonly Lock _enqueueLock = new();
    private readonly Lock _flushLock = new();
    private readonly Channel<bool> _wanted = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private TaskCompletionSource _nextWrite = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private List<Change?>? _unwritten;
    private int _unwrittenTaken;
    private long _queued;
    private long _written;

    public bool HasPending => !_changes.IsEmpty || _unwritten is not null;

    /// <summary>True while the node's disk is full (see <see cref="Store.IsFull"/>): QoS 1/2 publishes are refused then.</summary>
    public bool IsFull => store.IsFull;

    /// <summary>While full and with nothing queued to retry: a probe write, so that room again is noticed.</summary>
    public void ProbeWhenFull()
    {
        if (store.IsFull && !HasPending)
        {
            store.ProbeWrite();
        }
    }

    /// <summary>How many changes were ever queued: a ticket that <see cref="IsWritten"/> and <see cref="WhenWrittenAsync"/> take.</summary>
    public long Queued => Volatile.Read(ref _queued);

    /// <summary>True when every change queued up to <paramref name="ticket"/> is in the database.</summary>
    public bool IsWritten(long ticket) => Volatile.Read(ref _written) >= ticket;

    /// <summary>Completes once every change queued up to <paramref name="ticket"/> is in the database, asking for a write now.</summary>
    public async Task WhenWrittenAsync(long ticket, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            // The next-write task is taken before the check, so that a write finishing in between is not missed.
            Task next = Volatile.Read(ref _nextWrite).Task;
            if (IsWritten(ticket))
            {
                return;
            }

            _wanted.Writer.TryWrite(true);
            await next.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Waits until a connection waits for its changes (see <see cref="WhenWrittenAsync"/>); false once <paramref name="cancellationToken"/> ends.</summary>
    public async Task<bool> WaitForWriteRequestAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _wanted.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    internal void SetRetained(MqttMessage message, string? owner) => Enqueue(new RetainedSet(message, owner));

    internal void DeleteRetained(byte[] topic) => Enqueue(new RetainedDelete(topic));

    /// <summary>
    /// The session's own row (expiry, account, when it disconnected). Its subscriptions are stored apart, one row
    /// change per SUBSCRIBE or UNSUBSCRIBE entry, so a save never costs more than the session row.
    /// </summary>
    internal void SaveSession(MqttSession session, bool connected) =>
        Enqueue(new SessionSave(session.StorageKey, session.ExpirySeconds, session.Username, connected ? null : DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));

    internal void SetSubscription(string clientId, string filter, MqttSubscriptionOptions options, uint identifier) =>
        Enqueue(new SubscriptionSet(clientId, filter, EncodeOptions(options), identifier));

    internal void DeleteSubscription(string clientId, string filter) => Enqueue(new SubscriptionDelete(clientId, filter));

    internal void DeleteSession(string clientId) => Enqueue(new SessionDelete(clientId));

    internal void InsertMessage(string clientId, OutboundItem item) => Enqueue(new MessageInsert(clientId, item, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));

    internal void UpdateMessage(string clientId, OutboundItem item) => Enqueue(new MessageUpdate(clientId, item.Seq, item.PacketId, item.State));

    internal void DeleteMessage(string clientId, long seq) => Enqueue(new MessageDelete(clientId, seq));

    private void Enqueue(Change change)
    {
        // The count and the queue move together, so that the first N changes written are the first N tickets.
        lock (_enqueueLock)
        {
            _changes.Enqueue(change);
            _queued++;
        }
    }

    /// <summary>Changes written in one transaction at most, so that other writers of the node wait for one small batch at a time.</summary>
    internal const int MaxChangesPerTransaction = 256;

    /// <summary>
    /// Writes every queued change, in transactions of at most <see cref="MaxChangesPerTransaction"/> changes; returns how
    /// many were written. When a write fails its batch is kept for the next call, and the exception is thrown.
    /// </summary>
    public int Flush()
    {
        lock (_flushLock)
        {
            int count = 0;
            while (HasPending)
            {
                count += FlushBatch();
            }

            return count;
        }
    }

    private int FlushBatch()
    {
        List<Change?> batch;
        int taken;
        if (_unwritten is not null)
        {
            (batch, taken) = (_unwritten, _unwrittenTaken);
        }
        else
        {
            batch = [];
            taken = 0;
            var inserted = new Dictionary<(string, long), int>();
            while (batch.Count < MaxChangesPerTransaction && _changes.TryDequeue(out Change? change))
            {
                taken++;
                switch (change)
                {
                    case MessageInsert insert:
                        inserted[(insert.ClientId, insert.Item.Seq)] = batch.Count;
                        break;
                    case MessageDelete delete when inserted.Remove((delete.ClientId, delete.Seq), out int index):
                        // Queued and acknowledged within one batch: the row would only be written to be deleted.
                        batch[index] = null;
                        continue;
                }

                batch.Add(change);
            }
        }

        try
        {
            int written = store.Write(tx =>
            {
                int count = 0;
                foreach (Change? change in batch)
                {
                    if (change is not null)
                    {
                        Apply(tx, change);
                        count++;
                    }
                }

                return count;
            });
            _unwritten = null;
            Volatile.Write(ref _written, _written + taken);
            Interlocked.Exchange(ref _nextWrite, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).SetResult();
            return written;
        }
        catch
        {
            (_unwritten, _unwrittenTaken) = (batch, taken);
            throw;
        }
    }

    /// <summary>Retained messages and sessions; a session's disconnection time is given on the broker's clock, which reads <paramref name="sessionNow"/> now.</summary>
    internal (List<(MqttMessage Message, string? Owner)> Retained, List<RestoredSession> Sessions) Load(TimeSpan maxExpiry, long sessionNow)
    {
        long nowMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        long tick = Environment.TickCount64;
        store.Write(tx =>
        {
            using var purge = tx.Command("DELETE FROM mqtt_sessions WHERE disconnected_at IS NOT NULL AND disconnected_at + min(expiry_seconds, $max) * 1000 < $now");
            purge.Parameters.AddWithValue("$max", (long)maxExpiry.TotalSeconds);
            purge.Parameters.AddWithValue("$now", nowMs);
            purge.ExecuteNonQuery();
        });

        return store.Read(c =>
        {
            var retained = new List<(MqttMessage, string?)>();
            using (var query = c.Command("SELECT topic, payload, qos, properties, stored_at, owner FROM mqtt_retained"))
            using (var rows = query.ExecuteReader())
            {
                while (rows.Read())
                {
                    retained.Add((new MqttMessage((byte[])rows[0], (byte[])rows[1], (MqttQos)rows.GetInt32(2), true, (byte[])rows[3], tick - Math.Max(0, nowMs - rows.GetInt64(4))),
                        rows.IsDBNull(5) ? null : rows.GetString(5)));
                }
            }

            var sessions = new Dictionary<string, RestoredSession>(StringComparer.Ordinal);
            using (var query = c.Command("SELECT client_id, expiry_seconds, disconnected_at, username FROM mqtt_sessions"))
            using (var rows = query.ExecuteReader())
            {
                while (rows.Read())
                {
                    long disconnectedAt = rows.IsDBNull(2) ? nowMs : rows.GetInt64(2);
                    sessions[rows.GetString(0)] = new RestoredSession(rows.GetString(0), (uint)rows.GetInt64(1), rows.IsDBNull(3) ? null : rows.GetString(3),
                        sessionNow - Math.Max(0, nowMs - disconnectedAt));
                }
            }

            using (var query = c.Command("SELECT client_id, filter, options, identifier FROM mqtt_subscriptions"))
            using (var rows = query.ExecuteReader())
            {
                while (rows.Read())
                {
                    if (sessions.TryGetValue(rows.GetString(0), out RestoredSession? session))
                    {
                        session.Subscriptions.Add((rows.GetString(1), DecodeOptions(rows.GetInt32(2)), (uint)rows.GetInt64(3)));
                    }
                }
            }

            using (var query = c.Command("SELECT client_id, seq, topic, payload, qos, retain, properties, stored_at, packet_id, state FROM mqtt_session_messages ORDER BY client_id, seq"))
            using (var rows = query.ExecuteReader())
            {
                while (rows.Read())
                {
                    if (sessions.TryGetValue(rows.GetString(0), out RestoredSession? session))
                    {
                        var message = new MqttMessage((byte[])rows[2], (byte[])rows[3], (MqttQos)rows.GetInt32(4), rows.GetInt32(5) != 0, (byte[])rows[6],
                            tick - Math.Max(0, nowMs - rows.GetInt64(7)));
                        var item = new OutboundItem(message, message.Qos, message.Retain, [], rows.GetInt64(1))
                        {
                            PacketId = (ushort)rows.GetInt32(8),
                            State = (OutboundState)rows.GetInt32(9) == OutboundState.Released ? OutboundState.Released : OutboundState.Queued,
                        };
                        session.Messages.Add(item);
                    }
                }
            }

            return (retained, sessions.Values.ToList());
        });
    }

    private static void Apply(SqliteTransaction tx, Change change)
    {
        switch (change)
        {
            case RetainedSet set:
            {
                using var command = tx.Command("INSERT INTO mqtt_retained (topic, payload, qos, properties, stored_at, expiry, owner) VALUES ($t, $p, $q, $r, $s, $e, $o) ON CONFLICT (topic) DO UPDATE SET payload = $p, qos = $q, properties = $r, stored_at = $s, expiry = $e, owner = $o");
                command.Parameters.AddWithValue("$t", set.Message.TopicUtf8);
                command.Parameters.AddWithValue("$p", set.Message.PayloadBytes);
                command.Parameters.AddWithValue("$q", (int)set.Message.Qos);
                command.Parameters.AddWithValue("$r", set.Message.PropertyBlock);
                command.Parameters.AddWithValue("$s", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - (Environment.TickCount64 - set.Message.ReceivedAt));
                command.Parameters.AddWithValue("$e", set.Message.ExpiryInterval is { } e ? e : DBNull.Value);
                command.Parameters.AddWithValue("$o", set.Owner is { } o ? o : DBNull.Value);
                command.ExecuteNonQuery();
                break;
            }

            case RetainedDelete delete:
            {
                using var command = tx.Command("DELETE FROM mqtt_retained WHERE topic = $t");
                command.Parameters.AddWithValue("$t", delete.Topic);
                command.ExecuteNonQuery();
                break;
            }

            case SessionSave save:
            {
                using var command = tx.Command("INSERT INTO mqtt_sessions (client_id, expiry_seconds, disconnected_at, username) VALUES ($c, $e, $d, $u) ON CONFLICT (client_id) DO UPDATE SET expiry_seconds = $e, disconnected_at = $d, username = $u");
                command.Parameters.AddWithValue("$c", save.ClientId);
                command.Parameters.AddWithValue("$e", (long)save.ExpirySeconds);
                command.Parameters.AddWithValue("$d", save.DisconnectedAt is { } d ? d : DBNull.Value);
                command.Parameters.AddWithValue("$u", save.Username is { } u ? u : DBNull.Value);
                command.ExecuteNonQuery();
                break;
            }

            case SubscriptionSet set:
            {
                // Only for a session that still has its row (a race with its deletion just drops the subscription).
                using var command = tx.Command("""
                    INSERT INTO mqtt_subscriptions (client_id, filter, options, identifier)
                    SELECT $c, $f, $o, $i WHERE EXISTS (SELECT 1 FROM mqtt_sessions WHERE client_id = $c)
                    ON CONFLICT (client_id, filter) DO UPDATE SET options = $o, identifier = $i
                    """);
                command.Parameters.AddWithValue("$c", set.ClientId);
                command.Parameters.AddWithValue("$f", set.Filter);
                command.Parameters.AddWithValue("$o", set.Options);
                command.Parameters.AddWithValue("$i", (long)set.Identifier);
                command.ExecuteNonQuery();
                break;
            }

            case SubscriptionDelete delete:
            {
                using var command = tx.Command("DELETE FROM mqtt_subscriptions WHERE client_id = $c AND filter = $f");
                command.Parameters.AddWithValue("$c", delete.ClientId);
                command.Parameters.AddWithValue("$f", delete.Filter);
                command.ExecuteNonQuery();
                break;
            }

            case SessionDelete delete:
            {
                using var command = tx.Command("DELETE FROM mqtt_sessions WHERE client_id = $c");
                command.Parameters.AddWithValue("$c", delete.ClientId);
                command.ExecuteNonQuery();
                break;
            }

            case MessageInsert insert:
            {
                // Only for a session that still has its row (a race with its deletion just drops the message).
                using var command = tx.Command("""
                    INSERT INTO mqtt_session_messages (client_id, seq, topic, payload, qos, retain, properties, stored_at, expiry, packet_id, state)
                    SELECT $c, $s, $t, $p, $q, $r, $pr, $at, $e, $id, $st WHERE EXISTS (SELECT 1 FROM mqtt_sessions WHERE client_id = $c)
                    ON CONFLICT DO NOTHING
                    """);
                MqttMessage m = insert.Item.Message;
                command.Parameters.AddWithValue("$c", insert.ClientId);
                command.Parameters.AddWithValue("$s", insert.Item.Seq);
                command.Parameters.AddWithValue("$t", m.TopicUtf8);
                command.Parameters.AddWithValue("$p", m.PayloadBytes);
                command.Parameters.AddWithValue("$q", (int)insert.Item.Qos);
                command.Parameters.AddWithValue("$r", insert.Item.Retain ? 1 : 0);
                command.Parameters.AddWithValue("$pr", m.PropertyBlock);
                command.Parameters.AddWithValue("$at", insert.StoredAt - (Environment.TickCount64 - m.ReceivedAt));
                command.Parameters.AddWithValue("$e", m.ExpiryInterval is { } e ? e : DBNull.Value);
                command.Parameters.AddWithValue("$id", (int)insert.Item.PacketId);
                command.Parameters.AddWithValue("$st", (int)insert.Item.State);
                command.ExecuteNonQuery();
                break;
            }

            case MessageUpdate update:
            {
                using var command = tx.Command("UPDATE mqtt_session_messages SET packet_id = $id, state = $st WHERE client_id = $c AND seq = $s");
                command.Parameters.AddWithValue("$c", update.ClientId);
                command.Parameters.AddWithValue("$s", update.Seq);
                command.Parameters.AddWithValue("$id", (int)update.PacketId);
                command.Parameters.AddWithValue("$st", (int)update.State);
                command.ExecuteNonQuery();
                break;
            }

            case MessageDelete delete:
            {
                using var command = tx.Command("DELETE FROM mqtt_session_messages WHERE client_id = $c AND seq = $s");
                command.Parameters.AddWithValue("$c", delete.ClientId);
                command.Parameters.AddWithValue("$s", delete.Seq);
                command.ExecuteNonQuery();
                break;
            }
        }
    }

    internal static int EncodeOptions(MqttSubscriptionOptions o) =>
        (int)o.MaximumQos | (o.NoLocal ? 0x04 : 0) | (o.RetainAsPublished ? 0x08 : 0) | ((int)o.RetainHandling << 4);

    internal static MqttSubscriptionOptions DecodeOptions(int v) =>
        new((MqttQos)(v & 3), (v & 0x04) != 0, (v & 0x08) != 0, (MqttRetainHandling)((v >> 4) & 3));

    private abstract record Change;

    private sealed record RetainedSet(MqttMessage Message, string? Owner) : Change;

    private sealed record RetainedDelete(byte[] Topic) : Change;

    private sealed record SessionSave(string ClientId, uint ExpirySeconds, string? Username, long? DisconnectedAt) : Change;

    private sealed record SubscriptionSet(string ClientId, string Filter, int Options, uint Identifier) : Change;

    private sealed record SubscriptionDelete(string ClientId, string Filter) : Change;

    private sealed record SessionDelete(string ClientId) : Change;

    private sealed record MessageInsert(string ClientId, OutboundItem Item, long StoredAt) : Change;

    private sealed record MessageUpdate(string ClientId, long Seq, ushort PacketId, OutboundState State) : Change;

    private sealed record MessageDelete(string ClientId, long Seq) : Change;
}

/// <summary>A persistent session as read back at start-up.</summary>
internal sealed record RestoredSession(string ClientId, uint ExpirySeconds, string? Username, long DisconnectedAt)
{
    public List<(string Filter, MqttSubscriptionOptions Options, uint Identifier)> Subscriptions { get; } = [];

    public List<OutboundItem> Messages { get; } = [];
}
