using EdgeNode.Cli;
using EdgeNode.Core.Accounts;
using EdgeNode.Core.Addressing;
using EdgeNode.Core.Storage;

namespace EdgeNode.Tests.Cli;

public class UserVerbTests
{
    private static async Task<CliRun> User(TempDir dir, string stdin, params string[] words) =>
        await CliRun.InvokeAsync([.. words, $"--Node:DataDir={dir.Path}", "--Node:Domain=pi.example"], stdin);

    [Fact]
    public async Task UserAdd_PasswordFromStdin_StoresVerifierThatChecksPasswords()
    {
        using var dir = new TempDir();
        var run = await User(dir, "s3cret pass\n", "user", "add", "alice");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("created alice@pi.example", run.Out);

        using var store = Store.Open(dir.Path);
        var accounts = new AccountStore(store);
        Assert.True(accounts.VerifyPassword(Jid.Parse("alice@pi.example"), "s3cret pass"));
        Assert.False(accounts.VerifyPassword(Jid.Parse("alice@pi.example"), "wrong"));
    }

    [Fact]
    public async Task UserAdd_Existing_FailsAndKeepsOldPassword()
    {
        using var dir = new TempDir();
        await User(dir, "first\n", "user", "add", "alice@pi.example");
        var again = await User(dir, "second\n", "user", "add", "Alice@pi.example");
        Assert.Equal(ExitCodes.Failure, again.ExitCode);
        Assert.Contains("already exists", again.Error);
        using var store = Store.Open(dir.Path);
        Assert.True(new AccountStore(store).VerifyPassword(Jid.Parse("alice@pi.example"), "first"));
    }

    [Fact]
    public async Task UserAdd_NoPasswordOnStdin_FailsWithoutCreating()
    {
        using var dir = new TempDir();
        var run = await User(dir, "", "user", "add", "alice");
        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Contains("no password", run.Error);
        Assert.Equal("", (await User(dir, "", "user", "list")).Out);
    }

    [Fact]
    public async Task UserAdd_OtherDomainOrBadAddress_IsUsageError()
    {
        using var dir = new TempDir();
        var other = await User(dir, "pw\n", "user", "add", "alice@elsewhere.example");
        Assert.Equal(ExitCodes.Usage, other.ExitCode);
        Assert.Contains("not on this node's domain", other.Error);
        var bad = await User(dir, "pw\n", "user", "add", "al ice");
        Assert.Equal(ExitCodes.Usage, bad.ExitCode);
    }

    [Fact]
    public async Task UserPasswd_ChangesPassword_AndMissingAccountFails()
    {
        using var dir = new TempDir();
        await User(dir, "old\n", "user", "add", "alice");
        var run = await User(dir, "new\n", "user", "passwd", "alice");
        Assert.Equal(0, run.ExitCode);
        using (var store = Store.Open(dir.Path))
        {
            var accounts = new AccountStore(store);
            Assert.False(accounts.VerifyPassword(Jid.Parse("alice@pi.example"), "old"));
            Assert.True(accounts.VerifyPassword(Jid.Parse("alice@pi.example"), "new"));
        }
        var missing = await User(dir, "x\n", "user", "passwd", "bob");
        Assert.Equal(ExitCodes.Failure, missing.ExitCode);
        Assert.Contains("there is no account bob@pi.example", missing.Error);
    }

    [Fact]
    public async Task UserUnlock_LeavesTheRequestTheRunningGuardReads()
    {
        using var dir = new TempDir();
        await User(dir, "pw\n", "user", "add", "alice");
        var run = await User(dir, "", "user", "unlock", "alice");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("unlocked alice@pi.example", run.Out);

        using var store = Store.Open(dir.Path);
        Assert.NotNull(new LoginUnlocks(store, TimeProvider.System).UnlockedAt("alice@pi.example"));
        Assert.Null(new LoginUnlocks(store, TimeProvider.System).UnlockedAt("bob@pi.example"));
        var missing = await User(dir, "", "user", "unlock", "bob");
        Assert.Equal(ExitCodes.Failure, missing.ExitCode);
        Assert.Contains("there is no account bob@pi.example", missing.Error);
    }

