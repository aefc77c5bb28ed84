using EdgeNode.Core.Routing;
using EdgeNode.Core.Storage;

namespace EdgeNode.Xmpp.Offline;

/// <summary>
/// XEP-0160: messages for an account with no available session, kept in SQLite in arrival order up to a quota per
/// account, and handed over (and deleted) when the account next sends available presence.
/// </summary>
public sealed class OfflineMessageStore(Store store, int quota) : IOfflineStore
{
    public OfflineResult Store(string recipientBare, in RoutedStanza stanza)
    {
        // Only messages a person would miss: chat and normal with a body (no chat states, no receipts alone).
        if (stanza.Kind != StanzaKind.Message || stanza.MessageType is not (MessageType.Chat or MessageType.Normal)
            || stanza.Body.IsEmpty || stanza.Xmpp.IsEmpty)
        {
            return OfflineResult.NotStored;
        }

        byte[] bytes = stanza.Xmpp.ToArray();
        return store.Write(tx =>
        {
            using var count = tx.Command("SELECT count(*) FROM xmpp_offline WHERE owner = $o");
            count.Parameters.AddWithValue("$o", recipientBare);
            if ((long)count.ExecuteScalar()! >= quota)
            {
                return OfflineResult.QuotaExceeded;
            }

            using var insert = tx.Command("INSERT INTO xmpp_offline (owner, stanza, created_at) VALUES ($o, $s, $t)");
            insert.Parameters.AddWithValue("$o", recipientBare);
            insert.Parameters.AddWithValue("$s", bytes);
            insert.Parameters.AddWithValue("$t", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            insert.ExecuteNonQuery();
            return OfflineResult.Stored;
        });
    }

    /// <summary>Removes and returns the account's messages, oldest first, with the time each arrived.</summary>
    public IReadOnlyList<(byte[] Stanza, DateTimeOffset Received)> TakeAll(string owner) => store.Write(tx =>
    {
        var messages = new List<(byte[], DateTimeOffset)>();
        using (var query = tx.Command("SELECT stanza, created_at FROM xmpp_offline WHERE owner = $o ORDER BY id"))
        {
            query.Parameters.AddWithValue("$o", owner);
            using var rows = query.ExecuteReader();
            while (rows.Read())
            {
                messages.Add(((byte[])rows[0], DateTimeOffset.FromUnixTimeMilliseconds(rows.GetInt64(1))));
            }
        }

        using var delete = tx.Command("DELETE FROM xmpp_offline WHERE owner = $o");
        delete.Parameters.AddWithValue("$o", owner);
        delete.ExecuteNonQuery();
        return (IReadOnlyList<(byte[], DateTimeOffset)>)messages;
    });

    public void RemoveAccount(string owner) => store.Write(tx =>
    {
        using var delete = tx.Command("DELETE FROM xmpp_offline WHERE owner = $o");
        delete.Parameters.AddWithValue("$o", owner);
        delete.ExecuteNonQuery();
    });
}
