using System.Diagnostics;
using EdgeNode.Core.Storage;

namespace EdgeNode.Tests.Cli;

/// <summary>
/// Verbs run in another folder than the node's: they say which configuration and data directory they use, and they
/// never make an empty database where nobody named a data directory. These run the real `edgenode` program in a
/// scratch working directory, since the default data directory is relative to it.
/// </summary>
public class VerbDataDirectoryTests
{
    private static async Task<(int Code, string Out, string Error)> EdgenodeAsync(string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "edgenode"))
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        process.StandardInput.Write("a password\n");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await output, await error);
    }

    [Theory]
    [InlineData("user", "list")]
    [InlineData("user", "add", "alice@localhost")]
    [InlineData("device", "list")]
    public async Task Verb_DefaultDataDirWithoutDatabase_RefusesAndCreatesNothing(params string[] verb)
    {
        using var cwd = new TempDir();
        var (code, _, error) = await EdgenodeAsync(cwd.Path, verb);

        Assert.Equal(1, code);
        Assert.Contains($"edgenode: configuration none (embedded defaults), data directory {Path.Combine(cwd.Path, "data")}", error);
        Assert.Contains($"no database at {Path.Combine(cwd.Path, "data", Store.FileName)}", error);
        Assert.Contains("--config /etc/edgenode/edgenode.json", error);
        Assert.False(Directory.Exists(Path.Combine(cwd.Path, "data")));
    }

    [Fact]
    public async Task Verb_DataDirNamedInTheConfigurationFile_MakesTheDatabaseAndSaysWhere()
    {
        using var cwd = new TempDir();
        var data = Path.Combine(cwd.Path, "node-data");
        File.WriteAllText(cwd.File("edgenode.json"), $$"""{ "Node": { "DataDir": "{{data}}" } }""");

        var (code, output, error) = await EdgenodeAsync(cwd.Path, "user", "add", "alice@localhost");

        Assert.Equal(0, code);
        Assert.Contains($"edgenode: configuration {cwd.File("edgenode.json")}, data directory {data}", error);
        Assert.True(File.Exists(Path.Combine(data, Store.FileName)));
        (code, output, _) = await EdgenodeAsync(cwd.Path, "user", "list");
        Assert.Equal(0, code);
        Assert.Contains("alice@localhost", output);
    }

    [Fact]
    public async Task Verb_DataDirThatCannotBeCreated_OneLineNamingThePathExitOne()
    {
        using var cwd = new TempDir();
        var blocker = cwd.File("not-a-directory");
        File.WriteAllText(blocker, "a file where the data directory's parent should be");
        var data = Path.Combine(blocker, "data");

        var (code, _, error) = await EdgenodeAsync(cwd.Path, "user", "add", "alice@localhost", $"--Node:DataDir={data}");

        Assert.Equal(1, code);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith($"edgenode: cannot create the data directory {data}: ", lines[1]);
        Assert.DoesNotContain("   at ", error);
    }
}
