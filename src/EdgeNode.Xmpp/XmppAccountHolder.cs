using System.Collections.Concurrent;
using EdgeNode.Core.Accounts;
using EdgeNode.Core.Storage;
using Microsoft.Data.Sqlite;

namespace EdgeNode.Xmpp;

/// <summary>
/// What XMPP keeps for an account: its roster, offline messages and vCard, and its place in other people's rosters.
/// Those places are deleted too, not left as subscriptions: a later account of the same name is someone else and
/// must not inherit presence rights granted to the old one. Without a server (the command line) only storage is
/// touched; a running node ends the sessions when it notices the account is gone.
/// </summary>
public sealed class XmppAccountHolder(XmppServer? server) : IAccountHolder
{
    /// <summary>Roster pushes owed to contacts once the removal is committed: owner and their new roster version.</summary>
    private readonly ConcurrentDictionary<string, List<(string Owner, long Version)>> _pushes = new(StringComparer.Ordinal);

    public void DeleteData(SqliteTransaction tx, string account)
    {
        var pushes = new List<(string Owner, long Version)>();
        var owners = new List<string>();
        using (var query = tx.Command("SELECT owner FROM xmpp_roster WHERE contact = $a AND owner <> $a"))
        {
            query.Parameters.AddWithValue("$a", account);
            using var rows = query.ExecuteReader();
            while (rows.Read()) owners.Add(rows.GetString(0));
        }

        foreach (string owner in owners)
        {
            using var bump = tx.Command("""
                INSERT INTO xmpp_roster_version (owner, version) VALUES ($o, 1)
                ON CONFLICT (owner) DO UPDATE SET version = version + 1
                RETURNING version
                """);
            bump.Parameters.AddWithValue("$o", owner);
            pushes.Add((owner, (long)bump.ExecuteScalar()!));
        }

        foreach (string sql in (string[])[
            "DELETE FROM xmpp_roster WHERE contact = $a OR owner = $a",
            "DELETE FROM xmpp_roster_version WHERE owner = $a",
            "DELETE FROM xmpp_offline WHERE owner = $a",
            "DELETE FROM xmpp_vcard WHERE owner = $a"])
        {
            using var delete = tx.Command(sql);
            delete.Parameters.AddWithValue("$a", account);
            delete.ExecuteNonQuery();
        }

        if (server is not null && pushes.Count > 0)
        {
            _pushes[account] = pushes;
        }
    }

    public void EndLive(string account)
    {
        if (server is null)
        {
            return;
        }

        server.CloseAccount(account);
        if (_pushes.TryRemove(account, out var pushes))
        {
            foreach (var (owner, version) in pushes)
            {
                server.RosterService.PushRemoved(owner, account, version);
            }
        }
    }

    public IEnumerable<string> LiveAccounts() => server?.LoggedInAccounts() ?? [];
}
