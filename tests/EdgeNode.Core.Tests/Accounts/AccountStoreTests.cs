using System.Text;
using EdgeNode.Core.Accounts;
using EdgeNode.Core.Addressing;
using EdgeNode.Core.Storage;

namespace EdgeNode.Core.Tests.Accounts;

public class AccountStoreTests
{
    private static readonly Jid Alice = Jid.Parse("alice@localhost");

    [Fact]
    public void Add_ThenVerify_AcceptsRightPasswordOnly()
    {
        using var dir = new TempDir();
        using var store = Store.Open(dir.Path);
        var accounts = new AccountStore(store);
        accounts.Add(Alice, "correct horse", iterations: 4096);
        Assert.True(accounts.VerifyPassword(Alice, "correct horse"));
        Assert.False(accounts.VerifyPassword(Alice, "correct hors"));
        Assert.False(accounts.VerifyPassword(Alice, "Correct horse"));
        Assert.False(accounts.VerifyPassword(Jid.Parse("bob@localhost"), "correct horse"));
    }

    [Fact]
    public void Add_StoresOnlySaltedVerifiers_NeverThePassword()
    {
        using var dir = new TempDir();
        using (var store = Store.Open(dir.Path))
        {
            var accounts = new AccountStore(store);
            accounts.Add(Alice, "unmistakable-secret-42", iterations: 4096);
            accounts.Add(Jid.Parse("bob@localhost"), "unmistakable-secret-42", iterations: 4096);
            var sha1 = accounts.GetCredential(Alice, ScramHash.Sha1)!;
            var sha256 = accounts.GetCredential(Alice, ScramHash.Sha256)!;
            Assert.Equal(20, sha1.StoredKey.Length);
            Assert.Equal(32, sha256.StoredKey.Length);
            Assert.Equal(4096, sha256.Iterations);
            Assert.NotEqual(sha256.Salt, accounts.GetCredential(Jid.Parse("bob@localhost"), ScramHash.Sha256)!.Salt);
        }
        var everything = Directory.GetFiles(dir.Path, "*", SearchOption.AllDirectories).SelectMany(File.ReadAllBytes).ToArray();
        Assert.Equal(-1, everything.AsSpan().IndexOf("unmistakable-secret-42"u8));
    }

    [Fact]
    public void Add_Twice_Throws()
    {
        using var dir = new TempDir();
        using var store = Store.Open(dir.Path);
        var accounts = new AccountStore(store);
        accounts.Add(Alice, "pw", iterations: 4096);
        Assert.Throws<AccountExistsException>(() => accounts.Add(Jid.Parse("ALICE@localhost"), "other", iterations: 4096));
        Assert.True(accounts.VerifyPassword(Alice, "pw"));
    }

    [Fact]
    public void SetPassword_ReplacesVerifiers()
    {
        using var dir = new TempDir();
        using var store = Store.Open(dir.Path);
        var accounts = new AccountStore(store);
        accounts.Add(Alice, "old", iterations: 4096);
        accounts.SetPassword(Alice, "new", iterations: 4096);
        Assert.False(accounts.VerifyPassword(Alice, "old"));
        Assert.True(accounts.VerifyPassword(Alice, "new"));
        Assert.True(accounts.GetCredential(Alice, ScramHash.Sha1)!.Matches("new"));
        Assert.Throws<AccountNotFoundException>(() => accounts.SetPassword(Jid.Parse("nobody@localhost"), "x", iterations: 4096));
    }

    [Fact]
    public void Remove_DeletesAccountCredentialsAndWhatEveryHolderKeeps()
    {
        using var dir = new TempDir();
        using var store = Store.Open(dir.Path);
        var accounts = new AccountStore(store);
        accounts.Add(Alice, "pw", iterations: 4096);
        accounts.Add(Jid.Parse("bob@localhost"), "pw", iterations: 4096);
        var holder = new RecordingHolder();
        var removal = new AccountRemoval(store, [holder]);

        Assert.True(removal.Remove(Alice));
        Assert.False(removal.Remove(Alice));
        Assert.Equal(["bob@localhost"], accounts.List());
        Assert.Null(accounts.GetCredential(Alice, ScramHash.Sha256));
        Assert.Equal(2L, store.Read(c => (long)c.Command("SELECT count(*) FROM credentials WHERE jid = 'bob@localhost'").ExecuteScalar()!));
        Assert.Equal(0L, store.Read(c => (long)c.Command("SELECT count(*) FROM credentials WHERE jid = 'alice@localhost'").ExecuteScalar()!));
        Assert.Equal(["alice@localhost"], holder.Deleted);
        Assert.Equal(["alice@localhost"], holder.Ended);
    }

    [Fact]
    public void Remove_HolderFails_LeavesTheAccountWhole()
    {
        using var dir = new TempDir();
        using var store = Store.Open(dir.Path);
        var accounts = new AccountStore(store);
        accounts.Add(Alice, "pw", iterations: 4096);
        var removal = new AccountRemoval(store, [new RecordingHolder { Fail = true }]);

        Assert.Throws<InvalidOperationException>(() => removal.Remove(Alice));
        Assert.True(accounts.VerifyPassword(Alice, "pw"));
    }

    [Fact]
    public void Sweep_EndsWhatIsLiveForAccountsThatAreGone()
    {
        using var dir = new TempDir();
        using var store = Store.Open(dir.Path);
        new AccountStore(store).Add(Alice, "pw", iterations: 4096);
        var holder = new RecordingHolder { Live = ["alice@localhost", "gone@localhost"] };

        Assert.Equal(1, new AccountRemoval(store, [holder]).Sweep());
        Assert.Equal(["gone@localhost"], holder.Ended);
    }

    private sealed class RecordingHolder : IAccountHolder
    {
        public List<string> Deleted { get; } = [];
        public List<string> Ended { get; } = [];
        public List<string> Live { get; init; } = [];
        public bool Fail { get; init; }

        public void DeleteData(Microsoft.Data.Sqlite.SqliteTransaction tx, string account)
        {
            if (Fail) throw new InvalidOperationException("holder failed");
            Deleted.Add(account);
        }

        public void EndLive(string account) => Ended.Add(account);

        public IEnumerable<string> LiveAccounts() => Live;
    }

    [Fact]
    public void VerifyPassword_EmptyOrControlCharacters_IsFalseNotAnError()
    {
        using var dir = new TempDir();
        using var store = Store.Open(dir.Path);
        var accounts = new AccountStore(store);
        accounts.Add(Alice, "pw", iterations: 4096);
        Assert.False(accounts.VerifyPassword(Alice, ""));
        Assert.False(accounts.VerifyPassword(Alice, "pw\0"));
        Assert.Throws<ArgumentException>(() => accounts.Add(Jid.Parse("c@localhost"), "a\nb", iterations: 4096));
    }
}
