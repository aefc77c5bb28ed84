using System.Text;
using System.Text.RegularExpressions;
using EdgeNode.Core.Storage;
using Microsoft.Data.Sqlite;

namespace EdgeNode.Modules;

/// <summary>
/// `edgenode domain rename OLD NEW`: moves every account of domain OLD (and of its subdomains, e.g. a devices
/// subdomain) to NEW in one transaction, across every module's tables. What is signed over the old name cannot
/// move: Matrix rooms and their events, and the E2EE keys and sessions of Matrix clients (see <see cref="CannotMove"/>).
/// </summary>
internal static partial class DomainRename
{
    /// <summary>Columns holding an XMPP address (<c>local@domain</c>, or a bare domain), by table.</summary>
    private static readonly (string Table, string Column)[] JidColumns =
    [
        ("accounts", "jid"), ("credentials", "jid"),
        ("xmpp_roster", "owner"), ("xmpp_roster", "contact"), ("xmpp_roster_version", "owner"),
        ("xmpp_offline", "owner"), ("xmpp_offline", "sender"), ("xmpp_vcard", "owner"),
        ("device_owners", "owner"),
    ];

    /// <summary>Columns holding a Matrix user id (<c>@local:domain</c>) whose rows mean the same under the new name.</summary>
    private static readonly (string Table, string Column)[] MatrixUserColumns =
    [
        ("matrix_profiles", "user_id"), ("matrix_account_data", "user_id"), ("matrix_presence", "user_id"),
        ("matrix_filters", "user_id"), ("matrix_media", "user_id"),
    ];

    /// <summary>
    /// Matrix rows of a user that end with the rename: a client keeps the user id it logged in as, and every E2EE key
    /// is signed by the client over that id, so the user's sessions end and the clients log in again as the new id.
    /// Direct rooms with devices are made afresh (the old ones keep the old ids); forgotten-room marks were for old rooms.
    /// </summary>
    private static readonly (string Table, string Column)[] MatrixUserRowsDeleted =
    [
        ("matrix_access_tokens", "user_id"), ("matrix_devices", "user_id"), ("matrix_txns", "user_id"),
        ("matrix_device_keys", "user_id"), ("matrix_one_time_keys", "user_id"), ("matrix_fallback_keys", "user_id"),
        ("matrix_cross_signing_keys", "user_id"), ("matrix_device_list_changes", "user_id"),
        ("matrix_to_device", "user_id"), ("matrix_to_device", "sender"), ("matrix_device_rooms", "person"),
        ("matrix_forgotten", "user_id"),
    ];

    public const string CannotMove =
        "What does not move: Matrix rooms. A room's id and every event in it are signed with and name the old server " +
        "(!room:OLD, @user:OLD as sender and member), and no room version lets a server rewrite them, so the existing rooms " +
        "stay in the database as they are, with the old ids as their members; the renamed users are not in them and " +
        "cannot read them. Make new rooms and invite each other again; devices open new direct rooms on the next login. " +
        "Matrix clients are logged out (their devices, tokens and E2EE keys name the old user id): log in again as @user:NEW. " +
        "Media keep their old mxc://OLD/ addresses. XMPP clients and contacts on other servers must use the new addresses.";

    /// <summary>A count of changed (or deleted) rows per table and column, in the order done.</summary>
    public sealed record Change(string What, int Rows);

    /// <summary>The accounts (bare JIDs) in the store whose domain is <paramref name="domain"/>.</summary>
    public static List<string> AccountsOn(Store store, string domain) => store.Read(c =>
    {
        using var query = c.Command("SELECT jid FROM accounts");
        using var rows = query.ExecuteReader();
        var found = new List<string>();
        while (rows.Read())
        {
            string jid = rows.GetString(0);
            if (DomainOf(jid).Equals(domain, StringComparison.Ordinal)) found.Add(jid);
        }
        return found;
    });

    /// <summary>Every account domain in the store other than <paramref name="domain"/>, with its number of accounts.</summary>
    public static IReadOnlyList<(string Domain, int Accounts)> OtherDomains(Store store, string domain) => store.Read(c =>
    {
        using var query = c.Command("SELECT jid FROM accounts");
        using var rows = query.ExecuteReader();
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        while (rows.Read())
        {
            string other = DomainOf(rows.GetString(0));
            if (other != domain) counts[other] = counts.GetValueOrDefault(other) + 1;
        }
        return counts.Select(p => (p.Key, p.Value)).ToList();
    });

