using System.Text.Json;
using EdgeNode.Core.Devices;

namespace EdgeNode.Devices;

/// <summary>Reads a device's "exposes" list from bridge/devices into capabilities and property bindings.</summary>
internal static class Z2mExposes
{
    private const int AccessSet = 2;

    public static void Read(JsonElement exposes, List<(Capability Capability, Z2mBinding Binding)> into)
    {
        if (exposes.ValueKind != JsonValueKind.Array) return;
        foreach (var expose in exposes.EnumerateArray())
        {
            var type = expose.String("type");
            var endpoint = expose.String("endpoint");
            switch (type)
            {
                case "light" or "switch" or "cover":
                    if (Composite(type, endpoint, expose) is { } composite) into.Add(composite);
                    break;
                case "numeric" or "binary" or "enum" or "text":
                    if (Generic(type, expose) is { } generic) into.Add(generic);
                    break;
            }
        }
    }

    private static (Capability, Z2mBinding)? Composite(string type, string? endpoint, JsonElement expose)
    {
        if (expose.Property("features") is not { ValueKind: JsonValueKind.Array } features) return null;
        var id = endpoint is null ? type : type + "_" + endpoint;
        Z2mBinding? binding = null;
        string? brightness = null, colorTemp = null, position = null;
        double brightnessMax = 254, ctMin = 153, ctMax = 500;
        foreach (var feature in features.EnumerateArray())
        {
            var property = feature.String("property");
            if (property is null) continue;
            switch (feature.String("name"))
            {
                case "state":
                    binding = new Z2mBinding(property)
                    {
                        ValueOn = Raw(feature.Property("value_on")) ?? "\"ON\"",
                        ValueOff = Raw(feature.Property("value_off")) ?? "\"OFF\"",
                        ValueToggle = Raw(feature.Property("value_toggle")),
                    };
                    break;
                case "brightness":
                    brightness = property;
                    brightnessMax = feature.Number("value_max") is > 0 and var max ? max : 254;
                    break;
                case "color_temp":
                    colorTemp = property;
                    ctMin = feature.Number("value_min") ?? ctMin;
                    ctMax = feature.Number("value_max") ?? ctMax;
                    break;
                case "position":
                    position = property;
                    break;
            }
        }
        if (binding is null) return null;
        var kind = type switch { "light" => CapabilityKind.Light, "cover" => CapabilityKind.Cover, _ => CapabilityKind.Switch };
        var capability = new Capability(id, kind)
        {
            HasBrightness = brightness is not null,
            HasColorTemperature = colorTemp is not null,
            ColorTemperatureMin = ctMin,
            ColorTemperatureMax = ctMax,
            HasPosition = position is not null,
        };
        return (capability, binding with { BrightnessProperty = brightness, BrightnessMax = brightnessMax, ColorTempProperty = colorTemp, PositionProperty = position });
    }

    private static (Capability, Z2mBinding)? Generic(string type, JsonElement expose)
    {
        var property = expose.String("property");
        if (property is null) return null;
        var settable = expose.Number("access") is { } access && ((int)access & AccessSet) != 0;
        var unit = expose.String("unit");
        var name = expose.String("label") ?? expose.String("name");
        var deviceClass = DeviceClass(property) ?? Units.DeviceClassFor(unit, property);
        var binding = new Z2mBinding(property);
        Capability capability;
        switch (type)
        {
            case "numeric":
                capability = new Capability(property, settable ? CapabilityKind.Number : CapabilityKind.Sensor)
                {
                    Name = name, Unit = unit, DeviceClass = deviceClass,
                    Min = expose.Number("value_min"), Max = expose.Number("value_max"), Step = expose.Number("value_step"),
                };
                break;
            case "binary":
                binding = binding with
                {
                    ValueOn = Raw(expose.Property("value_on")) ?? "true",
                    ValueOff = Raw(expose.Property("value_off")) ?? "false",
                    ValueToggle = Raw(expose.Property("value_toggle")),
                    Inverted = property == "contact",
                };
                capability = new Capability(property, settable ? CapabilityKind.Switch : CapabilityKind.BinarySensor) { Name = name, DeviceClass = deviceClass };
                break;
            case "enum" when settable && expose.Property("values") is { ValueKind: JsonValueKind.Array } values:
                capability = new Capability(property, CapabilityKind.Select)
                {
                    Name = name,
                    Options = [.. values.EnumerateArray().Select(v => v.AsString()).OfType<string>()],
                };
                break;
            default:
                capability = new Capability(property, CapabilityKind.Sensor) { Name = name, DeviceClass = deviceClass };
                break;
        }
        return (capability, binding);
    }

    public static string? DeviceClass(string property) => property switch
    {
        "temperature" or "local_temperature" => "temperature",
        "humidity" => "humidity",
        "pressure" => "pressure",
        "battery" => "battery",
        "illuminance" or "illuminance_lux" => "illuminance",
        "power" => "power",
        "energy" => "energy",
        "voltage" => "voltage",
        "current" => "current",
        "co2" => "carbon_dioxide",
        "occupancy" or "presence" => "occupancy",
        "contact" => "door",
        "water_leak" => "moisture",
        "linkquality" => "signal_strength",
        _ => null,
    };

    private static string? Raw(JsonElement? value) =>
        value is { ValueKind: JsonValueKind.String or JsonValueKind.True or JsonValueKind.False or JsonValueKind.Number } v ? v.GetRawText() : null;
}
