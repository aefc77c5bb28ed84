using Microsoft.Data.Sqlite;

namespace EdgeNode.Core.Storage;

public static class SqliteExtensions
{
    /// <summary>
    /// A command bound to the transaction, as Microsoft.Data.Sqlite requires while one is open. On a store
    /// connection it is the connection's cached prepared statement for this text: dispose it (<c>using</c>) to hand
    /// it back, and bind parameters afresh each time.
    /// </summary>
    public static SqliteCommand Command(this SqliteTransaction tx, string sql) =>
        tx.Connection is StoreConnection store ? store.Lend(sql, tx) : new SqliteCommand(sql, tx.Connection, tx);

    /// <summary>A command on the connection; on a store connection, its cached prepared statement (see above).</summary>
    public static SqliteCommand Command(this SqliteConnection connection, string sql) =>
        connection is StoreConnection store ? store.Lend(sql, null) : new SqliteCommand(sql, connection);
}
