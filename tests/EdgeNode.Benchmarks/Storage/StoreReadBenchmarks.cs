using BenchmarkDotNet.Attributes;
using EdgeNode.Core.Storage;
using Microsoft.Data.Sqlite;

namespace EdgeNode.Benchmarks.Storage;

/// <summary>
/// One hot point read (a row by primary key, as the per-reading and per-message lookups do) through
/// <see cref="Store.Read{T}"/>, against the way every read ran before: open a pooled read-only connection, run
/// <c>PRAGMA busy_timeout</c>, prepare the statement, run it, close.
/// </summary>
[MemoryDiagnoser]
public class StoreReadBenchmarks
{
    private const string Sql = "SELECT created_at FROM accounts WHERE jid = $j";
    private const string Jid = "user500@pi.example";
    private string _dataDir = null!;
    private Store _store = null!;
    private string _pooledReadOnly = null!;

    [GlobalSetup]
    public void Setup()
    {
        _dataDir = Directory.CreateTempSubdirectory("edgenode-bench-").FullName;
        _store = Store.Open(_dataDir);
        _store.Write(tx =>
        {
            for (var i = 0; i < 1000; i++)
            {
                using var insert = tx.Command("INSERT INTO accounts (jid, created_at) VALUES ($j, $t)");
                insert.Parameters.AddWithValue("$j", $"user{i}@pi.example");
                insert.Parameters.AddWithValue("$t", i);
                insert.ExecuteNonQuery();
            }
        });
        _pooledReadOnly = new SqliteConnectionStringBuilder { DataSource = _store.Path, Mode = SqliteOpenMode.ReadOnly, Pooling = true }.ToString();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        SqliteConnection.ClearAllPools();
        _store.Dispose();
        Directory.Delete(_dataDir, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "pooled open + PRAGMA + prepare per read (before)")]
    public long PooledOpenPragmaPrepare()
    {
        using var connection = new SqliteConnection(_pooledReadOnly);
        connection.Open();
        using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = "PRAGMA busy_timeout=5000;";
            pragma.ExecuteNonQuery();
        }
        using var query = connection.CreateCommand();
        query.CommandText = Sql;
        query.Parameters.AddWithValue("$j", Jid);
        return (long)query.ExecuteScalar()!;
    }

    [Benchmark(Description = "Store.Read: lent connection, cached statement (after)")]
    public long StoreRead() => _store.Read(c =>
    {
        using var query = c.Command(Sql);
        query.Parameters.AddWithValue("$j", Jid);
        return (long)query.ExecuteScalar()!;
    });
}
