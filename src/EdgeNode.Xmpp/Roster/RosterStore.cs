using EdgeNode.Core.Storage;
using Microsoft.Data.Sqlite;

namespace EdgeNode.Xmpp.Roster;

/// <summary>Rosters in SQLite, with a version per account that grows with every change (RFC 6121 2.6 versioning).</summary>
public sealed class RosterStore(Store store)
{
    private const string Columns = "contact, name, groups, subscription, ask, approved, pending_in, in_roster";

    /// <summary>The items the user sees (in_roster), in contact order.</summary>
    public IReadOnlyList<RosterItem> Items(string owner) => Query(owner, "in_roster = 1");

    /// <summary>Contacts that receive the owner's presence (subscription from or both).</summary>
    public IReadOnlyList<RosterItem> Subscribers(string owner) => Query(owner, "(subscription & 2) != 0");

    /// <summary>Contacts whose presence the owner receives (subscription to or both).</summary>
    public IReadOnlyList<RosterItem> Subscriptions(string owner) => Query(owner, "(subscription & 1) != 0");

    /// <summary>Contacts that asked to see the owner's presence and have no answer yet.</summary>
    public IReadOnlyList<RosterItem> PendingRequests(string owner) => Query(owner, "pending_in = 1");

    /// <summary>
    /// The items the user sees whose contact sorts after <paramref name="afterContact"/>, in contact order, at most
    /// <paramref name="limit"/>: a roster read a page at a time.
    /// </summary>
    public IReadOnlyList<RosterItem> ItemsAfter(string owner, string afterContact, int limit) => store.Read(c =>
    {
        using var query = c.Command($"SELECT {Columns} FROM xmpp_roster WHERE owner = $o AND in_roster = 1 AND contact > $after ORDER BY contact LIMIT $n");
        query.Parameters.AddWithValue("$o", owner);
        query.Parameters.AddWithValue("$after", afterContact);
        query.Parameters.AddWithValue("$n", limit);
        using var rows = query.ExecuteReader();
        var items = new List<RosterItem>();
        while (rows.Read())
        {
            items.Add(ReadItem(rows));
        }

        return (IReadOnlyList<RosterItem>)items;
    });

    /// <summary>Rows the owner has: items and contacts' pending requests alike (what Xmpp:MaxRosterItems caps).</summary>
    public int Count(string owner) => store.Read(c =>
    {
        using var query = c.Command("SELECT count(*) FROM xmpp_roster WHERE owner = $o");
        query.Parameters.AddWithValue("$o", owner);
        return (int)(long)query.ExecuteScalar()!;
    });

    public RosterItem? Find(string owner, string contact) => store.Read(c =>
    {
        using var query = c.Command($"SELECT {Columns} FROM xmpp_roster WHERE owner = $o AND contact = $c");
        query.Parameters.AddWithValue("$o", owner);
        query.Parameters.AddWithValue("$c", contact);
        using var rows = query.ExecuteReader();
        return rows.Read() ? ReadItem(rows) : null;
    });

    public long Version(string owner) => store.Read(c =>
    {
        using var query = c.Command("SELECT version FROM xmpp_roster_version WHERE owner = $o");
        query.Parameters.AddWithValue("$o", owner);
        return query.ExecuteScalar() is long version ? version : 0;
    });

    /// <summary>Saves (or deletes, when it records nothing) one item and returns the roster's new version.</summary>
    public long Save(string owner, RosterItem item) => store.Write(tx =>
    {
        if (item.IsEmpty)
        {
            using var delete = tx.Command("DELETE FROM xmpp_roster WHERE owner = $o AND contact = $c");
            delete.Parameters.AddWithValue("$o", owner);
            delete.Parameters.AddWithValue("$c", item.Contact);
            delete.ExecuteNonQuery();
        }
        else
        {
            using var upsert = tx.Command($"""
                INSERT INTO xmpp_roster (owner, {Columns}) VALUES ($o, $c, $n, $g, $s, $a, $p, $i, $r)
                ON CONFLICT (owner, contact) DO UPDATE SET name = $n, groups = $g, subscription = $s, ask = $a,
                    approved = $p, pending_in = $i, in_roster = $r
                """);
            upsert.Parameters.AddWithValue("$o", owner);
            upsert.Parameters.AddWithValue("$c", item.Contact);
            upsert.Parameters.AddWithValue("$n", (object?)item.Name ?? DBNull.Value);
            upsert.Parameters.AddWithValue("$g", string.Join('\n', item.Groups));
            upsert.Parameters.AddWithValue("$s", (int)item.Subscription);
            upsert.Parameters.AddWithValue("$a", item.Ask ? 1 : 0);
            upsert.Parameters.AddWithValue("$p", item.Approved ? 1 : 0);
            upsert.Parameters.AddWithValue("$i", item.PendingIn ? 1 : 0);
            upsert.Parameters.AddWithValue("$r", item.InRoster ? 1 : 0);
            upsert.ExecuteNonQuery();
        }

        using var bump = tx.Command("""
            INSERT INTO xmpp_roster_version (owner, version) VALUES ($o, 1)
            ON CONFLICT (owner) DO UPDATE SET version = version + 1
            RETURNING version
            """);
        bump.Parameters.AddWithValue("$o", owner);
        return (long)bump.ExecuteScalar()!;
    });

    private IReadOnlyList<RosterItem> Query(string owner, string condition) => store.Read(c =>
    {
        using var query = c.Command($"SELECT {Columns} FROM xmpp_roster WHERE owner = $o AND {condition} ORDER BY contact");
        query.Parameters.AddWithValue("$o", owner);
        using var rows = query.ExecuteReader();
        var items = new List<RosterItem>();
        while (rows.Read())
        {
            items.Add(ReadItem(rows));
        }

        return items;
    });

    private static RosterItem ReadItem(SqliteDataReader row)
    {
        string groups = row.GetString(2);
        return new RosterItem(row.GetString(0))
        {
            Name = row.IsDBNull(1) ? null : row.GetString(1),
            Groups = groups.Length == 0 ? [] : groups.Split('\n'),
            Subscription = (Subscription)row.GetInt32(3),
            Ask = row.GetInt32(4) != 0,
            Approved = row.GetInt32(5) != 0,
            PendingIn = row.GetInt32(6) != 0,
            InRoster = row.GetInt32(7) != 0,
        };
    }
}
