using Microsoft.Data.Sqlite;

namespace EdgeNode.Core.Storage;

/// <summary>
/// A connection of the store (the writer, or a read connection) that keeps one prepared statement per SQL text it
/// runs, so a hot query is parsed and planned once per connection instead of once per call. Like every SQLite
/// connection it is used by one thread at a time (the writer under the store's write lock, a reader while lent),
/// which is also what keeps this cache unsynchronised.
/// </summary>
internal sealed class StoreConnection(string connectionString) : SqliteConnection(connectionString)
{
    /// <summary>
    /// Statements kept per connection. The node's SQL is a fixed set of texts (a few built from fixed fragments);
    /// the cap only guards against a caller that puts values into the text, whose statements are then not kept.
    /// </summary>
    internal const int MaxCachedStatements = 128;

    private readonly Dictionary<string, CachedCommand> _statements = new(StringComparer.Ordinal);
    private bool _closing;

    /// <summary>Commands lent out and not yet disposed; a read connection goes back to the pool only at zero.</summary>
    internal int Lent { get; private set; }

    internal int CachedStatements => _statements.Count;

    /// <summary>The cached command for <paramref name="sql"/>, or a plain one when it is already lent (a nested use) or the cache is full.</summary>
    internal SqliteCommand Lend(string sql, SqliteTransaction? tx)
    {
        if (!_statements.TryGetValue(sql, out var command))
        {
            if (_statements.Count >= MaxCachedStatements) return new SqliteCommand(sql, this, tx);
            command = new CachedCommand(sql, this, tx);
            _statements.Add(sql, command);
        }
        else if (command.Lent)
        {
            return new SqliteCommand(sql, this, tx);
        }
        else
        {
            command.Transaction = tx;
        }
        command.Lent = true;
        Lent++;
        return command;
    }

    /// <summary>Called from the command's dispose: true when it went back into the cache, false when it must really dispose.</summary>
    internal bool TryTakeBack(CachedCommand command)
    {
        if (command.Lent)
        {
            command.Lent = false;
            Lent--;
        }
        if (_closing || command.Retired || command.HasOpenReader || command.CommandText != command.Sql)
        {
            if (_statements.TryGetValue(command.Sql, out var cached) && ReferenceEquals(cached, command)) _statements.Remove(command.Sql);
            return false;
        }
        command.Parameters.Clear();
        command.Transaction = null;
        return true;
    }

    /// <summary>Finalizes every kept statement (those lent out go when they are disposed); after schema changes, or to free memory.</summary>
    internal void DropStatements()
    {
        foreach (var command in _statements.Values.ToList())
        {
            command.Retired = true;
            if (!command.Lent) command.Dispose();
        }
        _statements.Clear();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            // Statements must be finalized before SQLite closes the connection; SqliteConnection disposes the lent ones too.
            _closing = true;
            DropStatements();
        }
        base.Dispose(disposing);
    }
}
