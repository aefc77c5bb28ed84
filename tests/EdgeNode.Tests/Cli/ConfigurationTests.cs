using EdgeNode.Cli;

namespace EdgeNode.Tests.Cli;

/// <summary>The three configuration sources, their order, and how bad configuration stops the node.</summary>
public class ConfigurationTests
{
    [Fact]
    public async Task CheckConfig_Valid_PrintsSummaryAndExitsZero()
    {
        var run = await CliRun.InvokeAsync(["check-config", "--Node:Domain=pi.example"]);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("configuration is valid: domain pi.example", run.Out);
        Assert.Contains("Xmpp:C2sPort = 5222", run.Out);
    }

    [Fact]
    public async Task CheckConfig_FileGiven_NamesTheFileItRead()
    {
        using var dir = new TempDir();
        var file = dir.File("edgenode.json");
        File.WriteAllText(file, """{ "Node": { "Domain": "pi.example" } }""");
        var run = await CliRun.InvokeAsync(["check-config", "--config", file]);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains($"read {file}", run.Out);
    }

    [Fact]
    public async Task CheckConfig_MistypedSection_ErrorWithDidYouMean()
    {
        using var dir = new TempDir();
        var file = dir.File("edgenode.json");
        File.WriteAllText(file, """{ "Node": { "Domain": "pi.example" }, "Mtqq": { "Port": 1884 } }""");
        var run = await CliRun.InvokeAsync(["check-config", "--config", file]);
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("configuration: Mtqq: unknown section; did you mean Mqtt?", run.Error);
    }

    [Fact]
    public async Task CheckConfig_SeveralProblems_ListsEveryOneAndExitsTwo()
    {
        var run = await CliRun.InvokeAsync(["check-config", "--Xmpp:C2sPort=abc", "--Federation:Mode=sometimes", "--Mqtt:Port=8008"]);
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("configuration: Xmpp:C2sPort: 'abc' is not a port number", run.Error);
        Assert.Contains("configuration: Federation:Mode: 'sometimes' is not a federation mode", run.Error);
        Assert.Contains("configuration: Mqtt:Port: port 8008 is already used by Http:Port", run.Error);
        Assert.Contains("3 problem(s) found", run.Error);
    }

    [Fact]
    public async Task Run_InvalidConfiguration_OneLineNamingKeyAndExitTwo()
    {
        var run = await CliRun.InvokeAsync(["run", "--Mqtt:TlsPort=lots"]);
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        var line = Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("edgenode: configuration: Mqtt:TlsPort: 'lots' is not a port number (a whole number from 1 to 65535, or 0 to switch the listener off)", line);
    }

    [Fact]
    public async Task Sources_CommandLineBeatsEnvironmentBeatsFile()
    {
        using var dir = new TempDir();
        var file = dir.File("edgenode.json");
        await File.WriteAllTextAsync(file, """{ "Node": { "Domain": "file.example" }, "Xmpp": { "C2sPort": 7001, "S2sPort": 7002 }, "Mqtt": { "Port": 7003 } }""");
        var environment = new Dictionary<string, string> { ["EDGENODE_Xmpp__C2sPort"] = "7101", ["EDGENODE_Xmpp__S2sPort"] = "7102", ["OTHER_Xmpp__C2sPort"] = "1" };
        var run = await CliRun.InvokeAsync(["check-config", "--config", file, "--Xmpp:C2sPort=7201"], environment: environment);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("domain file.example", run.Out);
        Assert.Contains("Xmpp:C2sPort = 7201", run.Out);
        Assert.Contains("Xmpp:S2sPort = 7102", run.Out);
        Assert.Contains("Mqtt:Port = 7003", run.Out);
    }

    [Fact]
    public async Task Config_FileMissing_IsUsageError()
    {
        var run = await CliRun.InvokeAsync(["check-config", "--config", "/nonexistent/edgenode.json"]);
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("--config: no file at '/nonexistent/edgenode.json'", run.Error);
    }

    [Fact]
    public async Task Config_FileNotJson_SaysWhere()
    {
        using var dir = new TempDir();
        var file = dir.File("edgenode.json");
        await File.WriteAllTextAsync(file, "{\n  \"Node\": { \"Domain\": \"x\" \n}");
        var run = await CliRun.InvokeAsync(["check-config", "--config", file]);
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("not valid JSON (line", run.Error);
    }

    [Fact]
    public async Task Config_WrongTypeInFile_NamesTheKey()
    {
        using var dir = new TempDir();
        var file = dir.File("edgenode.json");
        await File.WriteAllTextAsync(file, """{ "Http": { "Port": "eighty" }, "Federation": { "Allow": ["ok.example", "not ok"] } }""");
        var run = await CliRun.InvokeAsync(["check-config", "--config", file]);
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("Http:Port: 'eighty' is not a port number", run.Error);
        Assert.Contains("Federation:Allow:", run.Error);
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("user")]
    [InlineData("--bogus")]
    public async Task UnknownVerbOrOption_OneLineAndTheHelpHintExitsTwo(string arg)
    {
        var run = await CliRun.InvokeAsync([arg]);
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        var lines = run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("edgenode: ", lines[0]);
        Assert.Equal("Run 'edgenode --help' for the verbs and options.", lines[1].TrimEnd());
        Assert.DoesNotContain("usage: edgenode", run.Error);
    }

    [Fact]
    public async Task Version_PrintsVersion()
    {
        var run = await CliRun.InvokeAsync(["--version"]);
        Assert.Equal(0, run.ExitCode);
        Assert.Matches(@"^edgenode \d+\.\d+\.\d+", run.Out);
    }
}
