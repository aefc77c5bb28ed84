using EdgeNode.Core.Storage;

namespace EdgeNode.Core.Tests.Storage;

public class StoreCleanStopTests
{
    private static string[] Markers(TempDir dir) => Directory.GetFiles(dir.Path, Store.FileName + ".open-*");

    [Fact]
    public void Open_AfterCleanDispose_SkipsQuickCheck()
    {
        using var dir = new TempDir();
        using (var first = Store.Open(dir.Path)) Assert.False(first.QuickChecked);
        using var second = Store.Open(dir.Path);
        Assert.False(second.Created);
        Assert.False(second.QuickChecked);
    }

    [Fact]
    public void Open_WhileOpen_MarkerExistsAndDisposeRemovesIt()
    {
        using var dir = new TempDir();
        var store = Store.Open(dir.Path);
        Assert.Single(Markers(dir));
        store.Dispose();
        Assert.Empty(Markers(dir));
    }

    [Fact]
    public void Open_MarkerLeftByADeadProcess_RunsQuickCheckAndClearsTheMarker()
    {
        using var dir = new TempDir();
        using (Store.Open(dir.Path)) { }
        var left = StoreTests.LeaveMarkerOfDeadProcess(dir);
        using (var store = Store.Open(dir.Path))
        {
            Assert.True(store.QuickChecked);
            Assert.False(File.Exists(left));
        }
        using var after = Store.Open(dir.Path);
        Assert.False(after.QuickChecked);
    }

    [Fact]
    public void Open_MarkerOfThisProcessNotOpenHere_RunsQuickCheck()
    {
        // This pid, but no store of this process holds that marker: it is left from an earlier process with the same pid.
        using var dir = new TempDir();
        using (Store.Open(dir.Path)) { }
        var marker = dir.File(Store.FileName + $".open-{Environment.ProcessId}-0");
        File.WriteAllText(marker, "boot\n1\n");
        using var store = Store.Open(dir.Path);
        Assert.True(store.QuickChecked);
    }

    [Fact]
    public void Open_AnotherStoreStillOpen_DoesNotCheck()
    {
        // The node runs while an `edgenode` verb opens the same database: the node's marker is live, not stale.
        using var dir = new TempDir();
        using var running = Store.Open(dir.Path);
        using var verb = Store.Open(dir.Path);
        Assert.False(verb.QuickChecked);
        Assert.Equal(2, Markers(dir).Length);
    }

    [Fact]
    public void Open_NewDatabaseWithStaleMarker_DoesNotCheckAndClearsIt()
    {
        using var dir = new TempDir();
        var left = StoreTests.LeaveMarkerOfDeadProcess(dir);
        using var store = Store.Open(dir.Path);
        Assert.True(store.Created);
        Assert.False(store.QuickChecked);
        Assert.False(File.Exists(left));
    }
}
