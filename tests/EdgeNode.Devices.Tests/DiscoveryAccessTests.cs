using EdgeNode.Core.Devices;

namespace EdgeNode.Devices.Tests;

/// <summary>Issue 14, finding 2: discovery from a device account stays within that account's name and topics.</summary>
public class DiscoveryAccessTests
{
    private static Harness Ha(TemplateTopicAccess access) =>
        new((r, l) => new HaDiscoveryAdapter(r, l) { TopicAccess = access }, access: access);

    [Fact]
    public void HandleConfig_CommandTopicOfAnotherDevice_NoDeviceAndLogged()
    {
        var h = Ha(new TemplateTopicAccess("evil", "plug2"));

        var understood = h.Send("homeassistant/switch/evil/config", """{"name":"x","command_topic":"cmnd/plug2/POWER","dev":{"ids":"e1","name":"evil"}}""");

        Assert.Equal(0, understood);
        Assert.Empty(h.Registry.All);
        Assert.Contains(h.Log.Entries, e => e.Id.Id == DeviceEventIds.TopicOutsideAccess && e.Message.Contains("cmnd/plug2/POWER", StringComparison.Ordinal));
    }

    [Fact]
    public void HandleConfig_StateTopicOfAnotherDevice_NoDevice()
    {
        var h = Ha(new TemplateTopicAccess("evil", "plug2"));

        h.Send("homeassistant/sensor/evil/config", """{"name":"x","state_topic":"tele/plug2/SENSOR","dev":{"ids":"e1"}}""");

        Assert.Empty(h.Registry.All);
    }

    [Fact]
    public void HandleConfig_PayloadNamesAnotherDevice_AddressIsTheAnnouncingAccount()
    {
        var h = Ha(new TemplateTopicAccess("evil", "plug2"));

        h.Send("homeassistant/switch/evil/config", """{"name":"x","command_topic":"cmnd/evil/POWER","dev":{"ids":"plug2","name":"plug2"}}""");

        var device = Assert.Single(h.Registry.All);
        Assert.Equal(("evil", "plug2"), (device.Localpart, device.DisplayName));
        Assert.Equal("cmnd/evil/POWER", h.Command("evil", "on").Topic);
    }

    [Fact]
    public void HandleConfig_AnotherAccountsDeviceIdentifier_DoesNotJoinThatDevice()
    {
        var h = Ha(new TemplateTopicAccess("evil", "plug2"));
        h.Send("homeassistant/switch/plug2/config", """{"name":"p","command_topic":"cmnd/plug2/POWER","dev":{"ids":"hw-2"}}""");

        h.Send("homeassistant/light/evil/config", """{"name":"l","command_topic":"cmnd/evil/LIGHT","dev":{"ids":"hw-2"}}""");

        Assert.Equal(["plug2"], h.Device("plug2").Capabilities.Select(c => c.Id));
        Assert.Equal(["evil"], h.Device("evil").Capabilities.Select(c => c.Id));
        Assert.Equal("cmnd/plug2/POWER", h.Command("plug2", "on").Topic);
    }

    [Fact]
    public void HandleConfig_TrustedPublisherUnderAnotherName_KeepsItsTopics()
    {
        // "heater" is no device account: only a loopback client, the upstream bridge or an admin-granted bridge can write there.
        var h = Ha(new TemplateTopicAccess("evil"));

        h.Send("homeassistant/switch/heater/relay/config", """{"cmd_t":"zigbee2mqtt/heater/set","dev":{"ids":"heater-01","name":"Heater"}}""");

        Assert.Equal("zigbee2mqtt/heater/set", h.Command("heater", "on").Topic);
    }

    [Fact]
    public void Translate_GrantWithdrawnAfterDiscovery_RefusedAndLogged()
    {
        var access = new TemplateTopicAccess("evil");
        access.Grants.Add(("evil", "cmnd/plug2/#"));
        var h = Ha(access);
        h.Send("homeassistant/switch/evil/config", """{"name":"x","command_topic":"cmnd/plug2/POWER"}""");
        var device = h.Device("evil");
        access.Grants.Clear();

        var parsed = CommandParser.Parse("on", device);
        Assert.True(parsed.Success, parsed.Error);

        var translation = h.Gateway.Translate(device, parsed.Command!);

        Assert.False(translation.Success);
        Assert.Empty(translation.Publications);
        Assert.Contains(h.Log.Entries, e => e.Id.Id == DeviceEventIds.CommandOutsideAccess);
    }

    [Fact]
    public void HandleDiscovery_EspHomePrefixOfAnotherDevice_NoDevice()
    {
        var access = new TemplateTopicAccess("evil", "plug2");
        var h = new Harness((r, l) => new EspHomeAdapter(r, l) { TopicAccess = access }, access: access);

        h.Send("homeassistant/switch/evil/relay/config",
            """{"name":"Relay","stat_t":"plug2/switch/relay/state","cmd_t":"plug2/switch/relay/command","o":{"name":"esphome"}}""");

        Assert.Empty(h.Registry.All);
        Assert.Contains(h.Log.Entries, e => e.Id.Id == DeviceEventIds.TopicOutsideAccess);
    }

    [Fact]
    public void HandleDiscovery_EspHomeOwnPrefix_DeviceFound()
    {
        var access = new TemplateTopicAccess("kitchen");
        var h = new Harness((r, l) => new EspHomeAdapter(r, l) { TopicAccess = access }, access: access);

        h.Send("homeassistant/switch/kitchen/relay/config",
            """{"name":"Relay","stat_t":"kitchen/switch/relay/state","cmd_t":"kitchen/switch/relay/command","o":{"name":"esphome"}}""");

        Assert.Equal("kitchen/switch/relay/command", h.Command("kitchen", "on").Topic);
    }
}
