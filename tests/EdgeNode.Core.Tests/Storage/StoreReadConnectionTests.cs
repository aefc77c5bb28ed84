using EdgeNode.Core.Storage;
using Microsoft.Data.Sqlite;

namespace EdgeNode.Core.Tests.Storage;

public class StoreReadConnectionTests
{
    private static void AddAccount(Store store, string jid) => store.Write(tx =>
    {
        using var insert = tx.Command("INSERT INTO accounts (jid, created_at) VALUES ($j, 0)");
        insert.Parameters.AddWithValue("$j", jid);
        insert.ExecuteNonQuery();
    });

    private static long Count(Store store) => store.Read(c =>
    {
        using var count = c.Command("SELECT count(*) FROM accounts");
        return (long)count.ExecuteScalar()!;
    });

    [Fact]
    public void Read_AfterEachCommit_SeesTheNewRowOnTheReusedConnection()
    {
        using var dir = new TempDir();
        using var store = Store.Open(dir.Path);
        for (var i = 1; i <= 5; i++)
        {
            AddAccount(store, $"u{i}@localhost");
            Assert.Equal(i, Count(store));
        }
        Assert.Equal(1, store.IdleReaders);
    }

    [Fact]
    public void Command_SameSqlOnSameConnection_IsTheSamePreparedCommand()
    {
        using var dir = new TempDir();
        using var store = Store.Open(dir.Path);
        SqliteCommand Take() => store.Read(c =>
        {
            using var query = c.Command("SELECT count(*) FROM accounts");
            query.ExecuteScalar();
            return query;
        });
        Assert.Same(Take(), Take());
    }

    [Fact]
    public void Command_ReusedWithNewParameters_BindsTheNewValues()
    {
        using var dir = new TempDir();
        using var store = Store.Open(dir.Path);
        AddAccount(store, "a@localhost");
        AddAccount(store, "b@localhost");
        long CreatedCount(string jid) => store.Read(c =>
        {
            using var query = c.Command("SELECT count(*) FROM accounts WHERE jid = $j");
            Assert.Empty(query.Parameters);
            query.Parameters.AddWithValue("$j", jid);
            return (long)query.ExecuteScalar()!;
        });
        Assert.Equal(1, CreatedCount("a@localhost"));
        Assert.Equal(0, CreatedCount("nobody@localhost"));
        Assert.Equal(1, CreatedCount("b@localhost"));
    }

    [Fact]
    public void Command_SameSqlNestedInsideAnOpenReader_GetsASeparateCommand()
    {
        using var dir = new TempDir();
        using var store = Store.Open(dir.Path);
        AddAccount(store, "a@localhost");
        AddAccount(store, "b@localhost");
        const string Sql = "SELECT jid FROM accounts ORDER BY jid";
        var pairs = store.Read(c =>
        {
            var seen = new List<string>();
            using var outer = c.Command(Sql);
            using var rows = outer.ExecuteReader();
            while (rows.Read())
            {
                using var inner = c.Command(Sql);
                Assert.NotSame(outer, inner);
                seen.Add(rows.GetString(0) + ":" + (string)inner.ExecuteScalar()!);
            }
            return seen;
        });
        Assert.Equal(["a@localhost:a@localhost", "b@localhost:a@localhost"], pairs);
    }

    [Fact]
    public void Read_ReaderLeftOpen_ConnectionIsClosedNotPooled()
    {
        using var dir = new TempDir();
        using var store = Store.Open(dir.Path);
        AddAccount(store, "a@localhost");
        SqliteDataReader? leaked = null;
        store.Read(c =>
        {
            var query = c.Command("SELECT jid FROM accounts");
            leaked = query.ExecuteReader();
            return leaked.Read();
        });
        // A statement mid-step would hold a read snapshot: such a connection must never be lent again.
        Assert.Equal(0, store.IdleReaders);
        AddAccount(store, "b@localhost");
        Assert.Equal(2, Count(store));
    }

    [Fact]
    public void Read_WorkThrows_ConnectionStillUsable()
    {
        using var dir = new TempDir();
        using var store = Store.Open(dir.Path);
        Assert.Throws<SqliteException>(() => store.Read(c =>
        {
            using var bad = c.Command("SELECT nope FROM accounts");
            return bad.ExecuteScalar();
        }));
        AddAccount(store, "a@localhost");
        Assert.Equal(1, Count(store));
    }

    [Fact]
    public void Read_ManyThreadsWhileWriting_EachSeesAMonotonicCount()
    {
        using var dir = new TempDir();
        using var store = Store.Open(dir.Path);
        const int Writes = 200;
        var errors = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        var writing = true;
        var writer = new Thread(() =>
        {
            try { for (var i = 0; i < Writes; i++) AddAccount(store, $"u{i}@localhost"); }
            catch (Exception e) { errors.Enqueue(e); }
            finally { Volatile.Write(ref writing, false); }
        });
        var readers = Enumerable.Range(0, 4).Select(_ => new Thread(() =>
        {
            try
            {
                long last = 0;
                while (Volatile.Read(ref writing))
                {
                    var now = Count(store);
                    if (now < last) throw new InvalidOperationException($"count went back from {last} to {now}");
                    last = now;
                }
            }
            catch (Exception e) { errors.Enqueue(e); }
        })).ToList();
        writer.Start();
        readers.ForEach(t => t.Start());
        writer.Join();
        readers.ForEach(t => t.Join());
        Assert.Empty(errors);
        Assert.Equal(Writes, Count(store));
        Assert.InRange(store.IdleReaders, 1, Store.IdleReadConnections);
    }

    [Fact]
    public void Write_CommandTextChangedByCaller_IsNotCachedUnderTheOldText()
    {
        using var dir = new TempDir();
        using var store = Store.Open(dir.Path);
        AddAccount(store, "a@localhost");
        var result = store.Write(tx =>
        {
            using (var first = tx.Command("SELECT 1"))
            {
                first.ExecuteScalar();
                first.CommandText = "SELECT 2";
            }
            using var again = tx.Command("SELECT 1");
            return (long)again.ExecuteScalar()!;
        });
        Assert.Equal(1, result);
    }
}
