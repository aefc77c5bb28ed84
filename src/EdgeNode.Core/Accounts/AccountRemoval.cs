using EdgeNode.Core.Addressing;
using EdgeNode.Core.Storage;
using Microsoft.Data.Sqlite;

namespace EdgeNode.Core.Accounts;

/// <summary>
/// A part of the node that keeps something for an account: XMPP rosters and offline messages, Matrix devices and
/// memberships, device ownership. Removing an account asks each of them to let go, so nothing of it is left behind
/// for someone who later registers the same name.
/// </summary>
public interface IAccountHolder
{
    /// <summary>Deletes what this part stores for <paramref name="account"/> (a bare JID), inside the transaction
    /// that deletes the account itself: either everything goes or nothing does.</summary>
    void DeleteData(SqliteTransaction tx, string account);

    /// <summary>Ends what is live for an account that no longer exists: sessions, memberships, contacts' views.
    /// Called after the deletion is committed, and again for any account this part still holds live that has no
    /// account row (one removed by the command line while the node runs); must be safe to repeat.</summary>
    void EndLive(string account);

    /// <summary>The accounts for which this part holds something live now.</summary>
    IEnumerable<string> LiveAccounts();
}

/// <summary>The one way an account is removed, whichever door asked (XEP-0077, Matrix deactivation, the CLI).</summary>
public sealed class AccountRemoval(Store store, IEnumerable<IAccountHolder> holders)
{
    private readonly IAccountHolder[] _holders = holders.ToArray();
    private long _sweptAt = long.MinValue;
    private int _unchangedSweeps;

    /// <summary>Removes the account and everything held for it; false when there is no such account.</summary>
    public bool Remove(Jid jid)
    {
        string account = AccountStore.KeyOf(jid);
        bool removed = store.Write(tx =>
        {
            using var delete = tx.Command("DELETE FROM accounts WHERE jid = $jid");
            delete.Parameters.AddWithValue("$jid", account);
            if (delete.ExecuteNonQuery() == 0)
            {
                return false;
            }

            using var credentials = tx.Command("DELETE FROM credentials WHERE jid = $jid");
            credentials.Parameters.AddWithValue("$jid", account);
            credentials.ExecuteNonQuery();
            foreach (var holder in _holders)
            {
                holder.DeleteData(tx, account);
            }

            return true;
        });
        if (removed)
        {
            foreach (var holder in _holders)
            {
                holder.EndLive(account);
            }
        }

        return removed;
    }

    /// <summary>
    /// Ends what is still live for accounts that no longer exist; the node runs this at start and then every few
    /// seconds, so removal by the command line reaches a running node. Returns how many were ended.
    /// </summary>
    public int Sweep()
    {
        // Only another process (`edgenode user remove`) can remove an account behind the node's back, so most sweeps
        // see that nothing changed and read nothing; every twelfth looks anyway (a log-in racing such a removal).
        long external = store.Version().External;
        if (external == _sweptAt && ++_unchangedSweeps < 12) return 0;
        _sweptAt = external;
        _unchangedSweeps = 0;
        var known = store.Read(c =>
        {
            using var query = c.Command("SELECT jid FROM accounts");
            using var rows = query.ExecuteReader();
            var set = new HashSet<string>(StringComparer.Ordinal);
            while (rows.Read()) set.Add(rows.GetString(0));
            return set;
        });
        int ended = 0;
        foreach (var holder in _holders)
        {
            foreach (string account in holder.LiveAccounts().Where(a => !known.Contains(a)).ToArray())
            {
                holder.EndLive(account);
                ended++;
            }
        }

        return ended;
    }
}
