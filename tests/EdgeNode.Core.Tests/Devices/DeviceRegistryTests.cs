using EdgeNode.Core.Addressing;
using EdgeNode.Core.Devices;
using Microsoft.Extensions.Time.Testing;

namespace EdgeNode.Core.Tests.Devices;

public class DeviceRegistryTests
{
    private static readonly DeviceKey Plug = new(DeviceConvention.Tasmota, "plug1");

    [Fact]
    public void Ensure_NewDevice_AssignsSanitisedAddressAndNotifies()
    {
        var registry = new DeviceRegistry(_ => false);
        using var subscription = registry.Subscribe();

        var device = registry.Ensure(new DeviceKey(DeviceConvention.Zigbee2Mqtt, "0x01"), "Living Room Lamp");

        Assert.Equal("living-room-lamp", device.Localpart);
        Assert.Equal("Living Room Lamp", device.DisplayName);
        Assert.Equal(DeviceAvailability.Unknown, device.Availability);
        Assert.True(subscription.Reader.TryRead(out var change));
        Assert.Equal(DeviceChangeKind.Added, change.Kind);
        Assert.Same(device, registry.FindByLocalpart("Living-Room-Lamp"));
    }

    [Fact]
    public void Ensure_Twice_ReturnsSameDeviceWithoutSecondNotification()
    {
        var registry = new DeviceRegistry(_ => false);
        var first = registry.Ensure(Plug, "plug1");
        using var subscription = registry.Subscribe();

        var second = registry.Ensure(Plug, "plug1");

        Assert.Same(first, second);
        Assert.False(subscription.Reader.TryRead(out _));
    }

    [Fact]
    public void Ensure_NameOfUserAccount_UserWinsAndDeviceIsRenamed()
    {
        var registry = new DeviceRegistry(local => local == "alice");

        var device = registry.Ensure(new DeviceKey(DeviceConvention.Homie, "alice"), "alice");

        Assert.Equal("alice-device", device.Localpart);
        Assert.Equal("alice", device.PreferredLocalpart);
        Assert.Equal(AddressClash.UserAccount, device.Clash);
        Assert.Single(registry.UserClashes());
        Assert.Null(registry.FindByLocalpart("alice"));
    }

    [Fact]
    public void Ensure_SameNameFromTwoConventions_SecondGetsNumberSuffix()
    {
        var registry = new DeviceRegistry(_ => false);

        var tasmota = registry.Ensure(new DeviceKey(DeviceConvention.Tasmota, "lamp"), "lamp");
        var zigbee = registry.Ensure(new DeviceKey(DeviceConvention.Zigbee2Mqtt, "0x02"), "Lamp");

        Assert.Equal("lamp", tasmota.Localpart);
        Assert.Equal("lamp-2", zigbee.Localpart);
        Assert.Equal(AddressClash.OtherDevice, zigbee.Clash);
        Assert.Empty(registry.UserClashes());
    }

    [Fact]
    public void ReconcileUserAccounts_AccountCreatedLater_RenamesDeviceAndNotifies()
    {
        var users = new HashSet<string>();
        var registry = new DeviceRegistry(users.Contains);
        registry.Ensure(Plug, "plug1");
        using var subscription = registry.Subscribe();
        users.Add("plug1");

        var renamed = registry.ReconcileUserAccounts();

        var device = Assert.Single(renamed);
        Assert.Equal("plug1-device", device.Localpart);
        Assert.True(subscription.Reader.TryRead(out var change));
        Assert.Equal(DeviceChangeKind.Renamed, change.Kind);
        Assert.Equal("plug1", change.Previous!.Localpart);
        Assert.Same(device, registry.FindByLocalpart("plug1-device"));
        Assert.Null(registry.FindByLocalpart("plug1"));
    }

