using System.Text.Json;
using EdgeNode.Core.Devices;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Devices;

/// <summary>
/// Tasmota with its default full topic "%prefix%/%topic%/": tele/&lt;t&gt;/LWT, STATE, SENSOR, INFO1;
/// stat/&lt;t&gt;/RESULT, POWER[n], STATUS10/11; commands on cmnd/&lt;t&gt;/POWER[n], Dimmer, CT and Status.
/// Relays are capabilities "power" (POWER) and "power1".."power8"; a Dimmer in the state turns the relay into a
/// light with brightness; sensor fields become "&lt;sensor&gt;-&lt;field&gt;" ("am2301-temperature"). Tasmota's own
/// discovery (tasmota/discovery/&lt;MAC&gt;/config and /sensors) gives names, model, firmware, relays and sensors up front.
/// </summary>
public sealed partial class TasmotaAdapter(DeviceRegistry registry, ILogger logger) : ConventionAdapter(registry, logger)
{
    private static readonly string[] IgnoredSensorFields = ["Time", "TempUnit", "PressureUnit", "SpeedUnit"];

    public override DeviceConvention Convention => DeviceConvention.Tasmota;

    public override IReadOnlyList<string> SubscriptionFilters { get; } = ["tele/+/+", "stat/+/+", DiscoveryRoot + "/+/config", DiscoveryRoot + "/+/sensors"];

