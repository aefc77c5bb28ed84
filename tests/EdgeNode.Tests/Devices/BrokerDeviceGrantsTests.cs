using EdgeNode.Core.Devices;
using EdgeNode.Core.Storage;
using EdgeNode.Devices.Participants;
using EdgeNode.Devices.Wiring;
using EdgeNode.Modules;
using EdgeNode.Mqtt.Auth;

namespace EdgeNode.Tests.Devices;

/// <summary>The node participant's allow and disallow commands on the broker's real device accounts.</summary>
public sealed class BrokerDeviceGrantsTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly Store _store;
    private readonly MqttDeviceStore _mqtt;
    private readonly NodeCommands _commands;

    public BrokerDeviceGrantsTests()
    {
        _store = Store.Open(_dir.Path, NodeModules.Migrations);
        _mqtt = new MqttDeviceStore(_store);
        _commands = new NodeCommands(new DeviceOwnerStore(_store), new BrokerDeviceGrants(_mqtt), new DeviceRegistry(_ => false),
            "pi.example", () => "the status");
    }

    public void Dispose()
    {
        _store.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public void AllowAndDisallow_ChangeTheDeviceAccountsGrants()
    {
        _mqtt.Add("plug1", "pw-plug1-device", iterations: 4096);

        Assert.Equal("device plug1 may now both extra/# (from its next connection)", _commands.Execute("allow plug1 both extra/#"));
        Assert.Equal("device plug1 already may publish extra/#", _commands.Execute("allow plug1 publish extra/#"));
        Assert.Equal(2, _mqtt.Grants("plug1").Count);
        Assert.Equal("device plug1 may no longer subscribe extra/# (from its next connection)", _commands.Execute("disallow plug1 subscribe extra/#"));
        Assert.Equal([(MqttAccessKind.Publish, "extra/#")], _mqtt.Grants("plug1"));
    }

    [Theory]
    [InlineData("allow plug1 publish x/#/y", "'x/#/y' is not a topic filter")]
    [InlineData("allow plug1 subscribe $share/g/x", "'$share/g/x' is not a topic filter")]
    [InlineData("allow Plug1 publish x/#", "'Plug1' is not a valid device name: a device name starts with a lower-case letter or a digit")]
    [InlineData("allow ghost publish x/#", "there is no MQTT device account ghost")]
    public void BadGrant_ExplainsAndStoresNothing(string text, string expected)
    {
        _mqtt.Add("plug1", "pw-plug1-device", iterations: 4096);

        Assert.Contains(expected, _commands.Execute(text), StringComparison.Ordinal);
        Assert.Empty(_mqtt.Grants("plug1"));
    }
}
