using Microsoft.Data.Sqlite;

namespace EdgeNode.Core.Storage;

/// <summary>
/// The node's one SQLite database (WAL). All writes go through one connection under one lock, so protocol
/// handlers never race each other for the write lock and never see SQLITE_BUSY; reads use pooled read-only
/// connections, which WAL lets run beside the writer.
/// </summary>
public sealed class Store : IDisposable
{
    public const string FileName = "edgenode.db";
    private static readonly byte[] SqliteHeader = "SQLite format 3\0"u8.ToArray();
    private static int s_providerReady;

    private readonly SqliteConnection _writer;
    private readonly Lock _writeLock = new();
    private readonly string _readConnectionString;

    public string Path { get; }
    public int SchemaVersion { get; private set; }
    /// <summary>True when this open created the database file.</summary>
    public bool Created { get; }

    private Store(string path, SqliteConnection writer, string readConnectionString, bool created)
    {
        Path = path;
        _writer = writer;
        _readConnectionString = readConnectionString;
        Created = created;
    }

    /// <summary>Opens (creating if absent) the database in <paramref name="dataDir"/> and brings its schema up to date.</summary>
    public static Store Open(string dataDir, IReadOnlyList<Migration>? migrations = null)
    {
        migrations ??= Migrations.All;
        EnsureProvider();
        Directory.CreateDirectory(dataDir);
        var path = System.IO.Path.GetFullPath(System.IO.Path.Combine(dataDir, FileName));
        var created = !File.Exists(path) || new FileInfo(path).Length == 0;
        if (!created) Inspect(path, migrations);

        var builder = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false };
        var writer = new SqliteConnection(builder.ToString());
        try
        {
            writer.Open();
            Execute(writer, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;");
            var read = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = true };
            var store = new Store(path, writer, read.ToString(), created);
            store.Migrate(migrations);
            return store;
        }
        catch (SqliteException e)
        {
            writer.Dispose();
            throw new StoreException($"the database {path} could not be opened: {e.Message}", e);
        }
    }

    /// <summary>
    /// Looks at an existing file without changing a byte: it must be SQLite, readable, and not from a newer EdgeNode.
    /// Anything else stops start-up here, before the read-write open could touch it.
    /// </summary>
    private static void Inspect(string path, IReadOnlyList<Migration> migrations)
    {
        Span<byte> header = stackalloc byte[16];
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            if (file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length || !header.SequenceEqual(SqliteHeader))
                throw new StoreException($"{path} is not an SQLite database (its header is wrong); it was left untouched. Restore it from a backup or move it away to start afresh.");
        }
        catch (IOException e)
        {
            throw new StoreException($"{path} cannot be read: {e.Message}", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new StoreException($"{path} cannot be read: {e.Message}", e);
        }

        var readOnly = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        using var connection = new SqliteConnection(readOnly.ToString());
        try
        {
            connection.Open();
            // quick_check reads every page's structure: a damaged file is caught here, read-only.
            using (var check = connection.CreateCommand())
            {
                check.CommandText = "PRAGMA quick_check(1)";
                var verdict = check.ExecuteScalar() as string;
                if (verdict != "ok")
                    throw new StoreException($"{path} is damaged (SQLite says: {verdict}); it was left untouched. Restore it from a backup.");
            }
            var version = ReadVersion(connection);
            if (version > migrations[^1].Version)
                throw new StoreException($"{path} has schema version {version}, newer than this EdgeNode knows ({migrations[^1].Version}); it was left untouched. Run the newer EdgeNode that wrote it.");
        }
        catch (SqliteException e)
        {
            throw new StoreException($"{path} is not a usable database ({e.Message}); it was left untouched. Restore it from a backup or move it away to start afresh.", e);
        }
    }

    private static int ReadVersion(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='schema_migrations'";
        if ((long)command.ExecuteScalar()! == 0) return 0;
        command.CommandText = "SELECT coalesce(max(version), 0) FROM schema_migrations";
        return (int)(long)command.ExecuteScalar()!;
    }

    private void Migrate(IReadOnlyList<Migration> migrations)
    {
        lock (_writeLock)
        {
            using var tx = _writer.BeginTransaction();
            using (var create = tx.Command("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY NOT NULL, description TEXT NOT NULL, applied_at INTEGER NOT NULL)"))
                create.ExecuteNonQuery();
            var current = ReadVersionIn(tx);
            foreach (var step in migrations.Where(m => m.Version > current).OrderBy(m => m.Version))
            {
                using (var apply = tx.Command(step.Sql)) apply.ExecuteNonQuery();
                using var record = tx.Command("INSERT INTO schema_migrations (version, description, applied_at) VALUES ($v, $d, $t)");
                record.Parameters.AddWithValue("$v", step.Version);
                record.Parameters.AddWithValue("$d", step.Description);
                record.Parameters.AddWithValue("$t", DateTimeOffset.UtcNow.ToUnixTimeSeconds());
                record.ExecuteNonQuery();
                current = step.Version;
            }
            tx.Commit();
            SchemaVersion = current;
        }
    }

    private static int ReadVersionIn(SqliteTransaction tx)
    {
        using var command = tx.Command("SELECT coalesce(max(version), 0) FROM schema_migrations");
        return (int)(long)command.ExecuteScalar()!;
    }

    /// <summary>Runs <paramref name="work"/> in a write transaction on the single writer connection, committing on return.</summary>
    public T Write<T>(Func<SqliteTransaction, T> work)
    {
        lock (_writeLock)
        {
            using var tx = _writer.BeginTransaction();
            var result = work(tx);
            tx.Commit();
            return result;
        }
    }

    public void Write(Action<SqliteTransaction> work) => Write(tx => { work(tx); return 0; });

    /// <summary>Runs <paramref name="work"/> on a pooled read-only connection.</summary>
    public T Read<T>(Func<SqliteConnection, T> work)
    {
        using var connection = new SqliteConnection(_readConnectionString);
        connection.Open();
        Execute(connection, "PRAGMA busy_timeout=5000;");
        return work(connection);
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static void EnsureProvider()
    {
        if (Interlocked.Exchange(ref s_providerReady, 1) == 0) SQLitePCL.Batteries_V2.Init();
    }

    public void Dispose()
    {
        // Close pooled readers first so the writer's close is the last one and SQLite removes the -wal and -shm files.
        SqliteConnection.ClearAllPools();
        lock (_writeLock)
        {
            // Leave a tidy file behind: fold the WAL back in so a copy of edgenode.db alone is a whole backup.
            try { Execute(_writer, "PRAGMA wal_checkpoint(TRUNCATE);"); } catch (SqliteException) { }
            _writer.Dispose();
        }
    }
}