    [Fact]
    public void Report_Readings_StoresWithClockTimeAndNotifiesAll()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));
        var registry = new DeviceRegistry(_ => false, clock);
        registry.Ensure(Plug, "plug1");
        using var subscription = registry.Subscribe();

        registry.Report(Plug, new ReadingUpdate("power", ReadingValue.Of(true)), new ReadingUpdate("energy-power", ReadingValue.Of(12.5)));

        var device = registry.Find(Plug)!;
        Assert.Equal(true, device.ReadingOf("power")!.Value.Flag);
        Assert.Equal(12.5, device.ReadingOf("energy-power")!.Value.Number);
        Assert.Equal(clock.GetUtcNow(), device.LastSeen);
        Assert.True(subscription.Reader.TryRead(out var change));
        Assert.Equal(DeviceChangeKind.Readings, change.Kind);
        Assert.Equal(2, change.Readings.Count);
    }

    [Fact]
    public void Report_UnknownDevice_ReturnsFalse()
    {
        var registry = new DeviceRegistry(_ => false);

        Assert.False(registry.Report(Plug, new ReadingUpdate("power", ReadingValue.Of(true))));
        Assert.Empty(registry.All);
    }

    [Fact]
    public void SetAvailability_Unchanged_DoesNotNotify()
    {
        var registry = new DeviceRegistry(_ => false);
        registry.Ensure(Plug, "plug1");
        registry.SetAvailability(Plug, DeviceAvailability.Online);
        using var subscription = registry.Subscribe();

        Assert.False(registry.SetAvailability(Plug, DeviceAvailability.Online));
        Assert.True(registry.SetAvailability(Plug, DeviceAvailability.Offline));

        Assert.True(subscription.Reader.TryRead(out var change));
        Assert.Equal(DeviceAvailability.Offline, change.Device.Availability);
        Assert.False(subscription.Reader.TryRead(out _));
    }

    [Fact]
    public void UpsertCapability_SameIdTwice_ReplacesInPlace()
    {
        var registry = new DeviceRegistry(_ => false);
        registry.Ensure(Plug, "plug1");

        registry.UpsertCapability(Plug, new Capability("power", CapabilityKind.Switch));
        registry.UpsertCapability(Plug, new Capability("power", CapabilityKind.Light) { HasBrightness = true });

        var capability = Assert.Single(registry.Find(Plug)!.Capabilities);
        Assert.Equal(CapabilityKind.Light, capability.Kind);
    }

    [Fact]
    public void SetInfo_PartialDescription_KeepsEarlierFields()
    {
        var registry = new DeviceRegistry(_ => false);
        registry.Ensure(Plug, "plug1");

        registry.SetInfo(Plug, new DeviceInfo(Model: "Sonoff S31", Firmware: "13.2.0"));
        registry.SetInfo(Plug, new DeviceInfo(Firmware: "14.0.0"));

        Assert.Equal(new DeviceInfo("Sonoff S31", null, "14.0.0"), registry.Find(Plug)!.Info);
    }

    [Fact]
    public void Ensure_DefaultAccess_GivesDevicesToAdministrators()
    {
        var admin = Jid.Parse("admin@pi.example");
        var registry = new DeviceRegistry(_ => false, defaultAccess: () => DeviceAccess.OwnedBy([admin]));

        var device = registry.Ensure(Plug, "plug1");

        Assert.Equal([admin], device.Access.Owners);
    }

    [Fact]
    public void Remove_Device_FreesAddressAndNotifies()
    {
        var registry = new DeviceRegistry(_ => false);
        registry.Ensure(Plug, "plug1");
        using var subscription = registry.Subscribe();

        Assert.True(registry.Remove(Plug));

        Assert.Null(registry.FindByLocalpart("plug1"));
        Assert.True(subscription.Reader.TryRead(out var change));
        Assert.Equal(DeviceChangeKind.Removed, change.Kind);
    }

    [Fact]
    public void Subscribe_SlowSubscriber_ReadingsMergeNewestWins()
    {
        var registry = new DeviceRegistry(_ => false);
        registry.Ensure(Plug, "plug1");
        using var subscription = registry.Subscribe();

        for (var i = 0; i < 10; i++) registry.Report(Plug, new ReadingUpdate("n", ReadingValue.Of(i)));
        registry.Report(Plug, new ReadingUpdate("m", ReadingValue.Of(true)));

        Assert.True(subscription.Reader.TryRead(out var merged));
        Assert.False(subscription.Reader.TryRead(out _));
        Assert.Equal(DeviceChangeKind.Readings, merged.Kind);
        Assert.Equal(["n", "m"], merged.Readings.Select(r => r.Key));
        Assert.Equal(9, merged.Readings[0].Value.Number);
        Assert.Equal(10, subscription.MergedReadings);
    }

    [Fact]
    public void Subscribe_SlowSubscriber_NeverLosesADeviceOrReordersAcrossOtherChanges()
    {
        var registry = new DeviceRegistry(_ => false);
        using var subscription = registry.Subscribe();
        var keys = Enumerable.Range(0, 3000).Select(i => new DeviceKey(DeviceConvention.Tasmota, "plug" + i)).ToArray();
        foreach (var key in keys)
        {
            registry.Ensure(key, key.NativeId);
            registry.Report(key, new ReadingUpdate("n", ReadingValue.Of(1)));
        }
        registry.Report(keys[0], new ReadingUpdate("n", ReadingValue.Of(2)));
        registry.SetAvailability(keys[0], DeviceAvailability.Sleeping);
        registry.Report(keys[0], new ReadingUpdate("n", ReadingValue.Of(3)));

        var changes = new List<DeviceChange>();
        while (subscription.Reader.TryRead(out var change)) changes.Add(change);
        Assert.Equal(3000, changes.Count(c => c.Kind == DeviceChangeKind.Added));
        var first = changes.Where(c => c.Device.Key == keys[0]).Select(c => (c.Kind, c.Readings.FirstOrDefault()?.Value.Number)).ToArray();
        Assert.Equal([(DeviceChangeKind.Added, null), (DeviceChangeKind.Readings, 2), (DeviceChangeKind.Availability, null), (DeviceChangeKind.Readings, 3)], first);
    }

    [Fact]
    public void Dispose_Subscription_StopsDelivery()
    {
        var registry = new DeviceRegistry(_ => false);
        var subscription = registry.Subscribe();
        subscription.Dispose();

        registry.Ensure(Plug, "plug1");

        Assert.False(subscription.Reader.TryRead(out _));
        Assert.True(subscription.Reader.Completion.IsCompleted);
    }

    [Fact]
    public async Task Report_ConcurrentWriters_KeepsEveryDeviceConsistent()
    {
        var registry = new DeviceRegistry(_ => false);
        var tasks = Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 500; i++)
            {
                var key = new DeviceKey(DeviceConvention.Tasmota, "d" + (i % 20));
                registry.Ensure(key, key.NativeId);
                registry.Report(key, new ReadingUpdate("t" + t, ReadingValue.Of(i)));
            }
        }));

        await Task.WhenAll(tasks);

        Assert.Equal(20, registry.All.Count);
        Assert.All(registry.All, d => Assert.Equal(8, d.State.Count));
        Assert.Equal(20, registry.All.Select(d => d.Localpart).Distinct().Count());
    }

    [Fact]
    public void Report_LiveFromOfflineDevice_ShowsItOnlineAgain()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));
        var registry = new DeviceRegistry(_ => false, clock);
        registry.Ensure(Plug, "plug1");
        registry.SetAvailability(Plug, DeviceAvailability.Offline);
        using var subscription = registry.Subscribe();
        clock.Advance(TimeSpan.FromMinutes(3));

        registry.Report(Plug, new ReadingUpdate("power", ReadingValue.Of(true)));

        var device = registry.Find(Plug)!;
        Assert.Equal(DeviceAvailability.Online, device.Availability);
        Assert.Equal(clock.GetUtcNow(), device.AvailabilitySince);
        Assert.True(device.State.ContainsKey("power"));
        Assert.True(subscription.Reader.TryRead(out var first));
        Assert.Equal(DeviceChangeKind.Availability, first.Kind);
        Assert.True(subscription.Reader.TryRead(out var second));
        Assert.Equal(DeviceChangeKind.Readings, second.Kind);
    }

    [Fact]
    public void Report_ReplayedRetainedState_LeavesOfflineDeviceOffline()
    {
        var registry = new DeviceRegistry(_ => false);
        registry.Ensure(Plug, "plug1");
        registry.SetAvailability(Plug, DeviceAvailability.Offline);

        using (DeviceRegistry.ReplayingRetained()) registry.Report(Plug, new ReadingUpdate("power", ReadingValue.Of(true)));

        Assert.Equal(DeviceAvailability.Offline, registry.Find(Plug)!.Availability);
        registry.Report(Plug, new ReadingUpdate("power", ReadingValue.Of(true)));
        Assert.Equal(DeviceAvailability.Online, registry.Find(Plug)!.Availability);
    }
}
