using Microsoft.Data.Sqlite;

namespace EdgeNode.Core.Storage;

/// <summary>What <c>PRAGMA integrity_check</c> found: nothing (the file is sound) or SQLite's own lines about each problem.</summary>
public sealed record IntegrityReport(string Path, IReadOnlyList<string> Problems)
{
    public bool Ok => Problems.Count == 0;
}

/// <summary>
/// The full check behind <c>edgenode check-db</c>: every page, index and constraint, read-only, beside a running node
/// if need be (WAL lets it read). Slower than the quick check a start runs after an unclean stop.
/// </summary>
public static class IntegrityCheck
{
    /// <summary>At most this many problems are listed; a badly damaged file has thousands.</summary>
    public const int MaxProblems = 20;

    public static IntegrityReport Run(string dataDir)
    {
        var path = System.IO.Path.GetFullPath(System.IO.Path.Combine(dataDir, Store.FileName));
        if (!File.Exists(path)) throw new StoreException($"there is no database at {path}");
        Store.EnsureProvider();
        var readOnly = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        using var connection = new SqliteConnection(readOnly.ToString());
        var problems = new List<string>();
        try
        {
            connection.Open();
            using var check = connection.Command($"PRAGMA integrity_check({MaxProblems})");
            using var rows = check.ExecuteReader();
            while (rows.Read())
            {
                var line = rows.GetString(0);
                if (line != "ok") problems.Add(line);
            }
        }
        catch (SqliteException e)
        {
            // "file is not a database", "database disk image is malformed": the file cannot even be walked.
            problems.Add(e.Message);
        }
        return new IntegrityReport(path, problems);
    }
}
