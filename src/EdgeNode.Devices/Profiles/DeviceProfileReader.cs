using System.Text.Json;
using EdgeNode.Core.Devices;

namespace EdgeNode.Devices;

/// <summary>
/// Reads a profile file. A problem in one device or capability skips that entry and is reported, so one typo does
/// not take the other hand-declared devices away.
/// </summary>
public static class DeviceProfileReader
{
    private static readonly string[] PayloadNames = ["on", "off", "toggle", "open", "close", "stop", "press"];

    public static IReadOnlyList<DeviceProfile> Read(ReadOnlyMemory<byte> json, List<string> problems)
    {
        var profiles = new List<DeviceProfile>();
        if (!JsonPayload.TryParse(json, out var document))
        {
            problems.Add("the file is not valid JSON");
            return profiles;
        }
        using (document)
        {
            if (document.RootElement.Property("devices") is not { ValueKind: JsonValueKind.Array } devices)
            {
                problems.Add("the file has no \"devices\" array");
                return profiles;
            }
            var index = 0;
            foreach (var device in devices.EnumerateArray())
            {
                index++;
                if (ReadDevice(device, $"device {index}", problems) is { } profile)
                {
                    if (profiles.Any(p => p.Id == profile.Id)) problems.Add($"device {index}: the id '{profile.Id}' is used twice");
                    else profiles.Add(profile);
                }
            }
        }
        return profiles;
    }

    private static DeviceProfile? ReadDevice(JsonElement device, string where, List<string> problems)
    {
        if (device.String("id") is not { Length: > 0 } id)
        {
            problems.Add($"{where}: \"id\" is missing");
            return null;
        }
        where = $"device '{id}'";
        ProfileAvailability? availability = null;
        if (device.Object("availability") is { } a)
        {
            if (a.String("topic") is { } topic && TopicFilter.IsValidTopicName(topic))
            {
                availability = new ProfileAvailability(topic, a.String("online") ?? "online", a.String("offline") ?? "offline");
            }
            else
            {
                problems.Add($"{where}: availability needs a valid \"topic\"");
            }
        }
        var capabilities = new List<ProfileCapability>();
        if (device.Property("capabilities") is { ValueKind: JsonValueKind.Array } list)
        {
            foreach (var c in list.EnumerateArray())
            {
                if (ReadCapability(c, where, problems) is { } capability) capabilities.Add(capability);
            }
        }
        if (capabilities.Count == 0)
        {
            problems.Add($"{where}: no usable capabilities");
            return null;
        }
        var info = new DeviceInfo(device.String("model"), device.String("manufacturer"), device.String("firmware"));
        return new DeviceProfile(id, device.String("name") ?? id, info, availability, capabilities);
    }

    private static ProfileCapability? ReadCapability(JsonElement c, string where, List<string> problems)
    {
        var id = c.String("id");
        var kindText = c.String("kind");
        CapabilityKind? kind = kindText switch
        {
            "sensor" => CapabilityKind.Sensor, "binary_sensor" => CapabilityKind.BinarySensor, "switch" => CapabilityKind.Switch,
            "light" => CapabilityKind.Light, "button" => CapabilityKind.Button, "cover" => CapabilityKind.Cover,
            "number" => CapabilityKind.Number, "select" => CapabilityKind.Select, _ => null,
        };
        if (id is null || kind is null)
        {
            problems.Add($"{where}: a capability needs an \"id\" and a \"kind\" (sensor, binary_sensor, switch, light, button, cover, number, select); got '{id}', '{kindText}'");
            return null;
        }
        var stateTopic = c.String("stateTopic");
        var commandTopic = c.String("commandTopic");
        foreach (var topic in new[] { stateTopic, commandTopic })
        {
            if (topic is not null && !TopicFilter.IsValidTopicName(topic))
            {
                problems.Add($"{where}: capability '{id}' has an invalid topic '{topic}'");
                return null;
            }
        }
        var commandable = kind is not (CapabilityKind.Sensor or CapabilityKind.BinarySensor);
        if (commandable && commandTopic is null)
        {
            problems.Add($"{where}: capability '{id}' is a {kindText} and needs a \"commandTopic\"");
            return null;
        }
        var payloads = new Dictionary<string, string>(StringComparer.Ordinal);
        if (c.Object("payloads") is { } p)
        {
            foreach (var name in PayloadNames)
            {
                if (p.String(name) is { } value) payloads[name] = value;
            }
        }
        var capability = new Capability(id, kind.Value)
        {
            Name = c.String("name"),
            Unit = c.String("unit"),
            DeviceClass = c.String("deviceClass"),
            Min = c.Number("min"),
            Max = c.Number("max"),
            Step = c.Number("step"),
            Options = c.Property("options") is { ValueKind: JsonValueKind.Array } o ? [.. o.EnumerateArray().Select(x => x.AsString()).OfType<string>()] : [],
        };
        var qos = c.Number("qos") is { } q && q is 0 or 1 or 2 ? (byte)q : (byte)1;
        return new ProfileCapability(capability, stateTopic, c.String("field"), commandTopic, payloads, c.String("commandTemplate"), qos);
    }
}