    [Fact]
    public async Task UserListAndRemove_ShowAndDeleteAccounts()
    {
        using var dir = new TempDir();
        await User(dir, "pw\n", "user", "add", "bob");
        await User(dir, "pw\n", "user", "add", "alice");
        Assert.Equal($"alice@pi.example{Environment.NewLine}bob@pi.example{Environment.NewLine}", (await User(dir, "", "user", "list")).Out);
        Assert.Equal(0, (await User(dir, "", "user", "remove", "bob")).ExitCode);
        Assert.Equal(ExitCodes.Failure, (await User(dir, "", "user", "remove", "bob")).ExitCode);
        Assert.Equal($"alice@pi.example{Environment.NewLine}", (await User(dir, "", "user", "list")).Out);
    }

    [Fact]
    public async Task UserList_CorruptDatabase_FailsClearlyAndLeavesFileUntouched()
    {
        using var dir = new TempDir();
        var path = dir.File(Store.FileName);
        await File.WriteAllBytesAsync(path, new byte[] { 1, 2, 3, 4, 5 });
        var run = await User(dir, "", "user", "list");
        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Contains("not an SQLite database", run.Error);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5 }, await File.ReadAllBytesAsync(path));
    }

    [Fact]
    public async Task UserRemove_TakesTheAccountsDataAndItsPlaceInOtherRostersAndDevices()
    {
        using var dir = new TempDir();
        await User(dir, "pw\n", "user", "add", "alice");
        await User(dir, "pw\n", "user", "add", "bob");
        Assert.Equal(0, (await User(dir, "", "device", "owner", "plug1", "alice@pi.example")).ExitCode);
        using (var store = Store.Open(dir.Path, EdgeNode.Modules.NodeModules.Migrations))
        {
            store.Write(tx =>
            {
                foreach (var sql in (string[])[
                    "INSERT INTO xmpp_roster (owner, contact, subscription) VALUES ('bob@pi.example', 'alice@pi.example', 3)",
                    "INSERT INTO xmpp_roster (owner, contact, subscription) VALUES ('alice@pi.example', 'bob@pi.example', 3)",
                    "INSERT INTO xmpp_offline (owner, stanza, created_at) VALUES ('alice@pi.example', x'3c6d2f3e', 0)",
                    "INSERT INTO matrix_access_tokens (token_hash, user_id, device_id, created_at) VALUES (x'01', '@alice:pi.example', 'D', 0)",
                    "INSERT INTO matrix_access_tokens (token_hash, user_id, device_id, created_at) VALUES (x'02', '@bob:pi.example', 'D', 0)"])
                {
                    using var command = tx.Command(sql);
                    command.ExecuteNonQuery();
                }
            });
        }

        var run = await User(dir, "", "user", "remove", "alice");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("removed alice@pi.example", run.Out);

        using (var store = Store.Open(dir.Path, EdgeNode.Modules.NodeModules.Migrations))
        {
            long Count(string sql) => store.Read(c => { using var q = c.Command(sql); return (long)q.ExecuteScalar()!; });
            Assert.Equal(0, Count("SELECT count(*) FROM xmpp_roster WHERE owner = 'alice@pi.example' OR contact = 'alice@pi.example'"));
            Assert.Equal(0, Count("SELECT count(*) FROM xmpp_offline"));
            Assert.Equal(0, Count("SELECT count(*) FROM device_owners"));
            Assert.Equal(0, Count("SELECT count(*) FROM matrix_access_tokens WHERE user_id = '@alice:pi.example'"));
            // Bob's own data stays; his roster version moved on, so his client fetches the roster again.
            Assert.Equal(1, Count("SELECT count(*) FROM matrix_access_tokens WHERE user_id = '@bob:pi.example'"));
            Assert.Equal(1, Count("SELECT version FROM xmpp_roster_version WHERE owner = 'bob@pi.example'"));
        }
    }
}
