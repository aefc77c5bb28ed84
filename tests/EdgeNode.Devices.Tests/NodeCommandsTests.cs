using EdgeNode.Core.Devices;
using EdgeNode.Core.Storage;
using EdgeNode.Core.Tests;
using EdgeNode.Core.Topics;
using EdgeNode.Devices.Participants;

namespace EdgeNode.Devices.Tests;

public sealed class NodeCommandsTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly Store _store;
    private readonly DeviceOwnerStore _owners;
    private readonly MemoryGrants _grants = new();
    private readonly DeviceRegistry _registry = new(_ => false);
    private readonly NodeCommands _commands;

    public NodeCommandsTests()
    {
        _store = Store.Open(_dir.Path, CoreMigrations.Set, DeviceMigrations.Set);
        _owners = new DeviceOwnerStore(_store);
        _commands = new NodeCommands(_owners, _grants, _registry, "pi.example", () => "the status");
    }

    public void Dispose()
    {
        _store.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public void Execute_Owner_StoresLikeTheCommandLineVerb()
    {
        _owners.Seen("plug1", "Tasmota", "plug1", "plug1");

        Assert.Equal("carol@pi.example now owns plug1@pi.example", _commands.Execute("owner Plug1 Carol@pi.example"));
        Assert.Equal("carol@pi.example already owns plug1@pi.example", _commands.Execute("owner plug1@pi.example carol@pi.example"));
        Assert.Equal(["carol@pi.example"], _owners.All()["plug1"]);

        Assert.Equal("carol@pi.example no longer owns plug1@pi.example", _commands.Execute("disown plug1 carol@pi.example"));
        Assert.Empty(_owners.All());
    }

    [Fact]
    public void Execute_OwnerOfUnseenDevice_SaysItAppliesLater()
    {
        var answer = _commands.Execute("owner lamp dave@pi.example");

        Assert.StartsWith("dave@pi.example now owns lamp@pi.example\nnote: no device lamp has been seen yet", answer, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("owner plug1", "usage: owner DEVICE JID")]
    [InlineData("owner plug%1 carol@pi.example", "'plug%1' is not a device name")]
    [InlineData("owner plug1@elsewhere.example carol@pi.example", "is not a device of this node")]
    [InlineData("owner plug1 carol@pi.example/phone", "'carol@pi.example/phone' is not a bare address")]
    [InlineData("allow plug1 read x/#", "'read' is not publish, subscribe or both")]
    [InlineData("allow plug1 publish x/#/y", "'x/#/y' is not a topic filter")]
    [InlineData("allow Plug/1 publish x/#", "'Plug/1' is not a valid device name: no slash")]
    [InlineData("allow ghost publish x/#", "there is no MQTT device account ghost")]
    [InlineData("dance", "'dance' is not a node command")]
    public void Execute_BadCommand_ExplainsAndStoresNothing(string text, string expected)
    {
        Assert.Contains(expected, _commands.Execute(text), StringComparison.Ordinal);
        Assert.Empty(_owners.All());
        Assert.Empty(_grants.Granted);
    }

    [Fact]
    public void Execute_AllowAndDisallow_ChangeTheDeviceAccountsGrants()
    {
        _grants.Accounts.Add("plug1");

        Assert.Equal("device plug1 may now both extra/# (from its next connection)", _commands.Execute("allow plug1 both extra/#"));
        Assert.Equal("device plug1 already may publish extra/#", _commands.Execute("allow plug1 publish extra/#"));
        Assert.Equal(2, _grants.Granted.Count);
        Assert.Equal("device plug1 may no longer subscribe extra/# (from its next connection)", _commands.Execute("disallow plug1 subscribe extra/#"));
        Assert.Equal("device plug1 had no grant to subscribe extra/#", _commands.Execute("disallow plug1 subscribe extra/#"));
        Assert.Equal([("plug1", TopicDirection.Publish, "extra/#")], _grants.Granted);
    }

    [Fact]
    public void Execute_StatusDevicesAndHelp_Answer()
    {
        var key = new DeviceKey(DeviceConvention.Tasmota, "plug1");
        _registry.Ensure(key, "plug1");
        _registry.SetAvailability(key, DeviceAvailability.Online);

        Assert.Equal("the status", _commands.Execute("Status"));
        Assert.Equal("plug1@pi.example (Tasmota, online): owned by nobody", _commands.Execute("devices"));
        Assert.StartsWith("The node understands:\nstatus:", _commands.Execute("help"), StringComparison.Ordinal);
    }

    // Device accounts and their grants in memory, with simple rules for names and filters: the broker's own rules are
    // tested with the broker's adapter in the executable's tests.
    private sealed class MemoryGrants : IDeviceAccountGrants
    {
        public HashSet<string> Accounts { get; } = [];

        public List<(string Account, TopicDirection Direction, string Filter)> Granted { get; } = [];

        public string? NameProblem(string name) => name.Contains('/', StringComparison.Ordinal) ? "no slash" : null;

        public bool IsGrantable(string filter) => !filter.Contains("#/", StringComparison.Ordinal);

        public GrantChange Change(string account, TopicDirection direction, string filter, bool allow)
        {
            if (!Accounts.Contains(account)) return GrantChange.NoSuchAccount;
            var grant = (account, direction, filter);
            if (allow == Granted.Contains(grant)) return GrantChange.Unchanged;
            if (allow) Granted.Add(grant);
            else Granted.Remove(grant);
            return GrantChange.Changed;
        }
    }
}
