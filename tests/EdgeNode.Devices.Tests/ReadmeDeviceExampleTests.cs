using EdgeNode.Core.Devices;

namespace EdgeNode.Devices.Tests;

/// <summary>
/// README's device conversation is what the node answers: the block after "device-chat-example" is replayed with the
/// same Tasmota traffic, parser, tracker and texts the wiring uses, on a clock the test moves.
/// </summary>
public class ReadmeDeviceExampleTests
{
    private const string Marker = "<!-- device-chat-example: tasmota-plug.replay -->";

    [Fact]
    public void ReadmeChatExample_MatchesTheNodesAnswers()
    {
        var exchanges = ReadExample();
        Assert.Equal(["status", "toggle", "set brightness 40", "turn on please"], exchanges.Select(e => e.Input));

        var h = new Harness((registry, log) => new TasmotaAdapter(registry, log));
        var replay = MqttReplay.Load(RepoPaths.Replay("tasmota-plug.replay"));
        using var changes = h.Registry.Subscribe();
        var tracker = new PendingCommandTracker(h.Clock);
        h.Play(replay.Section("discovery"));
        h.Play(replay.Section("telemetry"));

        h.Clock.Advance(TimeSpan.FromSeconds(28));
        Assert.Equal(exchanges[0].Answer, Answer(h, tracker, changes, "status", () => { }));
        Assert.Equal(exchanges[1].Answer, Answer(h, tracker, changes, "toggle", () => h.Play(replay.Section("echo"))));
        Assert.Equal(exchanges[2].Answer, Answer(h, tracker, changes, "set brightness 40", () => { }));

        h.Clock.SetUtcNow(new DateTimeOffset(2025, 3, 1, 12, 6, 0, TimeSpan.Zero));
        h.Play(replay.Section("offline"));
        h.Clock.Advance(TimeSpan.FromMinutes(3));
        Assert.Equal(exchanges[3].Answer, Answer(h, tracker, changes, "turn on please", () => { }));
    }

    // The order of DeviceChatService.Command: parse, help and status from the last state, offline at once, else
    // publish, then the tracker's answer once the device's echo arrived.
    private static string Answer(Harness h, PendingCommandTracker tracker, DeviceSubscription changes, string text, Action deviceAnswers)
    {
        var device = h.Device("plug1");
        var parsed = CommandParser.Parse(text, device);
        if (!parsed.Success) return parsed.Error;
        if (parsed.Command.Action == CommandAction.Status) return DeviceTexts.StatusReport(device, h.Clock.GetUtcNow());
        if (device.Availability == DeviceAvailability.Offline) return DeviceTexts.Offline(device, h.Clock.GetUtcNow(), TimeZoneInfo.Utc);
        var translation = h.Gateway.Translate(device, parsed.Command);
        Assert.True(translation.Success, translation.Error);
        while (changes.Reader.TryRead(out _)) { }
        var pending = tracker.Track(device, parsed.Command, TimeSpan.FromSeconds(5));
        deviceAnswers();
        while (changes.Reader.TryRead(out var change)) tracker.Observe(change);
        Assert.True(pending.Completion.IsCompleted, "the device's echo did not answer " + text);
        return pending.Completion.Result.Text;
    }

    private static List<(string Input, string Answer)> ReadExample()
    {
        var lines = File.ReadAllLines(Path.Combine(RepoPaths.Root, "README.md"));
        var start = Array.IndexOf(lines, Marker);
        Assert.True(start >= 0, "README has no " + Marker);
        Assert.Equal("```text", lines[start + 1]);
        var exchanges = new List<(string Input, List<string> Answer)>();
        for (var i = start + 2; lines[i] != "```"; i++)
        {
            if (lines[i].StartsWith("> ", StringComparison.Ordinal)) exchanges.Add((lines[i][2..], []));
            else exchanges[^1].Answer.Add(lines[i]);
        }
        return [.. exchanges.Select(e => (e.Input, string.Join('\n', e.Answer)))];
    }
}
