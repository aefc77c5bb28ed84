using EdgeNode.Cli;

namespace EdgeNode.Tests.Cli;

public class CommandLineTests
{
    [Fact]
    public void Parse_NoArguments_IsRun() => Assert.Equal(Verb.Run, CommandLine.Parse([], out _)!.Verb);

    [Fact]
    public void Parse_ConfigAndOverrides_AreSeparatedFromTheVerb()
    {
        var c = CommandLine.Parse(["--config", "/etc/e.json", "user", "add", "alice", "--Xmpp:C2sPort=6222", "--Node:Domain", "pi.example"], out _)!;
        Assert.Equal(Verb.UserAdd, c.Verb);
        Assert.Equal(["alice"], c.Arguments);
        Assert.Equal("/etc/e.json", c.ConfigPath);
        Assert.Equal(["--Xmpp:C2sPort=6222", "--Node:Domain=pi.example"], c.Overrides);
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("user")]
    [InlineData("user", "add")]
    [InlineData("user", "add", "a", "b")]
    [InlineData("user", "list", "x")]
    [InlineData("user", "delete", "a")]
    [InlineData("run", "now")]
    [InlineData("--verbose")]
    [InlineData("--config")]
    [InlineData("--Xmpp:C2sPort")]
    public void Parse_Nonsense_ReturnsNullWithProblem(params string[] args)
    {
        Assert.Null(CommandLine.Parse(args, out var problem));
        Assert.False(string.IsNullOrEmpty(problem));
    }

    [Theory]
    [InlineData(Verb.Version, "--version")]
    [InlineData(Verb.Help, "--help")]
    [InlineData(Verb.CheckConfig, "check-config")]
    [InlineData(Verb.UserList, "user", "list")]
    [InlineData(Verb.UserRemove, "user", "remove", "a@b")]
    [InlineData(Verb.UserPasswd, "user", "passwd", "a@b")]
    [InlineData(Verb.Run, "run", "--config=x.json")]
    public void Parse_EachVerb_IsRecognised(Verb verb, params string[] args) => Assert.Equal(verb, CommandLine.Parse(args, out _)!.Verb);
}
