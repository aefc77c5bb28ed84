using System.Text.Json;
using EdgeNode.Core.Devices;

namespace EdgeNode.Devices;

/// <summary>One discovered Home Assistant entity: the options EdgeNode uses, read once from its config.</summary>
internal sealed class HaEntity
{
    public required string Component { get; init; }
    public required string ObjectId { get; init; }
    public required Capability Capability { get; init; }
    public string? StateTopic { get; init; }
    public string? CommandTopic { get; init; }
    public string? ValueTemplate { get; init; }
    public string? CommandTemplate { get; init; }
    public string PayloadOn { get; init; } = "ON";
    public string PayloadOff { get; init; } = "OFF";
    public string StateOn { get; init; } = "ON";
    public string StateOff { get; init; } = "OFF";
    public bool JsonSchema { get; init; }
    public string? BrightnessStateTopic { get; init; }
    public string? BrightnessCommandTopic { get; init; }
    public string? BrightnessTemplate { get; init; }
    public double BrightnessScale { get; init; } = 255;
    public string? ColorTempStateTopic { get; init; }
    public string? ColorTempCommandTopic { get; init; }
    public string? PositionTopic { get; init; }
    public string? SetPositionTopic { get; init; }
    public string PayloadOpen { get; init; } = "OPEN";
    public string PayloadClose { get; init; } = "CLOSE";
    public string PayloadStop { get; init; } = "STOP";
    public string PayloadPress { get; init; } = "PRESS";
    public IReadOnlyList<(string Topic, string Available, string NotAvailable, string? Template)> Availability { get; init; } = [];
    public string AvailabilityMode { get; init; } = "latest";
    public Dictionary<string, bool> AvailabilitySeen { get; } = new(StringComparer.Ordinal);
    public bool? LatestAvailability { get; set; }

    /// <summary>all: every topic online; any: one is; latest: the last message decides (the default).</summary>
    public bool? Available => Availability.Count == 0 ? true : AvailabilityMode switch
    {
        "all" => AvailabilitySeen.Count == 0 ? null : AvailabilitySeen.Count == Availability.Count && AvailabilitySeen.Values.All(v => v),
        "any" => AvailabilitySeen.Count == 0 ? null : AvailabilitySeen.Values.Any(v => v),
        _ => LatestAvailability,
    };

    public IEnumerable<string> Topics()
    {
        foreach (var topic in new[] { StateTopic, BrightnessStateTopic, ColorTempStateTopic, PositionTopic })
        {
            if (topic is not null) yield return topic;
        }
        foreach (var availability in Availability) yield return availability.Topic;
    }

    public static readonly string[] Components = ["sensor", "binary_sensor", "switch", "light", "button", "cover", "number", "select"];

    public static HaEntity? Read(string component, string objectId, JsonElement config, JsonElement? shared)
    {
        var keys = new HaKeys(config, shared);
        var kind = component switch
        {
            "sensor" => CapabilityKind.Sensor,
            "binary_sensor" => CapabilityKind.BinarySensor,
            "switch" => CapabilityKind.Switch,
            "light" => CapabilityKind.Light,
            "button" => CapabilityKind.Button,
            "cover" => CapabilityKind.Cover,
            "number" => CapabilityKind.Number,
            "select" => CapabilityKind.Select,
            _ => (CapabilityKind?)null,
        };
        if (kind is null) return null;
        var json = keys.String("schema") == "json";
        var payloadOn = keys.String("payload_on") ?? "ON";
        var payloadOff = keys.String("payload_off") ?? "OFF";
        var capability = new Capability(objectId, kind.Value)
        {
            Name = keys.String("name"),
            Unit = keys.String("unit_of_measurement"),
            DeviceClass = keys.String("device_class"),
            Min = kind == CapabilityKind.Number ? keys.Number("min") ?? 1 : null,
            Max = kind == CapabilityKind.Number ? keys.Number("max") ?? 100 : null,
            Step = kind == CapabilityKind.Number ? keys.Number("step") : null,
            Options = keys.Get("options") is { ValueKind: JsonValueKind.Array } options ? [.. options.EnumerateArray().Select(o => o.AsString()).OfType<string>()] : [],
            HasBrightness = kind == CapabilityKind.Light && (keys.String("brightness_command_topic") is not null || (json && keys.Get("brightness")?.ValueKind != JsonValueKind.False)),
            HasColorTemperature = kind == CapabilityKind.Light && (keys.String("color_temp_command_topic") is not null || (json && keys.Get("color_temp")?.ValueKind == JsonValueKind.True)),
            ColorTemperatureMin = keys.Number("min_mireds") ?? 153,
            ColorTemperatureMax = keys.Number("max_mireds") ?? 500,
            HasPosition = kind == CapabilityKind.Cover && keys.String("set_position_topic") is not null,
        };
        return new HaEntity
        {
            Component = component,
            ObjectId = objectId,
            Capability = capability,
            StateTopic = keys.String("state_topic"),
            CommandTopic = keys.String("command_topic"),
            ValueTemplate = keys.String("value_template"),
            CommandTemplate = keys.String("command_template"),
            PayloadOn = payloadOn,
            PayloadOff = payloadOff,
            StateOn = keys.String("state_on") ?? payloadOn,
            StateOff = keys.String("state_off") ?? payloadOff,
            JsonSchema = json,
            BrightnessStateTopic = keys.String("brightness_state_topic"),
            BrightnessCommandTopic = keys.String("brightness_command_topic"),
            BrightnessTemplate = keys.String("brightness_value_template"),
            BrightnessScale = keys.Number("brightness_scale") is > 0 and var scale ? scale : 255,
            ColorTempStateTopic = keys.String("color_temp_state_topic"),
            ColorTempCommandTopic = keys.String("color_temp_command_topic"),
            PositionTopic = keys.String("position_topic"),
            SetPositionTopic = keys.String("set_position_topic"),
            PayloadOpen = keys.String("payload_open") ?? "OPEN",
            PayloadClose = keys.String("payload_close") ?? "CLOSE",
            PayloadStop = keys.String("payload_stop") ?? "STOP",
            PayloadPress = keys.String("payload_press") ?? "PRESS",
            Availability = ReadAvailability(keys, config.String("~") ?? shared?.String("~")),
            AvailabilityMode = keys.String("availability_mode") ?? "latest",
        };
    }

    private static List<(string, string, string, string?)> ReadAvailability(HaKeys keys, string? baseTopic)
    {
        var list = new List<(string, string, string, string?)>();
        var available = keys.String("payload_available") ?? "online";
        var notAvailable = keys.String("payload_not_available") ?? "offline";
        if (keys.String("availability_topic") is { } single) list.Add((single, available, notAvailable, null));
        if (keys.Get("availability") is { ValueKind: JsonValueKind.Array } items)
        {
            foreach (var item in items.EnumerateArray())
            {
                var itemKeys = HaKeys.For(item);
                if (itemKeys.String("topic") is not { } topic) continue;
                list.Add((HaKeys.ExpandBase(topic, baseTopic), itemKeys.String("payload_available") ?? available,
                    itemKeys.String("payload_not_available") ?? notAvailable, itemKeys.String("value_template")));
            }
        }
        return list;
    }
}
