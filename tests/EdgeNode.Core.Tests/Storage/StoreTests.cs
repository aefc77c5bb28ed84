using System.Security.Cryptography;
using EdgeNode.Core.Storage;
using Microsoft.Data.Sqlite;

namespace EdgeNode.Core.Tests.Storage;

public class StoreTests
{
    [Fact]
    public void Open_EmptyDirectory_CreatesWalDatabaseAtLatestVersion()
    {
        using var dir = new TempDir();
        using (var store = Store.Open(dir.Path))
        {
            Assert.True(store.Created);
            Assert.Equal(CoreMigrations.Set.Latest, store.SchemaVersion("core"));
            Assert.Equal("wal", store.Read(c => (string)c.Command("PRAGMA journal_mode").ExecuteScalar()!));
            var versions = store.Read(c => ReadColumn(c, "SELECT version FROM schema_migrations WHERE component = 'core' ORDER BY version"));
            Assert.Equal(CoreMigrations.Set.Steps.Select(m => (object)(long)m.Version).ToList(), versions);
        }
        using var again = Store.Open(dir.Path);
        Assert.False(again.Created);
        Assert.Equal(CoreMigrations.Set.Latest, again.SchemaVersion("core"));
    }

    [Fact]
    public void Version_OwnWritesMoveLocal_AnotherProcessesCommitMovesExternal()
    {
        using var dir = new TempDir();
        using var store = Store.Open(dir.Path);
        var start = store.Version();
        Assert.Equal(start, store.Version());
        store.Write(tx => { using var create = tx.Command("CREATE TABLE t (x INTEGER)"); create.ExecuteNonQuery(); });
        var afterOwn = store.Version();
        Assert.Equal(start.External, afterOwn.External);
        Assert.Equal(start.Local + 1, afterOwn.Local);

        // Another connection to the same file, as `edgenode user remove` from another process would have.
        using (var other = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={store.Path};Pooling=False"))
        {
            other.Open();
            using var insert = other.CreateCommand();
            insert.CommandText = "INSERT INTO t VALUES (1)";
            insert.ExecuteNonQuery();
        }
        var afterOther = store.Version();
        Assert.NotEqual(afterOwn.External, afterOther.External);
        Assert.Equal(afterOwn.Local, afterOther.Local);
    }

    [Fact]
    public void Open_NewDataDirectory_IsPrivateToTheNodeUser()
    {
        using var dir = new TempDir();
        var dataDir = Path.Combine(dir.Path, "data");
        using (var store = Store.Open(dataDir))
            store.Write(tx => tx.Command("INSERT INTO accounts (jid, created_at) VALUES ('a@b', 0)").ExecuteNonQuery());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(dataDir));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(dataDir, Store.FileName)));
    }

    [Fact]
    public void Open_EveryOlderSchema_UpgradesAndKeepsData()
    {
        for (var from = 1; from < CoreMigrations.Set.Latest; from++)
        {
            using var dir = new TempDir();
            using (var old = Store.Open(dir.Path, CoreMigrations.Set.UpTo(from)))
            {
                Assert.Equal(from, old.SchemaVersion("core"));
                old.Write(tx => tx.Command("INSERT INTO accounts (jid, created_at) VALUES ('kept@localhost', 1)").ExecuteNonQuery());
            }
            using var upgraded = Store.Open(dir.Path);
            Assert.Equal(CoreMigrations.Set.Latest, upgraded.SchemaVersion("core"));
            Assert.Equal(["kept@localhost"], upgraded.Read(c => ReadColumn(c, "SELECT jid FROM accounts")).Cast<string>());
        }
    }

    [Fact]
    public void Open_FailingMigration_RollsBackToPreviousVersion()
    {
        using var dir = new TempDir();
        using (Store.Open(dir.Path)) { }
        var broken = new MigrationSet("plugin", [new(1, "fine", "CREATE TABLE fine (x);"), new(2, "broken", "CREATE TABLE half (x); SELECT * FROM no_such_table;")]);
        Assert.Throws<StoreException>(() => Store.Open(dir.Path, broken));
        using var store = Store.Open(dir.Path);
        Assert.Equal(0, store.SchemaVersion("plugin"));
        Assert.Equal(0L, store.Read(c => (long)c.Command("SELECT count(*) FROM sqlite_master WHERE name = 'fine'").ExecuteScalar()!));
        Assert.Equal(0L, store.Read(c => (long)c.Command("SELECT count(*) FROM sqlite_master WHERE name = 'half'").ExecuteScalar()!));
    }

    [Fact]
    public void Open_NewerSchemaThanKnown_RefusesAndLeavesFileUntouched()
    {
        using var dir = new TempDir();
        var future = CoreMigrations.Set with { Steps = [.. CoreMigrations.Set.Steps, new(CoreMigrations.Set.Latest + 1, "from the future", "CREATE TABLE future (x);")] };
        using (Store.Open(dir.Path, future)) { }
        var before = Hash(dir.File(Store.FileName));
        var e = Assert.Throws<StoreException>(() => Store.Open(dir.Path));
        Assert.Contains($"core schema version {CoreMigrations.Set.Latest + 1}, newer than this EdgeNode knows ({CoreMigrations.Set.Latest})", e.Message);
        Assert.Equal(before, Hash(dir.File(Store.FileName)));
    }

    [Fact]
    public void Open_NotADatabase_RefusesAndLeavesFileUntouched()
    {
        using var dir = new TempDir();
        var path = dir.File(Store.FileName);
        File.WriteAllText(path, "this is a shopping list, not a database\n");
        var before = Hash(path);
        var e = Assert.Throws<StoreException>(() => Store.Open(dir.Path));
        Assert.Contains("not an SQLite database", e.Message);
        Assert.Contains("left untouched", e.Message);
        Assert.Equal(before, Hash(path));
        Assert.False(File.Exists(path + "-wal"));
    }

    [Fact]
    public void Open_DamagedPages_RefusesAndLeavesFileUntouched()
    {
        using var dir = new TempDir();
        using (var store = Store.Open(dir.Path))
        {
            store.Write(tx =>
            {
                for (var i = 0; i < 200; i++)
                    tx.Command($"INSERT INTO accounts (jid, created_at) VALUES ('user{i}@localhost', {i})").ExecuteNonQuery();
            });
        }
        var path = dir.File(Store.FileName);
        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 8192);
        // Keep the 100-byte header, wreck the b-tree pages behind it.
        new Random(7).NextBytes(bytes.AsSpan(4096, bytes.Length - 4096));
        File.WriteAllBytes(path, bytes);
        LeaveMarkerOfDeadProcess(dir);
        var before = Hash(path);
        var e = Assert.Throws<StoreException>(() => Store.Open(dir.Path));
        Assert.Contains("left untouched", e.Message);
        Assert.Equal(before, Hash(path));
    }

    [Fact]
    public void Open_SeveralComponents_EachKeepsItsOwnVersion()
    {
        using var dir = new TempDir();
        var a = new MigrationSet("a", [new(1, "a1", "CREATE TABLE a1 (x);"), new(2, "a2", "CREATE TABLE a2 (x);")]);
        var b = new MigrationSet("b", [new(1, "b1", "CREATE TABLE b1 (x);")]);
        using (var store = Store.Open(dir.Path, a.UpTo(1), b))
        {
            Assert.Equal(1, store.SchemaVersion("a"));
            Assert.Equal(1, store.SchemaVersion("b"));
        }
        using var upgraded = Store.Open(dir.Path, a, b);
        Assert.Equal(2, upgraded.SchemaVersion("a"));
        Assert.Equal(1, upgraded.SchemaVersion("b"));
        Assert.Equal(CoreMigrations.Set.Latest, upgraded.SchemaVersion("core"));
    }

    [Fact]
    public void Write_ManyThreadsAtOnce_NeverSeesBusyAndLosesNothing()
    {
        using var dir = new TempDir();
        using var store = Store.Open(dir.Path);
        const int threads = 8, each = 50;
        var errors = new List<Exception>();
        Parallel.For(0, threads, t =>
        {
            for (var i = 0; i < each; i++)
            {
                try
                {
                    store.Write(tx =>
                    {
                        using var insert = tx.Command("INSERT INTO accounts (jid, created_at) VALUES ($j, 0)");
                        insert.Parameters.AddWithValue("$j", $"u{t}-{i}@localhost");
                        insert.ExecuteNonQuery();
                    });
                    store.Read(c => c.Command("SELECT count(*) FROM accounts").ExecuteScalar());
                }
                catch (SqliteException e)
                {
                    lock (errors) errors.Add(e);
                }
            }
        });
        Assert.Empty(errors);
        Assert.Equal((long)threads * each, store.Read(c => (long)c.Command("SELECT count(*) FROM accounts").ExecuteScalar()!));
    }

    [Fact]
    public void Read_Connection_CannotWrite()
    {
        using var dir = new TempDir();
        using var store = Store.Open(dir.Path);
        var e = Assert.Throws<SqliteException>(() => store.Read(c => c.Command("INSERT INTO accounts (jid, created_at) VALUES ('x@y', 0)").ExecuteNonQuery()));
        Assert.Equal(8, e.SqliteErrorCode); // SQLITE_READONLY
    }

    [Fact]
    public void Dispose_FoldsWalBackIntoTheDatabaseFile()
    {
        using var dir = new TempDir();
        using (var store = Store.Open(dir.Path))
            store.Write(tx => tx.Command("INSERT INTO accounts (jid, created_at) VALUES ('a@b', 0)").ExecuteNonQuery());
        Assert.False(File.Exists(dir.File(Store.FileName + "-wal")));
    }

    private static List<object> ReadColumn(SqliteConnection connection, string sql)
    {
        using var command = connection.Command(sql);
        using var rows = command.ExecuteReader();
        var values = new List<object>();
        while (rows.Read()) values.Add(rows.GetValue(0));
        return values;
    }

    /// <summary>What a node killed mid-run leaves beside the database.</summary>
    internal static string LeaveMarkerOfDeadProcess(TempDir dir)
    {
        var marker = dir.File(Store.FileName + ".open-999999999-1");
        File.WriteAllText(marker, "a-boot-that-is-over\n12345\n");
        return marker;
    }

    private static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));
}
