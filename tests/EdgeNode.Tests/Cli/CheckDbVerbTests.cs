using EdgeNode.Cli;
using EdgeNode.Core.Storage;

namespace EdgeNode.Tests.Cli;

public class CheckDbVerbTests
{
    private static Task<CliRun> CheckDb(TempDir dir) =>
        CliRun.InvokeAsync(["check-db", $"--Node:DataDir={dir.Path}", "--Node:Domain=pi.example"]);

    private static void MakeDatabaseWithRows(TempDir dir)
    {
        using var store = Store.Open(dir.Path);
        store.Write(tx =>
        {
            for (var i = 0; i < 300; i++)
            {
                using var insert = tx.Command("INSERT INTO accounts (jid, created_at) VALUES ($j, $t)");
                insert.Parameters.AddWithValue("$j", $"user{i}@pi.example");
                insert.Parameters.AddWithValue("$t", i);
                insert.ExecuteNonQuery();
            }
        });
    }

    [Fact]
    public async Task CheckDb_SoundDatabase_SaysSoundAndExitsZero()
    {
        using var dir = new TempDir();
        MakeDatabaseWithRows(dir);
        var run = await CheckDb(dir);
        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.Contains("the database is sound", run.Out);
    }

    [Fact]
    public async Task CheckDb_DamagedPages_ListsProblemsAndExitsOne()
    {
        using var dir = new TempDir();
        MakeDatabaseWithRows(dir);
        var path = dir.File(Store.FileName);
        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 3 * 4096);
        // Keep the header and the schema page; scribble over a table page behind them.
        new Random(11).NextBytes(bytes.AsSpan(2 * 4096 + 8, 4096 - 8));
        File.WriteAllBytes(path, bytes);
        var before = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(bytes));

        var run = await CheckDb(dir);
        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Contains("the database is damaged", run.Out);
        Assert.Contains("restore edgenode.db from a backup", run.Out);
        Assert.Equal(before, Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path))));
    }

    [Fact]
    public async Task CheckDb_NotADatabase_SaysDamagedAndExitsOne()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File(Store.FileName), new string('x', 8192));
        var run = await CheckDb(dir);
        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Contains("the database is damaged", run.Out);
    }

    [Fact]
    public async Task CheckDb_NoDatabase_SaysSoAndExitsOne()
    {
        using var dir = new TempDir();
        var run = await CheckDb(dir);
        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Contains("there is no database", run.Error);
        Assert.False(File.Exists(dir.File(Store.FileName)));
    }

    [Fact]
    public void Parse_CheckDbWithAnArgument_IsUsageError()
    {
        Assert.Null(CommandLine.Parse(["check-db", "extra"], out var problem));
        Assert.Equal("check-db takes no arguments", problem);
        Assert.Equal(Verb.CheckDb, CommandLine.Parse(["check-db"], out _)!.Verb);
    }
}
