using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeNode.Core.Storage;

/// <summary>
/// The node's one SQLite database (WAL). All writes go through one connection under one lock, so protocol
/// handlers never race each other for the write lock and never see SQLITE_BUSY; reads borrow one of a few
/// long-lived read-only connections, which WAL lets run beside the writer. Every connection keeps its statements
/// prepared (see <see cref="SqliteExtensions"/>). <c>PRAGMA quick_check</c> runs at open only when an earlier open
/// was not closed cleanly (see <see cref="OpenMarkers"/>).
/// </summary>
public sealed class Store : IDisposable
{
    public const string FileName = "edgenode.db";
    private static readonly byte[] SqliteHeader = "SQLite format 3\0"u8.ToArray();
    private static int s_providerReady;

    /// <summary>Read connections kept open between reads; more may be open at once under load, and close on return.</summary>
    internal const int IdleReadConnections = 4;

    private readonly StoreConnection _writer;
    private readonly Lock _writeLock = new();
    private readonly ReadConnectionPool _readers;
    private readonly string _marker;
    private readonly Dictionary<string, int> _versions = new(StringComparer.Ordinal);
    private long _commits;
    private volatile bool _full;
    private ILogger _logger = NullLogger.Instance;

    /// <summary>SQLite's result code for a write that found the disk full.</summary>
    private const int SqliteFull = 13;

    public string Path { get; }
    /// <summary>True when this open created the database file.</summary>
    public bool Created { get; }

    /// <summary>True when this open ran <c>PRAGMA quick_check</c>, because an earlier open of the database was not closed cleanly.</summary>
    public bool QuickChecked { get; }

    private Store(string path, StoreConnection writer, ReadConnectionPool readers, string marker, bool created, bool quickChecked)
    {
        Path = path;
        _writer = writer;
        _readers = readers;
        _marker = marker;
        Created = created;
        QuickChecked = quickChecked;
    }

    internal int IdleReaders => _readers.Idle;

    /// <summary>The schema version of one component after opening (0 when it has no tables yet).</summary>
    public int SchemaVersion(string component) => _versions.GetValueOrDefault(component);

    /// <summary>
    /// Process ids of other processes that have the database in <paramref name="dataDir"/> open now (a running node,
    /// a verb), read from their open markers; a verb that must have the database to itself refuses while any do.
    /// </summary>
    public static IReadOnlyList<int> OpenElsewhere(string dataDir) =>
        OpenMarkers.OpenElsewhere(System.IO.Path.GetFullPath(System.IO.Path.Combine(dataDir, FileName)));

    /// <summary>
    /// Opens (creating if absent) the database in <paramref name="dataDir"/> and brings every component's schema up
    /// to date; the core's set is always included.
    /// </summary>
    public static Store Open(string dataDir, params IReadOnlyList<MigrationSet> components)
    {
        IReadOnlyList<MigrationSet> migrations = components.Any(c => c.Component == CoreMigrations.Set.Component)
            ? components
            : [CoreMigrations.Set, .. components];
        EnsureProvider();
        // The database holds password verifiers and the signing key: nobody but the node's user may read it.
        if (!Directory.Exists(dataDir)) CreateDataDirectory(dataDir);
        var path = System.IO.Path.GetFullPath(System.IO.Path.Combine(dataDir, FileName));
        var created = !File.Exists(path) || new FileInfo(path).Length == 0;
        var stale = OpenMarkers.Stale(path);
        var quickCheck = !created && stale.Count > 0;
        if (!created) Inspect(path, migrations, quickCheck);

        // From here a crash, kill or power cut leaves this marker behind, and the next open checks the file.
        string marker;
        try
        {
            marker = OpenMarkers.Create(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StoreException($"cannot write in the data directory {System.IO.Path.GetDirectoryName(path)}: {e.Message}", e);
        }
        var builder = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false };
        var writer = new StoreConnection(builder.ToString());
        try
        {
            writer.Open();
            Execute(writer, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;");
            RestrictToOwner(path);
            var read = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false };
            var store = new Store(path, writer, new ReadConnectionPool(read.ToString(), IdleReadConnections), marker, created, quickCheck);
            store.Migrate(migrations);
            // The migrations' statements ran once; the hot queries fill the cache from here.
            writer.DropStatements();
            foreach (var old in stale) OpenMarkers.Delete(old);
            return store;
        }
        catch (SqliteException e)
        {
            writer.Dispose();
            OpenMarkers.Delete(marker);
            throw new StoreException($"the database {path} could not be opened or upgraded: {e.Message}", e);
        }
    }

