using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using EdgeNode.Interop.Tests.Support;

namespace EdgeNode.Interop.Tests.Xmpp;

/// <summary>The login guard as XMPP clients meet it: real slixmpp, and a raw client for exact answers and addresses.</summary>
public partial class XmppLoginGuardTests
{
    private static readonly TimeSpan ClientTime = TimeSpan.FromSeconds(120);

    [GeneratedRegex(@"Too many failed logins; try again in (\d+) (second|seconds|minutes)\.")]
    private static partial Regex TooMany();

    private static string Port(TestNode node) => node.Port("Xmpp:C2sPort").ToString(CultureInfo.InvariantCulture);

    private static Task<string> PlainAsync(TestNode node, string user, string password, string? from = null) =>
        RawXmppClient.PlainAttemptAsync(node.Address, node.Port("Xmpp:C2sPort"), user, password, from);

    /// <summary>Tries the right password until it gets in (each refusal during a wait costs nothing); false at the deadline.</summary>
    private static async Task<bool> LogsInWithinAsync(TestNode node, string user, string password, string? from, TimeSpan deadline)
    {
        var until = DateTime.UtcNow + deadline;
        do
        {
            if ((await PlainAsync(node, user, password, from)).Contains("<success", StringComparison.Ordinal)) return true;
            await Task.Delay(200);
        }
        while (DateTime.UtcNow < until);
        return false;
    }

    [Fact]
    public async Task Slixmpp_RetryingEveryMechanismWithOneTypo_ThreeTimes_StillLogsIn()
    {
        // A client that, like libstrophe (Profanity), tries its next SASL mechanism after a failure: one typo is one
        // failure, not three, so three typos stay within the free failures and the right password then works.
        await using var node = await XmppClientInteropTests.StartWithUsersAsync(("alice", "pw-alice"));
        Peer.Require(Peer.Python, "python3");
        var run = await Peer.PythonAsync("Xmpp/xmpp_login_guard.py",
            [node.Address, Port(node), "alice@localhost", "pw-typo", "pw-alice", "3"], ClientTime);
        Assert.True(run.ExitCode == 0, $"the client failed (package python3-slixmpp): {run}");
        var result = JsonDocument.Parse(run.Out.Trim().Split('\n')[^1]).RootElement;

        foreach (var round in result.GetProperty("rounds").EnumerateArray())
        {
            Assert.False(round.GetProperty("logged_in").GetBoolean());
            var attempts = round.GetProperty("attempts").EnumerateArray().ToArray();
            Assert.Equal(["SCRAM-SHA-256", "SCRAM-SHA-1", "PLAIN"], attempts.Select(a => a.GetProperty("mechanism").GetString()));
            Assert.All(attempts, a => Assert.Equal(("not-authorized", "Wrong user name or password."),
                (a.GetProperty("condition").GetString(), a.GetProperty("text").GetString())));
        }

        var final = result.GetProperty("final");
        Assert.True(final.GetProperty("logged_in").GetBoolean(), $"the right password was refused: {final}");
    }

    [Fact]
    public async Task DistinctWrongPasswords_EarnAWait_TheClientIsToldHowLong()
    {
        await using var node = await TestNode.StartAsync(settings: ["--Login:FailuresPerAccount=1"]);
        await node.AddUserAsync("alice", "pw-alice");
        string first = await PlainAsync(node, "alice", "wrong-0");
        Assert.Contains("<not-authorized/><text xml:lang='en'>Wrong user name or password.</text>", first);

        // Each further failure doubles the wait from one second, so a refusal without a password check soon comes.
        string? refused = null;
        for (int i = 1; i < 12 && refused is null; i++)
        {
            string answer = await PlainAsync(node, "alice", "wrong-" + i);
            if (answer.Contains("<temporary-auth-failure/>", StringComparison.Ordinal)) refused = answer;
            else Assert.Contains("Wrong user name or password.", answer);
        }

        Assert.NotNull(refused);
        var told = TooMany().Match(refused);
        Assert.True(told.Success, refused);
        Assert.Contains($"<text xml:lang='en'>{told.Value}</text></failure>", refused);
        // The stream closes with the same words, for clients that show only a stream error.
        Assert.Contains("<policy-violation xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>", refused);
        Assert.Equal(2, TooMany().Matches(refused).Count);
    }

    [Fact]
    public async Task MadeUpNamesFromOneAddress_DoNotKeepARealAccountOut()
    {
        await using var node = await XmppClientInteropTests.StartWithUsersAsync(("alice", "pw-alice"));
        for (int i = 0; i < 22; i++)
        {
            Assert.DoesNotContain("<success", await PlainAsync(node, $"nobody{i}", "guess"));
        }

        // From elsewhere at once; from the same address after at most the short wait 22 failures earn (2 s).
        Assert.Contains("<success", await PlainAsync(node, "alice", "pw-alice", from: "127.0.0.2"));
        Assert.True(await LogsInWithinAsync(node, "alice", "pw-alice", null, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task GuessingFromManyAddresses_SlowsOnlyNewAddresses_AndUserUnlockLetsThemInAtOnce()
    {
        await using var node = await TestNode.StartAsync(settings: ["--Login:FailuresPerAccount=1"]);
        await node.AddUserAsync("alice", "pw-alice");
        string[] known = Enumerable.Range(2, 12).Select(i => $"127.0.0.{i}").ToArray();
        foreach (string address in known)
        {
            Assert.Contains("<success", await PlainAsync(node, "alice", "pw-alice", address));
        }

        // One guess from each address: the account's count from everywhere passes its four free failures by eight,
        // a wait of 2^7 s for any address alice never logged in from.
        foreach (string address in known)
        {
            Assert.Contains("Wrong user name or password.", await PlainAsync(node, "alice", "guess-" + address, address));
        }

        string refused = await PlainAsync(node, "alice", "pw-alice", "127.0.0.50");
        Assert.Contains("<temporary-auth-failure/>", refused);
        var told = TooMany().Match(refused);
        Assert.True(told.Success && told.Groups[2].Value == "minutes", refused);
        Assert.Contains("<success", await PlainAsync(node, "alice", "pw-alice", known[0]));

        var (code, output, error) = await node.VerbAsync("", "user", "unlock", "alice@localhost");
        Assert.True(code == 0, error);
        Assert.Contains("unlocked alice@localhost", output);
        Assert.True(await LogsInWithinAsync(node, "alice", "pw-alice", "127.0.0.50", TimeSpan.FromSeconds(10)),
            "still refused after user unlock");
    }
}
