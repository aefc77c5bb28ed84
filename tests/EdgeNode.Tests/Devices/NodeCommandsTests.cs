using EdgeNode.Core.Devices;
using EdgeNode.Core.Storage;
using EdgeNode.Devices.Participants;
using EdgeNode.Devices.Wiring;
using EdgeNode.Modules;
using EdgeNode.Mqtt.Auth;

namespace EdgeNode.Tests.Devices;

public sealed class NodeCommandsTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly Store _store;
    private readonly DeviceOwnerStore _owners;
    private readonly MqttDeviceStore _mqtt;
    private readonly DeviceRegistry _registry = new(_ => false);
    private readonly NodeCommands _commands;

    public NodeCommandsTests()
    {
        _store = Store.Open(_dir.Path, NodeModules.Migrations);
        _owners = new DeviceOwnerStore(_store);
        _mqtt = new MqttDeviceStore(_store);
        _commands = new NodeCommands(_owners, _mqtt, _registry, "pi.example", () => "the status");
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
    [InlineData("allow ghost publish x/#", "there is no MQTT device account ghost")]
    [InlineData("dance", "'dance' is not a node command")]
    public void Execute_BadCommand_ExplainsAndStoresNothing(string text, string expected)
    {
        Assert.Contains(expected, _commands.Execute(text), StringComparison.Ordinal);
        Assert.Empty(_owners.All());
    }

    [Fact]
    public void Execute_AllowAndDisallow_ChangeTheDeviceAccountsGrants()
    {
        _mqtt.Add("plug1", "pw-plug1-device", iterations: 4096);

        Assert.Equal("device plug1 may now both extra/# (from its next connection)", _commands.Execute("allow plug1 both extra/#"));
        Assert.Equal("device plug1 already may publish extra/#", _commands.Execute("allow plug1 publish extra/#"));
        Assert.Equal(2, _mqtt.Grants("plug1").Count);
        Assert.Equal("device plug1 may no longer subscribe extra/# (from its next connection)", _commands.Execute("disallow plug1 subscribe extra/#"));
        Assert.Equal([(MqttAccessKind.Publish, "extra/#")], _mqtt.Grants("plug1"));
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
}
