using System.Diagnostics;
using EdgeNode.Cli;

namespace EdgeNode.Tests.Cli;

public class DomainRenameVerbTests
{
    private static async Task<CliRun> Verb(TempDir dir, string domain, string stdin, params string[] words) =>
        await CliRun.InvokeAsync([.. words, $"--Node:DataDir={dir.Path}", $"--Node:Domain={domain}"], stdin);

    [Fact]
    public async Task Run_AccountsOnAnotherDomain_WarnsWithTheRenameCommand_AndRenameRefusesWhileItRuns()
    {
        using var dir = new TempDir();
        Assert.Equal(0, (await Verb(dir, "old.example", "pw-alice\n", "user", "add", "alice")).ExitCode);
        Assert.Equal(0, (await Verb(dir, "old.example", "pw-bob\n", "user", "add", "bob")).ExitCode);

        // The real binary in its own process, as the service runs it, with Node:Domain changed and nothing renamed.
        var (args, _) = FreePorts.NodeArgs(dir.Path);
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "edgenode"), ["run", .. args, "--Node:Domain=new.example"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var node = Process.Start(start)!;
        var seen = new List<string>();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (await node.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                seen.Add(line);
                if (line.Contains("EdgeNode ready", StringComparison.Ordinal)) break;
            }
            Assert.Contains(seen, l => l.Contains("2 account(s) in the database are on old.example, not on Node:Domain new.example", StringComparison.Ordinal)
                && l.EndsWith("edgenode domain rename old.example new.example", StringComparison.Ordinal));

            var refused = await Verb(dir, "new.example", "", "domain", "rename", "old.example", "new.example");
            Assert.Equal(ExitCodes.Failure, refused.ExitCode);
            Assert.Contains($"the database is open in process {node.Id}", refused.Error);
            Assert.Equal(["alice@old.example", "bob@old.example"], (await Verb(dir, "new.example", "", "user", "list")).Out.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }
        finally
        {
            node.Kill();
            await node.WaitForExitAsync();
        }

        var renamed = await Verb(dir, "new.example", "", "domain", "rename", "old.example", "new.example");
        Assert.True(renamed.ExitCode == ExitCodes.Ok, renamed.Error);
        Assert.Contains("renamed 2 account(s) from old.example to new.example", renamed.Out);
        Assert.Contains("  accounts.jid: 2", renamed.Out);
        Assert.Contains("What does not move: Matrix rooms.", renamed.Out);
        Assert.Equal(["alice@new.example", "bob@new.example"], (await Verb(dir, "new.example", "", "user", "list")).Out.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Rename_AccountAlreadyOnNew_RefusesAndChangesNothing()
    {
        using var dir = new TempDir();
        await Verb(dir, "old.example", "pw\n", "user", "add", "alice");
        await Verb(dir, "old.example", "pw\n", "user", "add", "carol");
        await Verb(dir, "new.example", "pw\n", "user", "add", "alice");
        var run = await Verb(dir, "new.example", "", "domain", "rename", "old.example", "new.example");
        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Contains("alice@new.example already exists", run.Error);
        Assert.Equal(["alice@new.example", "alice@old.example", "carol@old.example"], (await Verb(dir, "new.example", "", "user", "list")).Out.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Rename_NoAccountsOnOld_OrSameDomain_Fails()
    {
        using var dir = new TempDir();
        await Verb(dir, "new.example", "pw\n", "user", "add", "alice");
        Assert.Equal(ExitCodes.Failure, (await Verb(dir, "new.example", "", "domain", "rename", "old.example", "new.example")).ExitCode);
        Assert.Equal(ExitCodes.Usage, (await Verb(dir, "new.example", "", "domain", "rename", "new.example", "new.example")).ExitCode);
        Assert.Equal(ExitCodes.Usage, (await Verb(dir, "new.example", "", "domain", "rename", "a@b", "new.example")).ExitCode);
        Assert.Equal(ExitCodes.Usage, (await Verb(dir, "new.example", "", "domain", "rename", "old.example")).ExitCode);
    }
}
