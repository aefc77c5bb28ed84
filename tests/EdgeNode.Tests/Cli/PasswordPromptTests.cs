using System.Diagnostics;
using EdgeNode.Cli;

namespace EdgeNode.Tests.Cli;

/// <summary>
/// The interactive password prompt, driven through a real pseudo-terminal: util-linux `script` runs the built
/// `edgenode` under a pty and passes our keystrokes to it, the way a person at a console types them.
/// </summary>
public class PasswordPromptTests
{
    /// <summary>Runs a verb under a pty and types each answer once its prompt has appeared (typed earlier, the
    /// terminal would echo it before the node turns echo off).</summary>
    private static async Task<(int Code, string Output)> TypeAsync(TempDir dir, (string Prompt, string Answer)[] dialogue, params string[] words)
    {
        string edgenode = Path.Combine(AppContext.BaseDirectory, "edgenode");
        string command = string.Join(' ', new[] { edgenode }.Concat(words).Concat([$"--Node:DataDir={dir.Path}", "--Node:Domain=pi.example"]).Select(Quote));
        var start = new ProcessStartInfo("script", ["--quiet", "--return", "--command", command, "/dev/null"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var process = Process.Start(start)!;
        var output = new System.Text.StringBuilder();
        var buffer = new char[256];
        int said = 0;
        while (true)
        {
            int read = await process.StandardOutput.ReadAsync(buffer, timeout.Token);
            if (read == 0) break;
            output.Append(buffer, 0, read);
            if (said < dialogue.Length && output.ToString().Contains(dialogue[said].Prompt, StringComparison.Ordinal))
            {
                await process.StandardInput.WriteAsync(dialogue[said++].Answer + "\r");
                await process.StandardInput.FlushAsync();
            }
        }
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, output.ToString());
    }

    private static string Quote(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static string[] Lines(string output) =>
        output.Replace("\r", "", StringComparison.Ordinal).Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public async Task UserAdd_TwoDifferentEntries_OneLineSayingSoAndExit1()
    {
        using var dir = new TempDir();
        var (code, output) = await TypeAsync(dir, [("Password for alice@pi.example: ", "first secret"), ("Again: ", "second secret")], "user", "add", "alice");
        Assert.Equal(ExitCodes.Failure, code);
        var problems = Lines(output).Where(l => l.StartsWith("edgenode: ", StringComparison.Ordinal) && !l.StartsWith("edgenode: configuration ", StringComparison.Ordinal)).ToArray();
        Assert.Equal(["edgenode: the passwords differ"], problems);
        Assert.Equal("", CliRun.Invoke("user", "list", $"--Node:DataDir={dir.Path}", "--Node:Domain=pi.example").Out);
    }

    [Fact]
    public async Task UserAdd_SameEntryTwice_CreatesTheAccount()
    {
        using var dir = new TempDir();
        var (code, output) = await TypeAsync(dir, [("Password for alice@pi.example: ", "her secret"), ("Again: ", "her secret")], "user", "add", "alice");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("Password for alice@pi.example: ", output, StringComparison.Ordinal);
        Assert.Contains("created alice@pi.example", output, StringComparison.Ordinal);
    }
}
