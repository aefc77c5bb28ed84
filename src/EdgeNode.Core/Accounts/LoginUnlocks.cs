using EdgeNode.Core.Addressing;
using EdgeNode.Core.Storage;

namespace EdgeNode.Core.Accounts;

/// <summary>
/// `edgenode user unlock` runs in its own process while the guard lives in the running node, so the verb leaves a
/// row in the store and the guard reads it when it is about to make an account wait. Reading is cheap: the table is
/// re-read only when another process committed to the database, and that is asked at most four times a second.
/// </summary>
public sealed class LoginUnlocks(Store store, TimeProvider time) : ILoginUnlocks
{
    private static readonly TimeSpan RecheckEvery = TimeSpan.FromMilliseconds(250);

    private readonly Lock _gate = new();
    private Dictionary<string, DateTimeOffset> _unlocks = new(StringComparer.Ordinal);
    private long _readAt = long.MinValue;
    private DateTimeOffset _checkedAt = DateTimeOffset.MinValue;

    /// <summary>Asks the guard (of this node, running or started later) to forget the failed logins of <paramref name="jid"/>.</summary>
    public DateTimeOffset Request(Jid jid)
    {
        string account = AccountStore.KeyOf(jid);
        DateTimeOffset now = time.GetUtcNow();
        store.Write(tx =>
        {
            using var upsert = tx.Command("""
                INSERT INTO login_unlocks (account, unlocked_at) VALUES ($a, $t)
                ON CONFLICT (account) DO UPDATE SET unlocked_at = $t
                """);
            upsert.Parameters.AddWithValue("$a", account);
            upsert.Parameters.AddWithValue("$t", now.ToUnixTimeMilliseconds());
            upsert.ExecuteNonQuery();
        });
        return now;
    }

    public DateTimeOffset? UnlockedAt(string account)
    {
        lock (_gate)
        {
            DateTimeOffset now = time.GetUtcNow();
            if (now - _checkedAt >= RecheckEvery)
            {
                _checkedAt = now;
                long version = store.Version().External;
                if (version != _readAt)
                {
                    _readAt = version;
                    _unlocks = Load();
                }
            }

            return _unlocks.TryGetValue(account, out DateTimeOffset at) ? at : null;
        }
    }

    private Dictionary<string, DateTimeOffset> Load() => store.Read(connection =>
    {
        using var query = connection.Command("SELECT account, unlocked_at FROM login_unlocks");
        using var rows = query.ExecuteReader();
        var unlocks = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        while (rows.Read())
        {
            unlocks[rows.GetString(0)] = DateTimeOffset.FromUnixTimeMilliseconds(rows.GetInt64(1));
        }

        return unlocks;
    });
}