    /// <summary>Renames in one transaction; throws <see cref="SqliteException"/> (nothing changed) on a collision.</summary>
    public static List<Change> Run(Store store, string oldDomain, string newDomain) => store.Write(tx =>
    {
        // credentials reference accounts: both change in this transaction, so the check waits for its end.
        using (var defer = tx.Command("PRAGMA defer_foreign_keys = ON")) defer.ExecuteNonQuery();
        var changes = new List<Change>();
        foreach (var (table, column) in JidColumns)
            changes.Add(new($"{table}.{column}", Rewrite(tx, table, column, v => RenameJid(v, oldDomain, newDomain))));
        changes.Add(new("xmpp_offline.stanza (to and from)", RewriteOfflineStanzas(tx, oldDomain, newDomain)));
        foreach (var (table, column) in MatrixUserColumns)
            changes.Add(new($"{table}.{column}", Rewrite(tx, table, column, v => RenameMatrixUser(v, oldDomain, newDomain))));
        foreach (var (table, column) in MatrixUserRowsDeleted)
            changes.Add(new($"{table}.{column} (deleted)", Delete(tx, table, column, oldDomain)));
        return changes;
    });

    /// <summary>The address with <paramref name="oldDomain"/> (or a subdomain of it) replaced, or null when it is elsewhere.</summary>
    public static string? RenameJid(string value, string oldDomain, string newDomain)
    {
        int at = value.IndexOf('@');
        int slash = value.IndexOf('/', at + 1);
        string domain = slash < 0 ? value[(at + 1)..] : value[(at + 1)..slash];
        string? renamed = RenameDomain(domain, oldDomain, newDomain);
        if (renamed is null) return null;
        return value[..(at + 1)] + renamed + (slash < 0 ? "" : value[slash..]);
    }

    private static string? RenameMatrixUser(string value, string oldDomain, string newDomain)
    {
        int colon = value.IndexOf(':');
        if (!value.StartsWith('@') || colon < 0) return null;
        return RenameDomain(value[(colon + 1)..], oldDomain, newDomain) is { } renamed ? value[..(colon + 1)] + renamed : null;
    }

    private static string? RenameDomain(string domain, string oldDomain, string newDomain) =>
        domain == oldDomain ? newDomain
        : domain.EndsWith("." + oldDomain, StringComparison.Ordinal) ? domain[..^oldDomain.Length] + newDomain
        : null;

    private static string DomainOf(string jid) => jid[(jid.IndexOf('@') + 1)..];

    private static int Rewrite(SqliteTransaction tx, string table, string column, Func<string, string?> rename)
    {
        var values = new List<string>();
        using (var query = tx.Command($"SELECT DISTINCT {column} FROM {table}"))
        using (var rows = query.ExecuteReader())
            while (rows.Read()) if (!rows.IsDBNull(0)) values.Add(rows.GetString(0));
        int changed = 0;
        foreach (string value in values)
        {
            if (rename(value) is not { } renamed) continue;
            using var update = tx.Command($"UPDATE {table} SET {column} = $new WHERE {column} = $old");
            update.Parameters.AddWithValue("$new", renamed);
            update.Parameters.AddWithValue("$old", value);
            changed += update.ExecuteNonQuery();
        }
        return changed;
    }

    private static int Delete(SqliteTransaction tx, string table, string column, string oldDomain)
    {
        var values = new List<string>();
        using (var query = tx.Command($"SELECT DISTINCT {column} FROM {table}"))
        using (var rows = query.ExecuteReader())
            while (rows.Read()) if (!rows.IsDBNull(0)) values.Add(rows.GetString(0));
        int deleted = 0;
        foreach (string value in values.Where(v => RenameMatrixUser(v, oldDomain, "x") is not null))
        {
            using var delete = tx.Command($"DELETE FROM {table} WHERE {column} = $old");
            delete.Parameters.AddWithValue("$old", value);
            deleted += delete.ExecuteNonQuery();
        }
        return deleted;
    }

    /// <summary>Stored stanzas carry their addresses in the outer element's to and from: renamed there, nothing else.</summary>
    private static int RewriteOfflineStanzas(SqliteTransaction tx, string oldDomain, string newDomain)
    {
        var stanzas = new List<(long Id, byte[] Stanza)>();
        using (var query = tx.Command("SELECT id, stanza FROM xmpp_offline"))
        using (var rows = query.ExecuteReader())
            while (rows.Read()) stanzas.Add((rows.GetInt64(0), (byte[])rows.GetValue(1)));
        int changed = 0;
        foreach (var (id, stanza) in stanzas)
        {
            string text = Encoding.UTF8.GetString(stanza);
            int end = text.IndexOf('>');
            if (end < 0) continue;
            string head = OuterAddress().Replace(text[..end], m =>
                RenameJid(m.Groups["value"].Value, oldDomain, newDomain) is { } renamed
                    ? $"{m.Groups["name"].Value}{m.Groups["quote"].Value}{renamed}{m.Groups["quote"].Value}"
                    : m.Value);
            if (head == text[..end]) continue;
            using var update = tx.Command("UPDATE xmpp_offline SET stanza = $s WHERE id = $id");
            update.Parameters.AddWithValue("$s", Encoding.UTF8.GetBytes(head + text[end..]));
            update.Parameters.AddWithValue("$id", id);
            changed += update.ExecuteNonQuery();
        }
        return changed;
    }

    [GeneratedRegex("""(?<name>\s(?:to|from)=)(?<quote>['"])(?<value>[^'"]*)\k<quote>""")]
    private static partial Regex OuterAddress();
}
