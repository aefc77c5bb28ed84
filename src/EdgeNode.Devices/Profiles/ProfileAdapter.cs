using System.Text;
using System.Text.Json;
using EdgeNode.Core.Devices;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Devices;

/// <summary>
/// Devices declared by hand in a profile file. They are registered at once (availability unknown until their
/// availability topic speaks, or online at their first state message when they have none).
/// </summary>
public sealed class ProfileAdapter : ConventionAdapter
{
    private readonly Dictionary<string, DeviceProfile> _profiles = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<(DeviceProfile Profile, ProfileCapability? Capability)>> _byTopic = new(StringComparer.Ordinal);

    public ProfileAdapter(DeviceRegistry registry, ILogger logger, IEnumerable<DeviceProfile> profiles) : base(registry, logger)
    {
        foreach (var profile in profiles)
        {
            _profiles[profile.Id] = profile;
            var key = EnsureDevice(profile.Id, profile.Id, profile.Name).Key;
            Registry.SetInfo(key, profile.Info);
            foreach (var c in profile.Capabilities)
            {
                Registry.UpsertCapability(key, c.Capability);
                if (c.StateTopic is { } topic) Index(topic, profile, c);
            }
            if (profile.Availability is { } availability) Index(availability.Topic, profile, null);
        }
        SubscriptionFilters = [.. _byTopic.Keys];
    }

    /// <summary>Reads a profile file and logs each problem in it.</summary>
    public static IReadOnlyList<DeviceProfile> Load(string path, ILogger logger)
    {
        var problems = new List<string>();
        var profiles = DeviceProfileReader.Read(File.ReadAllBytes(path), problems);
        foreach (var problem in problems) logger.ProfileProblem(path, problem);
        return profiles;
    }

    public override DeviceConvention Convention => DeviceConvention.Profile;

    public override IReadOnlyList<string> SubscriptionFilters { get; }

    private void Index(string topic, DeviceProfile profile, ProfileCapability? capability)
    {
        if (!_byTopic.TryGetValue(topic, out var list)) _byTopic[topic] = list = [];
        list.Add((profile, capability));
    }

    protected override bool HandleCore(string topic, ReadOnlyMemory<byte> payload, bool retained)
    {
        if (!_byTopic.TryGetValue(topic, out var entries)) return false;
        var text = JsonPayload.Text(payload);
        var understood = false;
        foreach (var (profile, capability) in entries)
        {
            var key = new DeviceKey(Convention, profile.Id);
            if (capability is null)
            {
                var availability = profile.Availability!;
                if (text == availability.Online) Registry.SetAvailability(key, DeviceAvailability.Online);
                else if (text == availability.Offline) Registry.SetAvailability(key, DeviceAvailability.Offline);
                else continue;
                understood = true;
                continue;
            }
            var value = capability.Field is null ? text : Extract(payload, capability.Field);
            if (value is null) continue;
            if (profile.Availability is null) Registry.SetAvailability(key, DeviceAvailability.Online);
            Registry.Report(key, new ReadingUpdate(capability.Capability.Id, Interpret(capability, value)));
            understood = true;
        }
        return understood || Ignore(topic, "the payload matches nothing the profile declares");
    }

    private static string? Extract(ReadOnlyMemory<byte> payload, string field)
    {
        if (!JsonPayload.TryParse(payload, out var document)) return null;
        using (document)
        {
            var element = document.RootElement;
            foreach (var name in field.Split('.'))
            {
                if (element.Property(name) is not { } next) return null;
                element = next;
            }
            return element.AsString();
        }
    }

    private static ReadingValue Interpret(ProfileCapability capability, string value)
    {
        var payloads = capability.Payloads;
        if (payloads.TryGetValue("on", out var on) && value == on) return ReadingValue.Of(true);
        if (payloads.TryGetValue("off", out var off) && value == off) return ReadingValue.Of(false);
        if (capability.Capability.Kind is CapabilityKind.Switch or CapabilityKind.Light or CapabilityKind.BinarySensor
            && JsonPayload.ParseFlag(value) is { } flag)
        {
            return ReadingValue.Of(flag);
        }
        if (capability.Capability.Kind == CapabilityKind.Cover)
        {
            foreach (var (name, word) in new[] { ("open", "open"), ("close", "closed") })
            {
                if (payloads.TryGetValue(name, out var sent) && value == sent) return ReadingValue.Of(word);
            }
        }
        return JsonPayload.ParseNumber(value) is { } number ? ReadingValue.Of(number) : ReadingValue.Of(value);
    }

    protected override CommandTranslation TranslateCore(Device device, DeviceCommand command)
    {
        if (command.Action == CommandAction.Status) return CommandTranslation.Nothing;
        if (!_profiles.TryGetValue(device.Key.NativeId, out var profile)) return NotSupported(device, command);
        var capability = profile.Capabilities.FirstOrDefault(c => c.Capability.Id == command.Capability);
        if (capability?.CommandTopic is not { } topic) return NotSupported(device, command);
        string? payload = command.Action switch
        {
            CommandAction.On => capability.Payloads.GetValueOrDefault("on", "ON"),
            CommandAction.Off => capability.Payloads.GetValueOrDefault("off", "OFF"),
            CommandAction.Toggle => capability.Payloads.GetValueOrDefault("toggle"),
            CommandAction.Open => capability.Payloads.GetValueOrDefault("open", "OPEN"),
            CommandAction.Close => capability.Payloads.GetValueOrDefault("close", "CLOSE"),
            CommandAction.Stop => capability.Payloads.GetValueOrDefault("stop", "STOP"),
            CommandAction.Press => capability.Payloads.GetValueOrDefault("press", "PRESS"),
            CommandAction.Set when command.Attribute is null && command.Value is { } value =>
                (capability.CommandTemplate ?? "{value}").Replace("{value}", value.Number is { } n ? JsonPayload.Format(n) : value.Text, StringComparison.Ordinal),
            _ => null,
        };
        if (payload is null) return NotSupported(device, command);
        var idempotent = command.Action is not (CommandAction.Toggle or CommandAction.Press);
        return CommandTranslation.Publish(new MqttPublication(topic, Encoding.UTF8.GetBytes(payload), idempotent ? capability.Qos : (byte)0));
    }
}