    protected override bool HandleCore(string topic, ReadOnlyMemory<byte> payload, bool retained)
    {
        var parts = topic.Split('/');
        if (parts is [DiscoveryRoot0, DiscoveryRoot1, _, "config" or "sensors"]) return HandleDiscovery(topic, parts[2], parts[3], payload);
        if (parts.Length != 3 || parts[1].Length == 0) return false;
        var (prefix, name, command) = (parts[0], parts[1], parts[2]);
        if (prefix == "tele" && command == "LWT") return HandleLwt(topic, name, payload);
        if (prefix == "stat" && command.StartsWith("POWER", StringComparison.Ordinal)) return HandlePower(topic, name, command, payload);

        var json = command switch
        {
            "STATE" or "SENSOR" or "INFO1" when prefix == "tele" => true,
            "RESULT" or "STATUS10" or "STATUS11" or "STATUS" when prefix == "stat" => true,
            _ => false,
        };
        if (!json) return false;
        if (!JsonPayload.TryParse(payload, out var document)) return Ignore(topic, "not JSON");
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return Ignore(topic, "not a JSON object");
            var key = EnsureDevice(name, name).Key;
            switch (command)
            {
                case "STATE" or "RESULT":
                    return ApplyState(key, root);
                case "STATUS11":
                    return root.Object("StatusSTS") is { } sts ? ApplyState(key, sts) : Ignore(topic, "no StatusSTS");
                case "SENSOR":
                    return ApplySensors(key, root);
                case "STATUS10":
                    return root.Object("StatusSNS") is { } sns ? ApplySensors(key, sns) : Ignore(topic, "no StatusSNS");
                case "INFO1":
                    var info = root.Object("Info1") ?? root;
                    return Registry.SetInfo(key, new DeviceInfo(info.String("Module"), null, info.String("Version"))) || true;
                default:
                    var status = root.Object("Status");
                    if (status?.Property("FriendlyName") is { ValueKind: JsonValueKind.Array } names && names.GetArrayLength() > 0
                        && names[0].AsString() is { Length: > 0 } friendly)
                    {
                        Registry.SetDisplayName(key, friendly);
                    }
                    return status is not null;
            }
        }
    }

    private bool HandleLwt(string topic, string name, ReadOnlyMemory<byte> payload)
    {
        var availability = JsonPayload.Text(payload).ToLowerInvariant() switch
        {
            "online" => DeviceAvailability.Online,
            "offline" => DeviceAvailability.Offline,
            _ => (DeviceAvailability?)null,
        };
        if (availability is null) return Ignore(topic, "LWT is neither Online nor Offline");
        Registry.SetAvailability(EnsureDevice(name, name).Key, availability.Value);
        return true;
    }

    private bool HandlePower(string topic, string name, string command, ReadOnlyMemory<byte> payload)
    {
        if (PowerCapability(command) is not { } id) return false;
        if (JsonPayload.ParseFlag(JsonPayload.Text(payload)) is not { } on) return Ignore(topic, "POWER is neither ON nor OFF");
        var key = EnsureDevice(name, name).Key;
        EnsureSwitch(key, id);
        Registry.Report(key, new ReadingUpdate(id, ReadingValue.Of(on)));
        return true;
    }

    private bool ApplyState(DeviceKey key, JsonElement state)
    {
        var readings = new List<ReadingUpdate>();
        string? firstPower = null;
        foreach (var property in state.EnumerateObject())
        {
            if (PowerCapability(property.Name) is not { } id || property.Value.AsFlag() is not { } on) continue;
            firstPower ??= id;
            EnsureSwitch(key, id);
            readings.Add(new ReadingUpdate(id, ReadingValue.Of(on)));
        }

        var dimmer = state.Number("Dimmer");
        var ct = state.Number("CT");
        if (dimmer is not null || ct is not null)
        {
            var lightId = LightCapability(key, firstPower);
            var existing = Registry.Find(key)?.FindCapability(lightId);
            Registry.UpsertCapability(key, new Capability(lightId, CapabilityKind.Light)
            {
                Name = existing?.Name,
                HasBrightness = dimmer is not null || existing?.HasBrightness == true,
                HasColorTemperature = ct is not null || existing?.HasColorTemperature == true,
            });
            if (dimmer is { } d) readings.Add(new ReadingUpdate(lightId, ReadingValue.Of(Math.Clamp(d, 0, 100)), ReadingAttributes.Brightness));
            if (ct is { } c) readings.Add(new ReadingUpdate(lightId, ReadingValue.Of(c), ReadingAttributes.ColorTemperature));
        }
        Registry.Report(key, readings);
        return readings.Count > 0 || state.Property("Uptime") is not null;
    }

    internal bool ApplySensors(DeviceKey key, JsonElement sensors)
    {
        var temperatureUnit = "°" + (sensors.String("TempUnit") ?? "C");
        var pressureUnit = sensors.String("PressureUnit") ?? "hPa";
        var readings = new List<ReadingUpdate>();
        // A field is named alone ("temperature") unless two sensors of this device report it ("AM2301 temperature").
        var shared = sensors.EnumerateObject().Where(s => s.Value.ValueKind == JsonValueKind.Object)
            .SelectMany(s => s.Value.EnumerateObject().Select(f => f.Name)).GroupBy(n => n).Where(g => g.Count() > 1)
            .Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var sensor in sensors.EnumerateObject())
        {
            if (IgnoredSensorFields.Contains(sensor.Name)) continue;
            if (sensor.Value.ValueKind == JsonValueKind.Object)
            {
                foreach (var field in sensor.Value.EnumerateObject())
                {
                    if (field.Value.AsNumber() is not { } number || field.Value.ValueKind != JsonValueKind.Number) continue;
                    if (TasmotaSensorFields.IsRaw(field.Name)) continue;
                    var id = DeviceLocalpart.FromIdentifier(sensor.Name + "-" + field.Name);
                    var (unit, deviceClass) = TasmotaSensorFields.Describe(field.Name, temperatureUnit, pressureUnit);
                    var label = TasmotaSensorFields.Label(field.Name);
                    Registry.UpsertCapability(key, new Capability(id, CapabilityKind.Sensor)
                    {
                        Name = shared.Contains(field.Name) ? $"{sensor.Name} {label}" : label,
                        Unit = unit,
                        DeviceClass = deviceClass,
                    });
                    readings.Add(new ReadingUpdate(id, ReadingValue.Of(number)));
                }
            }
            else if (sensor.Value.ValueKind == JsonValueKind.String && sensor.Value.AsFlag() is { } flag)
            {
                // Switch1..8 inputs report "ON"/"OFF" at the top level of SENSOR.
                var id = DeviceLocalpart.FromIdentifier(sensor.Name);
                Registry.UpsertCapability(key, new Capability(id, CapabilityKind.BinarySensor) { Name = sensor.Name });
                readings.Add(new ReadingUpdate(id, ReadingValue.Of(flag)));
            }
        }
        Registry.Report(key, readings);
        return readings.Count > 0;
    }

    private void EnsureSwitch(DeviceKey key, string id)
    {
        // A relay already known as a light (it has a Dimmer) stays a light.
        if (Registry.Find(key)?.FindCapability(id) is not null) return;
        Registry.UpsertCapability(key, new Capability(id, CapabilityKind.Switch));
    }

    private string LightCapability(DeviceKey key, string? firstPower)
    {
        var device = Registry.Find(key);
        return device?.Capabilities.FirstOrDefault(c => c.Kind == CapabilityKind.Light)?.Id
            ?? firstPower
            ?? device?.Capabilities.FirstOrDefault(c => c.Kind == CapabilityKind.Switch)?.Id
            ?? "power";
    }

    /// <summary>"POWER" -> "power", "POWER2" -> "power2"; anything else is not a relay.</summary>
    private static string? PowerCapability(string name)
    {
        if (!name.StartsWith("POWER", StringComparison.Ordinal)) return null;
        var suffix = name.AsSpan(5);
        if (suffix.Length == 0) return "power";
        return suffix.Length <= 2 && int.TryParse(suffix, out var n) && n is >= 1 and <= 32 ? "power" + n : null;
    }

    protected override CommandTranslation TranslateCore(Device device, DeviceCommand command)
    {
        var topic = device.Key.NativeId;
        var capability = command.Capability is null ? null : device.FindCapability(command.Capability);
        switch (command.Action)
        {
            case CommandAction.On or CommandAction.Off or CommandAction.Toggle when capability is not null:
                var payload = command.Action switch { CommandAction.On => "ON", CommandAction.Off => "OFF", _ => "TOGGLE" };
                return CommandTranslation.Publish(MqttPublication.Command($"cmnd/{topic}/{capability.Id.ToUpperInvariant()}", payload,
                    idempotent: command.Action != CommandAction.Toggle));
            case CommandAction.Set when command.Attribute == ReadingAttributes.Brightness && command.Value?.Number is { } percent:
                return CommandTranslation.Publish(MqttPublication.Command($"cmnd/{topic}/Dimmer", JsonPayload.Round(percent).ToString()));
            case CommandAction.Set when command.Attribute == ReadingAttributes.ColorTemperature && command.Value?.Number is { } mireds:
                return CommandTranslation.Publish(MqttPublication.Command($"cmnd/{topic}/CT", JsonPayload.Round(mireds).ToString()));
            case CommandAction.Status:
                // Status 11 answers with the relay states, Status 10 with the sensor readings.
                var hasSensors = device.Capabilities.Any(c => c.Kind is CapabilityKind.Sensor or CapabilityKind.BinarySensor);
                return hasSensors
                    ? CommandTranslation.Publish(MqttPublication.Command($"cmnd/{topic}/Status", "11"), MqttPublication.Command($"cmnd/{topic}/Status", "10"))
                    : CommandTranslation.Publish(MqttPublication.Command($"cmnd/{topic}/Status", "11"));
            default:
                return NotSupported(device, command);
        }
    }
}
