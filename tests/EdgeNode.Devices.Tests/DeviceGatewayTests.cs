using EdgeNode.Core.Devices;

namespace EdgeNode.Devices.Tests;

public class DeviceGatewayTests
{
    [Fact]
    public void FiltersChanged_HaDiscoveryNamesStateTopics_RaisedOnceWithTheNewFilters()
    {
        var h = new Harness((r, l) => new HaDiscoveryAdapter(r, l));
        var raised = new List<IReadOnlyList<string>>();
        h.Gateway.FiltersChanged += () => raised.Add(h.Gateway.SubscriptionFilters);

        h.Send("homeassistant/switch/heater/relay/config", """{"stat_t":"heater/relay/state","cmd_t":"heater/relay/set","avty_t":"heater/status","dev":{"ids":"heater-01"}}""", retained: true);
        // The same config again names nothing new.
        h.Send("homeassistant/switch/heater/relay/config", """{"stat_t":"heater/relay/state","cmd_t":"heater/relay/set","avty_t":"heater/status","dev":{"ids":"heater-01"}}""", retained: true);

        var filters = Assert.Single(raised);
        Assert.Contains("heater/relay/state", filters);
        Assert.Contains("heater/status", filters);

        h.Send("homeassistant/switch/heater/relay/config", "", retained: true);
        Assert.Equal(2, raised.Count);
        Assert.DoesNotContain("heater/relay/state", h.Gateway.SubscriptionFilters);
    }

    [Fact]
    public void Subscribe_IncludeExisting_StartsWithTheDevicesDeclaredBefore()
    {
        var log = new ListLogger();
        var profiles = ProfileAdapter.Load(RepoPaths.FirmwareConfig("profiles/garage.json"), log);
        var registry = new DeviceRegistry(_ => false);
        _ = new ProfileAdapter(registry, log, profiles);

        using var late = registry.Subscribe();
        using var complete = registry.Subscribe(includeExisting: true);

        Assert.False(late.Reader.TryRead(out _));
        Assert.True(complete.Reader.TryRead(out var change));
        Assert.Equal((DeviceChangeKind.Added, "garage"), (change.Kind, change.Device.Localpart));
        Assert.Equal(4, change.Device.Capabilities.Count);
        Assert.False(complete.Reader.TryRead(out _));
    }
}
