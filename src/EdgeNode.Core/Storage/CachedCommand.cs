using Microsoft.Data.Sqlite;

namespace EdgeNode.Core.Storage;

/// <summary>
/// A command whose prepared statement belongs to its <see cref="StoreConnection"/>: disposing it hands it back
/// (parameters cleared, transaction unset, statement kept prepared) instead of finalizing the statement, so the
/// next <c>Command(sql)</c> for the same text on the same connection skips parsing and planning.
/// </summary>
internal sealed class CachedCommand : SqliteCommand
{
    internal CachedCommand(string sql, StoreConnection owner, SqliteTransaction? tx) : base(sql, owner, tx)
    {
        Sql = sql;
        Owner = owner;
    }

    /// <summary>The text this command is cached under; a caller that changed <see cref="SqliteCommand.CommandText"/> loses the cache slot.</summary>
    internal string Sql { get; }

    internal StoreConnection Owner { get; }

    /// <summary>Out on loan to a caller (between <c>Command(sql)</c> and its <c>Dispose</c>).</summary>
    internal bool Lent { get; set; }

    /// <summary>Set when the owner drops the statement: the next dispose finalizes it for real.</summary>
    internal bool Retired { get; set; }

    /// <summary>Whether a data reader of this command is still open (a reader holds the statement mid-step).</summary>
    internal bool HasOpenReader => DataReader is not null;

    protected override void Dispose(bool disposing)
    {
        if (disposing && Owner.TryTakeBack(this)) return;
        base.Dispose(disposing);
    }
}
