using Microsoft.Data.Sqlite;

namespace EdgeNode.Core.Storage;

public static class SqliteExtensions
{
    /// <summary>A command bound to the transaction, as Microsoft.Data.Sqlite requires while one is open.</summary>
    public static SqliteCommand Command(this SqliteTransaction tx, string sql)
    {
        var command = tx.Connection!.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        return command;
    }

    public static SqliteCommand Command(this SqliteConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }
}
