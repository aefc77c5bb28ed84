using EdgeNode.Core.Storage;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Core.Tests.Storage;

/// <summary>
/// A full disk (SQLITE_FULL, played here by SQLite's page limit; tests/crash/disk_full.py fills a real tmpfs): writes
/// throw <see cref="StoreFullException"/> with nothing kept, reads go on, it is logged once, and the first write that
/// fits again ends it, logged once.
/// </summary>
public class StoreFullTests
{
    private sealed class Recorder : ILogger
    {
        public List<(int Id, string Text)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((eventId.Id, formatter(state, exception)));
    }

    private static readonly MigrationSet Blobs = new("blobs", [new(1, "blobs", "CREATE TABLE blobs (b BLOB);")]);

    private static void Insert(Store store, int bytes) => store.Write(tx =>
    {
        using var insert = tx.Command("INSERT INTO blobs (b) VALUES (zeroblob($n))");
        insert.Parameters.AddWithValue("$n", bytes);
        insert.ExecuteNonQuery();
    });

    private static void LimitPages(Store store, long pages) => store.Write(tx =>
    {
        using var limit = tx.Command($"PRAGMA max_page_count = {pages}");
        limit.ExecuteNonQuery();
    });

    private static long Pages(Store store) => store.Read(c => (long)c.Command("PRAGMA page_count").ExecuteScalar()!);

    [Fact]
    public void Write_DiskFull_RefusedAndLoggedOnce_ReadsGoOn_ThenResumesByItself()
    {
        using var dir = new TempDir();
        using var store = Store.Open(dir.Path, Blobs);
        var log = new Recorder();
        store.Logger = log;
        Insert(store, 100);
        LimitPages(store, Pages(store) + 2);

        Assert.Throws<StoreFullException>(() => Insert(store, 64 * 1024));
        Assert.Throws<StoreFullException>(() => Insert(store, 64 * 1024));
        Assert.True(store.IsFull);
        Assert.Equal(1L, store.Read(c => (long)c.Command("SELECT count(*) FROM blobs").ExecuteScalar()!));
        var full = Assert.Single(log.Entries);
        Assert.Equal(EdgeNode.Core.Logging.EventIds.DiskFull, full.Id);
        Assert.Contains(dir.Path, full.Text);

        LimitPages(store, 1_000_000_000);
        Assert.False(store.IsFull);
        Assert.True(store.ProbeWrite());
        Insert(store, 64 * 1024);
        Assert.Equal(2L, store.Read(c => (long)c.Command("SELECT count(*) FROM blobs").ExecuteScalar()!));
        Assert.Equal([EdgeNode.Core.Logging.EventIds.DiskFull, EdgeNode.Core.Logging.EventIds.WritesResumed], log.Entries.Select(e => e.Id));
    }
}
