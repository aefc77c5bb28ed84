using EdgeNode.Core.Devices;
using Microsoft.Extensions.Time.Testing;

namespace EdgeNode.Devices.Tests;

/// <summary>Issue 14, finding 3: a discovery flood is capped before the registry, and so before any roster or Matrix work.</summary>
public class DeviceAdmissionTests
{
    private static (Harness Harness, FakeTimeProvider Clock) Ha(DeviceLimits limits, params string[] accounts)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));
        var access = new TemplateTopicAccess(accounts);
        var h = new Harness((r, l) => new HaDiscoveryAdapter(r, l) { TopicAccess = access, Admission = new DeviceAdmission(r, limits, l, clock) }, access: access);
        return (h, clock);
    }

    private static string Config(string name) => $$"""{"name":"{{name}}","command_topic":"{{name}}/set"}""";

    [Fact]
    public void TryAdmit_BridgeAnnounces100Devices_OnlyTheCapAddedAndAnotherAccountStillAppears()
    {
        var (h, _) = Ha(new DeviceLimits { MaxPerBridge = 10 }, "plug9");
        using var watcher = h.Registry.Subscribe();

        for (var i = 0; i < 100; i++) h.Send($"homeassistant/switch/fake{i}/config", Config($"fake{i}"));
        h.Send("homeassistant/switch/plug9/config", Config("plug9"));

        var added = new List<string>();
        while (watcher.Reader.TryRead(out var change)) if (change.Kind == DeviceChangeKind.Added) added.Add(change.Device.Localpart);
        Assert.Equal([.. Enumerable.Range(0, 10).Select(i => $"fake{i}"), "plug9"], added);
        Assert.Equal(11, h.Registry.All.Count);
        Assert.Single(h.Log.Entries, e => e.Id.Id == DeviceEventIds.DeviceRefused);
    }

    [Fact]
    public void TryAdmit_NodeFull_EvenAnAccountsFirstDeviceIgnored()
    {
        var (h, _) = Ha(new DeviceLimits { MaxPerNode = 3 }, "plug9");

        for (var i = 0; i < 5; i++) h.Send($"homeassistant/switch/fake{i}/config", Config($"fake{i}"));
        h.Send("homeassistant/switch/plug9/config", Config("plug9"));

        Assert.Equal(3, h.Registry.All.Count);
        Assert.Null(h.Registry.FindByLocalpart("plug9"));
    }

    [Fact]
    public void TryAdmit_AccountChurnsItsDevice_NewPerMinuteThenAllowedAfterTheMinute()
    {
        var (h, clock) = Ha(new DeviceLimits { NewPerMinute = 2 }, "evil");

        for (var i = 0; i < 3; i++)
        {
            h.Send("homeassistant/switch/evil/config", Config("evil"));
            Assert.Equal(i < 2, h.Registry.FindByLocalpart("evil") is not null);
            h.Send("homeassistant/switch/evil/config", "");
        }
        clock.Advance(TimeSpan.FromMinutes(1));
        h.Send("homeassistant/switch/evil/config", Config("evil"));

        Assert.NotNull(h.Registry.FindByLocalpart("evil"));
        Assert.Single(h.Log.Entries, e => e.Id.Id == DeviceEventIds.DeviceRefused);
    }

    [Fact]
    public void TryAdmit_DeviceAccountOverMaxPerAccount_Refused()
    {
        var registry = new DeviceRegistry(_ => false);
        var log = new ListLogger();
        var admission = new DeviceAdmission(registry, new DeviceLimits { MaxPerAccount = 2 }, log, new FakeTimeProvider(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero)));
        var admitted = new List<bool>();
        for (var i = 0; i < 3; i++)
        {
            var key = new DeviceKey(DeviceConvention.HomeAssistant, $"d{i}");
            admitted.Add(admission.TryAdmit(DeviceConvention.HomeAssistant, key, "evil"));
            if (admitted[^1]) registry.Ensure(key, $"d{i}");
        }

        Assert.Equal([true, true, false], admitted);
        Assert.True(admission.TryAdmit(DeviceConvention.HomeAssistant, new DeviceKey(DeviceConvention.HomeAssistant, "other"), "plug9"));
    }
}
