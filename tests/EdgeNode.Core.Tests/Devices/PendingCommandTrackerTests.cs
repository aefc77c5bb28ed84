using EdgeNode.Core.Devices;
using Microsoft.Extensions.Time.Testing;

namespace EdgeNode.Core.Tests.Devices;

public class PendingCommandTrackerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    private static (DeviceRegistry Registry, DeviceSubscription Subscription, PendingCommandTracker Tracker, FakeTimeProvider Clock, Device Device) Setup()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));
        var registry = new DeviceRegistry(_ => false, clock);
        var device = registry.Ensure(new DeviceKey(DeviceConvention.Tasmota, "plug1"), "plug1");
        registry.UpsertCapability(device.Key, new Capability("power", CapabilityKind.Switch));
        registry.UpsertCapability(device.Key, new Capability("light", CapabilityKind.Light) { HasBrightness = true });
        var subscription = registry.Subscribe();
        return (registry, subscription, new PendingCommandTracker(clock), clock, registry.Find(device.Key)!);
    }

    private static int Pump(DeviceSubscription subscription, PendingCommandTracker tracker)
    {
        var completed = 0;
        while (subscription.Reader.TryRead(out var change)) completed += tracker.Observe(change);
        return completed;
    }

    [Fact]
    public async Task Observe_MatchingEcho_CompletesDone()
    {
        var (registry, subscription, tracker, _, device) = Setup();
        var pending = tracker.Track(device, new DeviceCommand(CommandAction.Off, "power"), Timeout);

        registry.Report(device.Key, new ReadingUpdate("power", ReadingValue.Of(false)));

        Assert.Equal(1, Pump(subscription, tracker));
        var outcome = await pending.Completion;
        Assert.Equal(new CommandOutcome(CommandOutcomeKind.Done, "done: off"), outcome);
        Assert.Equal(0, tracker.Count);
    }

    [Theory]
    [InlineData(true, "done: on")]
    [InlineData(false, "done: off")]
    public async Task Observe_ToggleEcho_AnswersTheNewState(bool reported, string expected)
    {
        var (registry, subscription, tracker, _, device) = Setup();
        var pending = tracker.Track(device, new DeviceCommand(CommandAction.Toggle, "power"), Timeout);

        registry.Report(device.Key, new ReadingUpdate("power", ReadingValue.Of(reported)));

        Assert.Equal(1, Pump(subscription, tracker));
        Assert.Equal(new CommandOutcome(CommandOutcomeKind.Done, expected), await pending.Completion);
    }

    [Fact]
    public void Observe_OppositeState_KeepsWaiting()
    {
        var (registry, subscription, tracker, _, device) = Setup();
        var pending = tracker.Track(device, new DeviceCommand(CommandAction.Off, "power"), Timeout);

        registry.Report(device.Key, new ReadingUpdate("power", ReadingValue.Of(true)));
        registry.Report(device.Key, new ReadingUpdate("light", ReadingValue.Of(false)));

        Assert.Equal(0, Pump(subscription, tracker));
        Assert.False(pending.Completion.IsCompleted);
    }

    [Fact]
    public async Task Track_NoEcho_TimesOutOnFakeClock()
    {
        var (_, _, tracker, clock, device) = Setup();
        var pending = tracker.Track(device, new DeviceCommand(CommandAction.On, "power"), Timeout);

        clock.Advance(TimeSpan.FromSeconds(4.9));
        Assert.False(pending.Completion.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(0.2));

        var outcome = await pending.Completion;
        Assert.Equal(new CommandOutcome(CommandOutcomeKind.TimedOut, "no answer from plug1 after 5 s"), outcome);
        Assert.Equal(0, tracker.Count);
    }

    [Fact]
    public async Task Observe_BrightnessWithinRounding_CompletesDone()
    {
        var (registry, subscription, tracker, clock, device) = Setup();
        var pending = tracker.Track(device, new DeviceCommand(CommandAction.Set, "light", ReadingAttributes.Brightness, ReadingValue.Of(40)), Timeout);

        registry.Report(device.Key, new ReadingUpdate("light", ReadingValue.Of(40.16), ReadingAttributes.Brightness));
        Pump(subscription, tracker);
        clock.Advance(Timeout * 2);

        Assert.Equal(CommandOutcomeKind.Done, (await pending.Completion).Kind);
    }

    [Fact]
    public async Task Observe_DeviceGoesOffline_CompletesLost()
    {
        var (registry, subscription, tracker, _, device) = Setup();
        var pending = tracker.Track(device, new DeviceCommand(CommandAction.Toggle, "power"), Timeout);

        registry.SetAvailability(device.Key, DeviceAvailability.Offline);
        Pump(subscription, tracker);

        Assert.Equal(new CommandOutcome(CommandOutcomeKind.Lost, "plug1 went offline before answering"), await pending.Completion);
    }

    [Fact]
    public async Task Observe_StatusCommand_AnyReadingAnswers()
    {
        var (registry, subscription, tracker, _, device) = Setup();
        var pending = tracker.Track(device, new DeviceCommand(CommandAction.Status), Timeout);

        registry.Report(device.Key, new ReadingUpdate("energy-power", ReadingValue.Of(3)));
        Pump(subscription, tracker);

        Assert.Equal(CommandOutcomeKind.Done, (await pending.Completion).Kind);
    }

    [Fact]
    public void Track_Press_CompletesAtOnce()
    {
        var (_, _, tracker, _, device) = Setup();

        var pending = tracker.Track(device, new DeviceCommand(CommandAction.Press, "bell"), Timeout);

        Assert.True(pending.Completion.IsCompletedSuccessfully);
        Assert.Equal(0, tracker.Count);
    }

    [Fact]
    public void Observe_OtherDevice_IsIgnored()
    {
        var (registry, subscription, tracker, _, device) = Setup();
        var other = registry.Ensure(new DeviceKey(DeviceConvention.Tasmota, "plug2"), "plug2");
        var pending = tracker.Track(device, new DeviceCommand(CommandAction.On, "power"), Timeout);

        registry.Report(other.Key, new ReadingUpdate("power", ReadingValue.Of(true)));
        Pump(subscription, tracker);

        Assert.False(pending.Completion.IsCompleted);
    }
}