    private static void CreateDataDirectory(string dataDir)
    {
        var full = System.IO.Path.GetFullPath(dataDir);
        try
        {
            Directory.CreateDirectory(full, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new StoreException($"cannot create the data directory {full}: permission denied (run as a user who may write there, such as the service's user with 'sudo -u edgenode', or set Node:DataDir to a directory you own)", e);
        }
        catch (IOException e)
        {
            throw new StoreException($"cannot create the data directory {full}: {e.Message}", e);
        }
    }

    /// <summary>
    /// Looks at an existing file without changing a byte: it must be SQLite, readable, and not from a newer EdgeNode.
    /// Anything else stops start-up here, before the read-write open could touch it.
    /// </summary>
    private static void Inspect(string path, IReadOnlyList<MigrationSet> migrations, bool quickCheck)
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
            // quick_check reads every page's structure (seconds for a large file on an SD card): after an unclean
            // stop a damaged file is caught here, read-only.
            if (quickCheck)
            {
                using var check = connection.Command("PRAGMA quick_check(1)");
                var verdict = check.ExecuteScalar() as string;
                if (verdict != "ok")
                    throw new StoreException($"{path} is damaged (SQLite says: {verdict}); it was left untouched. Restore it from a backup.");
            }
            var versions = ReadVersions(connection);
            foreach (var set in migrations)
            {
                var version = versions.GetValueOrDefault(set.Component);
                if (version > set.Latest)
                    throw new StoreException($"{path} has {set.Component} schema version {version}, newer than this EdgeNode knows ({set.Latest}); it was left untouched. Run the newer EdgeNode that wrote it.");
            }
        }
        catch (SqliteException e)
        {
            throw new StoreException($"{path} is not a usable database ({e.Message}); it was left untouched. Restore it from a backup or move it away to start afresh.", e);
        }
    }

    private static Dictionary<string, int> ReadVersions(SqliteConnection connection, SqliteTransaction? tx = null)
    {
        var versions = new Dictionary<string, int>(StringComparer.Ordinal);
        using var command = connection.Command("SELECT count(*) FROM sqlite_master WHERE type='table' AND name='schema_migrations'");
        command.Transaction = tx;
        if ((long)command.ExecuteScalar()! == 0) return versions;
        command.CommandText = "SELECT component, max(version) FROM schema_migrations GROUP BY component";
        using var rows = command.ExecuteReader();
        while (rows.Read()) versions[rows.GetString(0)] = rows.GetInt32(1);
        return versions;
    }

    private const string CreateMigrationsTable = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            component   TEXT NOT NULL,
            version     INTEGER NOT NULL,
            description TEXT NOT NULL,
            applied_at  INTEGER NOT NULL,
            PRIMARY KEY (component, version))
        """;

    /// <summary>Applies every missing step of every component in one transaction: all of it lands, or none.</summary>
    private void Migrate(IReadOnlyList<MigrationSet> migrations)
    {
        lock (_writeLock)
        {
            using var tx = _writer.BeginTransaction();
            using (var create = tx.Command(CreateMigrationsTable)) create.ExecuteNonQuery();
            var versions = ReadVersions(_writer, tx);
            foreach (var set in migrations)
            {
                var current = versions.GetValueOrDefault(set.Component);
                foreach (var step in set.Steps.Where(m => m.Version > current).OrderBy(m => m.Version))
                {
                    using (var apply = tx.Command(step.Sql)) apply.ExecuteNonQuery();
                    using var record = tx.Command("INSERT INTO schema_migrations (component, version, description, applied_at) VALUES ($c, $v, $d, $t)");
                    record.Parameters.AddWithValue("$c", set.Component);
                    record.Parameters.AddWithValue("$v", step.Version);
                    record.Parameters.AddWithValue("$d", step.Description);
                    record.Parameters.AddWithValue("$t", DateTimeOffset.UtcNow.ToUnixTimeSeconds());
                    record.ExecuteNonQuery();
                    current = step.Version;
                }
                versions[set.Component] = current;
            }
            tx.Commit();
            foreach (var (component, version) in versions) _versions[component] = version;
        }
    }

    /// <summary>Where the store reports a full disk and its end (once each); the node's logger once the host runs.</summary>
    public ILogger Logger
    {
        set => _logger = value;
    }

    /// <summary>
    /// True from a write that found the disk full until the next one that succeeds. Writers that would only be refused
    /// may check it first; <see cref="ProbeWrite"/> finds out whether there is room again.
    /// </summary>
    public bool IsFull => _full;

    /// <summary>
    /// Runs <paramref name="work"/> in a write transaction on the single writer connection, committing on return.
    /// A full disk throws <see cref="StoreFullException"/> with nothing written (SQLite rolls the transaction back).
    /// A write that another process's lock holds up waits for it: SQLite's busy timeout, retried by the command up to
    /// its 30 s timeout.
    /// </summary>
    public T Write<T>(Func<SqliteTransaction, T> work)
    {
        lock (_writeLock)
        {
            try
            {
                using var tx = _writer.BeginTransaction();
                var result = work(tx);
                tx.Commit();
                _commits++;
                if (_full)
                {
                    _full = false;
                    StoreLog.WritesResumed(_logger, DirectoryName);
                }

                return result;
            }
            catch (SqliteException e) when (e.SqliteErrorCode == SqliteFull)
            {
                if (!_full)
                {
                    _full = true;
                    StoreLog.DiskFull(_logger, DirectoryName, e.Message);
                }

                throw new StoreFullException($"the disk of {DirectoryName} is full", e);
            }
        }
    }

    /// <summary>
    /// While <see cref="IsFull"/>: a small real write (a row changed and changed back, so a page goes to the WAL), so
    /// that the store notices room again even when every writer checks <see cref="IsFull"/> first. False while full.
    /// </summary>
    public bool ProbeWrite()
    {
        if (!_full) return true;
        try
        {
            Write(tx =>
            {
                using (var touch = tx.Command("UPDATE schema_migrations SET applied_at = applied_at + 1 WHERE rowid = (SELECT min(rowid) FROM schema_migrations)")) touch.ExecuteNonQuery();
                using var back = tx.Command("UPDATE schema_migrations SET applied_at = applied_at - 1 WHERE rowid = (SELECT min(rowid) FROM schema_migrations)");
                back.ExecuteNonQuery();
            });
            return true;
        }
        catch (StoreFullException)
        {
            return false;
        }
    }

    private string DirectoryName => System.IO.Path.GetDirectoryName(Path) ?? Path;

    /// <summary>
    /// Marks for "has anything changed since I last looked?", so that pollers skip reloading what nobody touched:
    /// <c>External</c> changes when another process (the <c>edgenode</c> verbs while the node runs) committed,
    /// <c>Local</c> with every commit of this store. Cheap: one pragma, no table read.
    /// </summary>
    public (long External, long Local) Version()
    {
        lock (_writeLock)
        {
            // data_version changes when a connection other than the one asking committed: here, not our writer.
            using var command = _writer.Command("PRAGMA data_version;");
            return ((long)command.ExecuteScalar()!, _commits);
        }
    }

    public void Write(Action<SqliteTransaction> work) => Write(tx => { work(tx); return 0; });

    /// <summary>
    /// Runs <paramref name="work"/> on a read-only connection lent to this call alone; it sees every write committed
    /// before it started. <paramref name="work"/> must finish with the connection before it returns (no lazy readers).
    /// </summary>
    public T Read<T>(Func<SqliteConnection, T> work)
    {
        try
        {
            return ReadOnce(work);
        }
        catch (SqliteException e) when (e.SqliteErrorCode == SQLitePCL.raw.SQLITE_IOERR)
        {
            // Seen once right after another process held the database exclusively (a backup tool): the long-lived
            // reader that failed is closed, and the read is tried once more on a freshly opened one.
            return ReadOnce(work);
        }
    }

    private T ReadOnce<T>(Func<SqliteConnection, T> work)
    {
        var connection = _readers.Rent();
        bool failed = false;
        try
        {
            return work(connection);
        }
        catch (SqliteException e) when (e.SqliteErrorCode == SQLitePCL.raw.SQLITE_IOERR)
        {
            failed = true;
            throw;
        }
        finally
        {
            if (failed) connection.Dispose();
            else _readers.Return(connection);
        }
    }

    /// <summary>SQLite creates its files with the process umask (usually world-readable); the node's are private.</summary>
    private static void RestrictToOwner(string path)
    {
        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            if (File.Exists(file)) File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.Command(sql);
        command.ExecuteNonQuery();
    }

    internal static void EnsureProvider()
    {
        if (Interlocked.Exchange(ref s_providerReady, 1) == 0) SQLitePCL.Batteries_V2.Init();
    }

    public void Dispose()
    {
        // Close the read connections first so the writer's close is the last one and SQLite removes the -wal and -shm files.
        _readers.Dispose();
        lock (_writeLock)
        {
            if (_writer.State == System.Data.ConnectionState.Closed) return;
            // Leave a tidy file behind: fold the WAL back in so a copy of edgenode.db alone is a whole backup.
            try { Execute(_writer, "PRAGMA wal_checkpoint(TRUNCATE);"); } catch (SqliteException) { }
            _writer.Dispose();
        }
        // A clean close: the next open need not check the file.
        OpenMarkers.Delete(_marker);
    }
}
