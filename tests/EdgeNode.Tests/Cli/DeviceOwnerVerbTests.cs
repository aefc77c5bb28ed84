using EdgeNode.Cli;
using EdgeNode.Core.Storage;
using EdgeNode.Devices.Participants;
using EdgeNode.Modules;

namespace EdgeNode.Tests.Cli;

public class DeviceOwnerVerbTests
{
    private static async Task<CliRun> Device(TempDir dir, params string[] words) =>
        await CliRun.InvokeAsync([.. words, $"--Node:DataDir={dir.Path}", "--Node:Domain=pi.example"]);

    [Fact]
    public async Task DeviceOwner_NewOwner_IsStoredByDeviceNameAndSaysTheDeviceIsNotSeenYet()
    {
        using var dir = new TempDir();
        var run = await Device(dir, "device", "owner", "Plug1", "Carol@pi.example");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("carol@pi.example now owns plug1@pi.example", run.Out, StringComparison.Ordinal);
        Assert.Contains("no device plug1 has been seen yet", run.Out, StringComparison.Ordinal);

        var again = await Device(dir, "device", "owner", "plug1", "carol@pi.example");
        Assert.Contains("already owns", again.Out, StringComparison.Ordinal);
        using var store = Store.Open(dir.Path, NodeModules.Migrations);
        Assert.Equal(["carol@pi.example"], new DeviceOwnerStore(store).All()["plug1"]);
    }

    [Fact]
    public async Task DeviceOwner_OnAnotherServer_MayReadUntilGrantedCommands()
    {
        using var dir = new TempDir();
        var owner = await Device(dir, "device", "owner", "plug1", "bob@partner.example");
        Assert.Contains("may see plug1 but not command it", owner.Out, StringComparison.Ordinal);
        using (var store = Store.Open(dir.Path, NodeModules.Migrations))
        {
            var owners = new DeviceOwnerStore(store);
            Assert.Equal(["bob@partner.example"], owners.OwnersOf("plug1"));
            Assert.Empty(owners.CommandersOf("plug1"));
        }

        var granted = await Device(dir, "device", "commander", "plug1", "bob@partner.example");
        Assert.Equal(0, granted.ExitCode);
        Assert.Contains("bob@partner.example now owns plug1@pi.example and may command it", granted.Out, StringComparison.Ordinal);
        Assert.Contains("already may command", (await Device(dir, "device", "commander", "plug1", "bob@partner.example")).Out, StringComparison.Ordinal);
        using (var store = Store.Open(dir.Path, NodeModules.Migrations))
        {
            var owners = new DeviceOwnerStore(store);
            Assert.Equal(["bob@partner.example"], owners.CommandersOf("plug1"));
            Assert.Equal(["bob@partner.example"], owners.Commanders()["plug1"]);
            Assert.Equal(["bob@partner.example"], owners.All()["plug1"]);
        }
    }

    [Theory]
    [InlineData("plug 1", "carol@pi.example", "is not a device name")]
    [InlineData("plug1", "carol@pi.example/phone", "is not a bare address")]
    [InlineData("plug1", "pi.example", "is not a bare address")]
    public async Task DeviceOwner_BadArguments_AreUsageErrorsThatStoreNothing(string device, string owner, string expected)
    {
        using var dir = new TempDir();
        var run = await Device(dir, "device", "owner", device, owner);
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains(expected, run.Error, StringComparison.Ordinal);
        using var store = Store.Open(dir.Path, NodeModules.Migrations);
        Assert.Empty(new DeviceOwnerStore(store).All());
    }

    [Fact]
    public async Task DeviceOwner_WrongArity_PrintsUsage()
    {
        using var dir = new TempDir();
        var run = await Device(dir, "device", "owner", "plug1");
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("usage: device owner add|remove DEVICE JID", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeviceOwnerAddRemoveList_SayWhoOwnsTheDeviceAfterwards()
    {
        using var dir = new TempDir();
        Assert.Equal(0, (await CliRun.InvokeAsync(["user", "add", "bob@pi.example", $"--Node:DataDir={dir.Path}", "--Node:Domain=pi.example"], "pw-bob-12345\n")).ExitCode);

        var add = await Device(dir, "device", "owner", "add", "plug1", "bob@pi.example", "--Node:Admins=alice@pi.example");
        Assert.Equal(0, add.ExitCode);
        Assert.Contains("plug1 is now owned by bob@pi.example instead of the node's administrators", add.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("warning", add.Out, StringComparison.Ordinal);

        var second = await Device(dir, "device", "owner", "add", "plug1", "carol@pi.example");
        Assert.Contains("warning: there is no account carol@pi.example on this node", second.Out, StringComparison.Ordinal);
        Assert.Contains("plug1 is now owned by bob@pi.example, carol@pi.example", second.Out, StringComparison.Ordinal);

        var remove = await Device(dir, "device", "owner", "remove", "plug1", "bob@pi.example");
        Assert.Contains("bob@pi.example no longer owns plug1@pi.example", remove.Out, StringComparison.Ordinal);

        var list = await Device(dir, "device", "owner", "list");
        Assert.Equal("plug1  owned by carol@pi.example; not seen yet", list.Out.Trim());
        await Device(dir, "device", "owner", "remove", "plug1", "carol@pi.example");
        var back = await Device(dir, "device", "owner", "list", "plug1", "--Node:Admins=alice@pi.example");
        Assert.Equal("plug1  owned by the node's administrators (alice@pi.example); not seen yet", back.Out.Trim());
    }

    [Fact]
    public async Task DeviceList_ShowsOwnersAndWhenSeen()
    {
        using var dir = new TempDir();
        Assert.Equal(0, (await CliRun.InvokeAsync(["device", "add", "plug1", $"--Node:DataDir={dir.Path}", "--Node:Domain=pi.example"], "pw-plug1-device\n")).ExitCode);
        await Device(dir, "device", "owner", "add", "plug1", "bob@pi.example");
        using (var store = Store.Open(dir.Path, NodeModules.Migrations))
        {
            new DeviceOwnerStore(store).Seen("plug1", "Tasmota", "plug1", "plug1");
        }

        var list = await Device(dir, "device", "list");

        Assert.Matches(@"^plug1  owned by bob@pi\.example; seen as Tasmota plug1 at \d{4}-\d\d-\d\d \d\d:\d\d UTC$", list.Out.Trim());
    }
}
