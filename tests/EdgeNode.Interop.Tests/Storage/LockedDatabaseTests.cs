using System.Diagnostics;
using System.Text;
using EdgeNode.Interop.Tests.Matrix;
using EdgeNode.Interop.Tests.Support;
using EdgeNode.Interop.Tests.Xmpp;

namespace EdgeNode.Interop.Tests.Storage;

/// <summary>
/// The database held by another process (a backup tool's exclusive transaction) for 10 s: the node's writes wait for it
/// and then proceed, reads go on meanwhile, nothing is lost and nothing fails.
/// </summary>
public class LockedDatabaseTests
{
    // Holds SQLite's write lock (BEGIN EXCLUSIVE: in WAL mode readers go on) for the seconds given, from Python's sqlite3.
    private const string Locker = """
        import sqlite3, sys, time
        c = sqlite3.connect(sys.argv[1], isolation_level=None)
        c.execute("BEGIN EXCLUSIVE")
        print("locked", flush=True)
        time.sleep(float(sys.argv[2]))
        c.execute("COMMIT")
        print("released", flush=True)
        """;

    [Fact]
    public async Task LockedByAnotherProcessFor10s_WritesWaitThenProceed_ReadsGoOn_NothingLost()
    {
        await using var node = await TestNode.StartAsync(settings: ["--Xmpp:MessagesPerSecond=0", "--Xmpp:MessagesPerSecondToOneRecipient=0"]);
        await node.AddUserAsync("alice", "pw-alice");
        await node.AddUserAsync("carol", "pw-carol");
        using var matrix = new MatrixHttp($"http://{node.Address}:{node.Port("Http:Port")}");
        await matrix.LoginAsync("alice", "pw-alice");
        var (alice, _) = await RawXmppClient.LoginAsync(node.Address, node.Port("Xmpp:C2sPort"), "alice", "pw-alice");
        await using var _alice = alice;

        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-c", Locker, Path.Combine(node.DataDir, "edgenode.db"), "10" }) start.ArgumentList.Add(arg);
        using var locker = Process.Start(start)!;
        Assert.Equal("locked", await locker.StandardOutput.ReadLineAsync());
        var held = Stopwatch.StartNew();

        // Each message goes to the offline store: a write that has to wait for the lock.
        var batch = new StringBuilder();
        for (int i = 1; i <= 20; i++) batch.Append($"<message to='carol@localhost' type='chat' id='l{i}'><body>[locked {i:D2}]</body></message>");
        await alice.SendAsync(batch.ToString());

        // Reads are not held up by the lock: the profile comes from the database at once.
        var profile = await matrix.OkAsync("GET", "/_matrix/client/v3/profile/@alice:localhost");
        Assert.True(held.Elapsed < TimeSpan.FromSeconds(8), $"a read took until {held.Elapsed} into the lock");
        Assert.False(locker.HasExited);
        Assert.NotNull(profile);

        await alice.SendAsync("<iq type='get' to='localhost' id='after-lock'><ping xmlns='urn:xmpp:ping'/></iq>");
        string answer = await alice.ReadUntilAsync("id='after-lock'", TimeSpan.FromSeconds(60));
        Assert.Equal("released", await locker.StandardOutput.ReadLineAsync());
        await locker.WaitForExitAsync();
        Assert.Equal(0, locker.ExitCode);
        Assert.DoesNotContain("type='error'", answer);

        var (carol, _) = await RawXmppClient.LoginAsync(node.Address, node.Port("Xmpp:C2sPort"), "carol", "pw-carol");
        await using var _carol = carol;
        await carol.SendAsync("<presence/>");
        string delivered = await carol.ReadUntilAsync("[locked 20]", TimeSpan.FromSeconds(30));
        for (int i = 1; i <= 20; i++) Assert.Contains($"[locked {i:D2}]", delivered);
        // And the node still writes: a Matrix write after the lock.
        await matrix.OkAsync("PUT", "/_matrix/client/v3/profile/@alice:localhost/displayname", """{"displayname":"Alice after the lock"}""");
    }
}
