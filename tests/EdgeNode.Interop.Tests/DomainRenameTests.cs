using System.Globalization;
using System.Text.Json;
using EdgeNode.Interop.Tests.Support;

namespace EdgeNode.Interop.Tests;

/// <summary>
/// `edgenode domain rename` end to end: slixmpp clients make a roster and an offline message on the old domain, the
/// node is stopped, the verb renames, the node starts on the new domain and alice, logging in as alice@NEW, finds
/// her contact, her offline message and the device she owned, all under the new name.
/// </summary>
public sealed class DomainRenameTests
{
    private static readonly TimeSpan ClientTime = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Rename_RosterOfflineMessageAndDeviceOwner_SeenByAliceAtTheNewDomain()
    {
        await using var node = await TestNode.StartAsync("old.example", "127.0.0.1", "--Devices:TelemetryIntervalSeconds=0");
        await node.AddUserAsync("alice", "pw-alice");
        await node.AddUserAsync("bob", "pw-bob");
        Assert.Equal(0, (await node.VerbAsync("pw-plug1\n", "device", "add", "plug1")).ExitCode);
        Assert.Equal(0, (await node.VerbAsync("", "device", "owner", "plug1", "alice@old.example")).ExitCode);
        var before = await RunAsync("before", node);
        Assert.Equal("both", before.GetProperty("alice_roster").GetProperty("bob@old.example").GetString());

        (int Code, string Out, string Error) rename = (-1, "", "");
        await node.RestartAsync("new.example", async () => rename = await node.VerbAsync("", "domain", "rename", "old.example", "new.example"));
        Assert.True(rename.Code == 0, rename.Error);
        Assert.Contains("renamed 2 account(s) from old.example to new.example", rename.Out);
        foreach (var line in new[] { "  accounts.jid: 2", "  credentials.jid: 4", "  xmpp_roster.owner: 2", "  xmpp_roster.contact: 2", "  xmpp_offline.owner: 1", "  xmpp_offline.sender: 1", "  xmpp_offline.stanza (to and from): 1", "  device_owners.owner: 1" })
            Assert.Contains(line + "\n", rename.Out.ReplaceLineEndings("\n"));
        Assert.Contains("What does not move: Matrix rooms.", rename.Out);

        var after = await RunAsync("after", node, node.Port("Mqtt:Port").ToString(CultureInfo.InvariantCulture), "pw-plug1");
        Assert.Equal("alice@new.example", after.GetProperty("jid").GetString());
        var roster = after.GetProperty("roster");
        Assert.Equal("both", roster.GetProperty("bob@new.example").GetString());
        Assert.Equal("both", roster.GetProperty("plug1@new.example").GetString());
        Assert.DoesNotContain(roster.EnumerateObject(), p => p.Name.EndsWith("old.example", StringComparison.Ordinal));
        Assert.Equal(["bob@new.example", "alice@new.example", "while you were away"], after.GetProperty("offline").EnumerateArray().Select(e => e.GetString()!).ToArray());
    }

    private static async Task<JsonElement> RunAsync(string phase, TestNode node, params string[] extra)
    {
        var run = await Peer.PythonAsync("Xmpp/domain_rename_slixmpp.py",
            [phase, node.Address, node.Port("Xmpp:C2sPort").ToString(CultureInfo.InvariantCulture), node.Domain, .. extra], ClientTime);
        Assert.True(run.ExitCode == 0, $"the client failed (python3-slixmpp, python3-paho-mqtt): {run}");
        return JsonDocument.Parse(run.Out.Trim().Split('\n')[^1]).RootElement.Clone();
    }
}
