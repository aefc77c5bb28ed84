using System.Collections.Concurrent;
using EdgeNode.Matrix.Events;
using EdgeNode.Matrix.Storage;

namespace EdgeNode.Matrix.Rooms;

/// <summary>
/// State at each event, kept as state groups. A message event reuses the group of the state before it, so
/// the bulk of a chat room's events add no state rows at all. A state event makes a new group that stores only
/// its one changed entry as a delta on the previous group; every <see cref="MaxChain"/> deltas a full snapshot
/// is written instead, so reading any state walks at most that many groups. Full snapshots per event would cost
/// members x events rows, plain deltas an unbounded walk; this keeps both small on an SD card.
/// Groups never change once written, so loaded ones are cached.
/// </summary>
public sealed class StateStore
{
    public const int MaxChain = 16;
    private const int CacheLimit = 512;
    private readonly ConcurrentDictionary<long, IReadOnlyDictionary<StateKey, string>> _cache = new();

    public IReadOnlyDictionary<StateKey, string> Load(Db db, long group)
    {
        if (_cache.TryGetValue(group, out var cached)) return cached;
        var chain = new List<long>();
        long? at = group;
        Dictionary<StateKey, string>? state = null;
        while (at is { } g)
        {
            if (_cache.TryGetValue(g, out var known)) { state = new Dictionary<StateKey, string>(known); break; }
            chain.Add(g);
            at = db.Scalar("SELECT prev_group FROM matrix_state_groups WHERE id = $g", ("$g", g)) is long prev ? prev : null;
        }
        state ??= [];
        for (var i = chain.Count - 1; i >= 0; i--)
        {
            using var query = db.Command("SELECT type, state_key, event_id FROM matrix_state_entries WHERE group_id = $g", ("$g", chain[i]));
            using var rows = query.ExecuteReader();
            while (rows.Read()) state[new StateKey(rows.GetString(0), rows.GetString(1))] = rows.GetString(2);
        }
        if (!db.Writable) Remember(group, state);
        return state;
    }

    /// <summary>
    /// Writes a group for <paramref name="state"/>: a delta of <paramref name="changes"/> on <paramref name="baseGroup"/>
    /// when the chain is short enough, a full snapshot otherwise.
    /// </summary>
    public long Create(Db db, string roomId, long? baseGroup, IReadOnlyDictionary<StateKey, string> state, IReadOnlyDictionary<StateKey, string> changes)
    {
        var id = (db.Scalar("SELECT coalesce(max(id), 0) + 1 FROM matrix_state_groups") as long?) ?? 1;
        long chain = 0;
        if (baseGroup is { } b)
            chain = (db.Scalar("SELECT chain FROM matrix_state_groups WHERE id = $g", ("$g", b)) as long? ?? MaxChain) + 1;
        var delta = baseGroup is not null && chain < MaxChain;
        db.Execute("INSERT INTO matrix_state_groups (id, room_id, prev_group, chain) VALUES ($id, $r, $p, $c)",
            ("$id", id), ("$r", roomId), ("$p", delta ? baseGroup : null), ("$c", delta ? chain : 0));
        using var insert = db.Command("INSERT INTO matrix_state_entries (group_id, type, state_key, event_id) VALUES ($g, $t, $k, $e)");
        var pg = insert.Parameters.AddWithValue("$g", id);
        var pt = insert.Parameters.AddWithValue("$t", "");
        var pk = insert.Parameters.AddWithValue("$k", "");
        var pe = insert.Parameters.AddWithValue("$e", "");
        foreach (var (key, eventId) in delta ? changes : state)
        {
            pt.Value = key.Type;
            pk.Value = key.Key;
            pe.Value = eventId;
            insert.ExecuteNonQuery();
        }
        var snapshot = new Dictionary<StateKey, string>(state);
        db.AfterCommit(() => Remember(id, snapshot));
        return id;
    }

    private void Remember(long group, IReadOnlyDictionary<StateKey, string> state)
    {
        if (_cache.Count >= CacheLimit) _cache.Clear();
        _cache[group] = state;
    }
}
