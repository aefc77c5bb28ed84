using EdgeNode.Core.Storage;
using Microsoft.Data.Sqlite;

namespace EdgeNode.Matrix.Storage;

/// <summary>
/// One database session for the homeserver's queries: a read-only pooled connection or the write transaction.
/// The query helpers take this, so the same code reads inside and outside a write.
/// </summary>
public sealed class Db
{
    private readonly SqliteConnection _connection;
    private readonly StreamClock? _clock;
    private List<long>? _streams;
    private List<Action>? _afterCommit;

    private Db(SqliteConnection connection, SqliteTransaction? tx, StreamClock? clock)
    {
        _connection = connection;
        Transaction = tx;
        _clock = clock;
    }

    public SqliteTransaction? Transaction { get; }

    public bool Writable => Transaction is not null;

    public SqliteCommand Command(string sql, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        var command = Transaction is not null ? Transaction.Command(sql) : _connection.Command(sql);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    public int Execute(string sql, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        using var command = Command(sql, parameters);
        return command.ExecuteNonQuery();
    }

    public object? Scalar(string sql, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        using var command = Command(sql, parameters);
        var value = command.ExecuteScalar();
        return value is DBNull ? null : value;
    }

    /// <summary>A new stream position for a change made in this write; it becomes visible to syncs after the commit.</summary>
    public long NextStream()
    {
        if (_clock is null || Transaction is null) throw new InvalidOperationException("stream positions are taken inside a write");
        var id = _clock.Begin();
        (_streams ??= []).Add(id);
        return id;
    }

    /// <summary>Work to do once the write has committed (cache fills that must not outlive a rollback).</summary>
    public void AfterCommit(Action action) => (_afterCommit ??= []).Add(action);

    public static T Read<T>(Store store, Func<Db, T> work) => store.Read(c => work(new Db(c, null, null)));

    public static T Write<T>(Store store, StreamClock clock, Func<Db, T> work)
    {
        Db? db = null;
        var committed = false;
        try
        {
            var result = store.Write(tx =>
            {
                db = new Db(tx.Connection!, tx, clock);
                return work(db);
            });
            committed = true;
            return result;
        }
        finally
        {
            if (db?._streams is { } streams) foreach (var id in streams) clock.End(id);
            if (committed && db?._afterCommit is { } actions) foreach (var action in actions) action();
        }
    }
}
