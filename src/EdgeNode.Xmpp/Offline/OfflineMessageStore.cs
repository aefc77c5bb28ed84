using System.Buffers;
using EdgeNode.Core.Routing;
using EdgeNode.Xmpp.Routing;
using EdgeNode.Core.Storage;
using EdgeNode.Xmpp.Streams;

namespace EdgeNode.Xmpp.Offline;

/// <summary>One stored message: its row id (delivery order), the stanza as received, and when it arrived.</summary>
public readonly record struct OfflineMessage(long Id, byte[] Stanza, DateTimeOffset Received);

/// <summary>
/// XEP-0160: messages for an account with no available session, kept in SQLite in arrival order up to a quota per
/// account in messages and in bytes. They are read back a page at a time and each is deleted only once its delivery
/// has reached the client's socket (see <see cref="OfflineDelivery"/>), so a session that ends midway loses nothing.
/// </summary>
public sealed class OfflineMessageStore : IOfflineStore
{
    private readonly Store _store;
    private readonly int _maxMessages;
    private readonly long _maxBytes;
    private readonly int _maxPerSender;

    /// <param name="maxPerSender">Messages one sending account may have stored for one recipient; 0: no cap of its own.</param>
    public OfflineMessageStore(Store store, int maxMessages, long maxBytes, int maxPerSender = 0)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentOutOfRangeException.ThrowIfNegative(maxMessages);
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        ArgumentOutOfRangeException.ThrowIfNegative(maxPerSender);
        _store = store;
        _maxMessages = maxMessages;
        _maxBytes = maxBytes;
        _maxPerSender = maxPerSender;
    }

    public OfflineResult Store(string recipientBare, in RoutedStanza stanza)
    {
        // Only messages a person would miss: chat and normal with a body (no chat states, no receipts alone).
        if (stanza.Kind != StanzaKind.Message || stanza.MessageType is not (MessageType.Chat or MessageType.Normal)
            || stanza.Body.IsEmpty)
        {
            return OfflineResult.NotStored;
        }

        // A message written on another protocol (a Matrix client) is kept as the XMPP message its clients will get.
        byte[] bytes;
        if (stanza.Xmpp.IsEmpty)
        {
            var written = new ArrayBufferWriter<byte>(256 + stanza.Body.Length);
            NeutralStanzas.WriteMessage(written, stanza);
            bytes = written.WrittenSpan.ToArray();
        }
        else
        {
            bytes = stanza.Xmpp.ToArray();
        }

        ReadOnlySpan<byte> from = stanza.From;
        int slash = from.IndexOf((byte)'/');
        string sender = System.Text.Encoding.UTF8.GetString(slash < 0 ? from : from[..slash]).ToLowerInvariant();
        try
        {
            return Insert(recipientBare, sender, bytes);
        }
        catch (StoreFullException)
        {
            return OfflineResult.StorageFull;
        }
    }

    private OfflineResult Insert(string recipientBare, string sender, byte[] bytes)
    {
        if (_store.IsFull && !_store.ProbeWrite())
        {
            return OfflineResult.StorageFull;
        }

        return _store.Write(tx =>
        {
            // The check and the insert share the write transaction: two senders cannot both take the last room.
            using var usage = tx.Command("SELECT count(*), coalesce(sum(length(stanza)), 0) FROM xmpp_offline WHERE owner = $o");
            usage.Parameters.AddWithValue("$o", recipientBare);
            long count;
            long used;
            using (var row = usage.ExecuteReader())
            {
                row.Read();
                count = row.GetInt64(0);
                used = row.GetInt64(1);
            }

            if (count >= _maxMessages || used + bytes.Length > _maxBytes)
            {
                return OfflineResult.QuotaExceeded;
            }

            if (_maxPerSender > 0)
            {
                // One sender's share, so that a flood from one account leaves room for everyone else's messages.
                using var mine = tx.Command("SELECT count(*) FROM xmpp_offline WHERE owner = $o AND sender = $f");
                mine.Parameters.AddWithValue("$o", recipientBare);
                mine.Parameters.AddWithValue("$f", sender);
                if ((long)mine.ExecuteScalar()! >= _maxPerSender)
                {
                    return OfflineResult.QuotaExceeded;
                }
            }

            using var insert = tx.Command("INSERT INTO xmpp_offline (owner, sender, stanza, created_at) VALUES ($o, $f, $s, $t)");
            insert.Parameters.AddWithValue("$o", recipientBare);
            insert.Parameters.AddWithValue("$f", sender);
            insert.Parameters.AddWithValue("$s", bytes);
            insert.Parameters.AddWithValue("$t", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            insert.ExecuteNonQuery();
            return OfflineResult.Stored;
        });
    }

    /// <summary>
    /// The account's oldest messages after <paramref name="afterId"/>, in order, as many as fit in
    /// <paramref name="maxBytes"/> (always at least one) and at most <paramref name="maxMessages"/>. Nothing is removed.
    /// </summary>
    public IReadOnlyList<OfflineMessage> ReadPage(string owner, long afterId, int maxMessages, int maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);
        return _store.Read(connection =>
        {
            var page = new List<OfflineMessage>();
            using var query = connection.Command("SELECT id, stanza, created_at FROM xmpp_offline WHERE owner = $o AND id > $after ORDER BY id LIMIT $n");
            query.Parameters.AddWithValue("$o", owner);
            query.Parameters.AddWithValue("$after", afterId);
            query.Parameters.AddWithValue("$n", maxMessages);
            using var rows = query.ExecuteReader();
            long total = 0;
            while (rows.Read())
            {
                var stanza = (byte[])rows[1];
                if (page.Count > 0 && total + stanza.Length > maxBytes)
                {
                    break;
                }

                total += stanza.Length;
                page.Add(new OfflineMessage(rows.GetInt64(0), stanza, DateTimeOffset.FromUnixTimeMilliseconds(rows.GetInt64(2))));
            }

            return (IReadOnlyList<OfflineMessage>)page;
        });
    }

    /// <summary>Removes the account's messages with ids from <paramref name="firstId"/> to <paramref name="lastId"/>: the ones delivered.</summary>
    public void Delete(string owner, long firstId, long lastId) => _store.Write(tx =>
    {
        using var delete = tx.Command("DELETE FROM xmpp_offline WHERE owner = $o AND id >= $first AND id <= $last");
        delete.Parameters.AddWithValue("$o", owner);
        delete.Parameters.AddWithValue("$first", firstId);
        delete.Parameters.AddWithValue("$last", lastId);
        delete.ExecuteNonQuery();
    });

    /// <summary>How many messages and bytes the account has stored.</summary>
    public (int Messages, long Bytes) Usage(string owner) => _store.Read(connection =>
    {
        using var usage = connection.Command("SELECT count(*), coalesce(sum(length(stanza)), 0) FROM xmpp_offline WHERE owner = $o");
        usage.Parameters.AddWithValue("$o", owner);
        using var row = usage.ExecuteReader();
        row.Read();
        return ((int)row.GetInt64(0), row.GetInt64(1));
    });

    public void RemoveAccount(string owner) => _store.Write(tx =>
    {
        using var delete = tx.Command("DELETE FROM xmpp_offline WHERE owner = $o");
        delete.Parameters.AddWithValue("$o", owner);
        delete.ExecuteNonQuery();
    });
}
