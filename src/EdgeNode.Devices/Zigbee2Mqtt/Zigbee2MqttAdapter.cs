using System.Buffers;
using System.Text.Json;
using EdgeNode.Core.Devices;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Devices;

/// <summary>
/// Zigbee2MQTT under one base topic: bridge/state (JSON or plain), the retained bridge/devices list (model, vendor,
/// exposes), per-device availability (2.x JSON or the older plain form), device JSON state, and commands as JSON
/// on &lt;base&gt;/&lt;friendly name&gt;/set. Devices are keyed by IEEE address so a rename keeps their identity;
/// their address comes from the friendly name. While the bridge is offline every device shows offline.
/// </summary>
public sealed class Zigbee2MqttAdapter : ConventionAdapter
{
    // A large network's device list with every exposes entry runs to a few hundred KiB.
    private const int DeviceListLimit = 4 * 1024 * 1024;

    private readonly string _base;
    private readonly Dictionary<string, string> _idByName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private bool? _bridgeOnline;

    public Zigbee2MqttAdapter(DeviceRegistry registry, ILogger logger, string baseTopic = "zigbee2mqtt") : base(registry, logger)
    {
        _base = baseTopic.TrimEnd('/');
        SubscriptionFilters = [_base + "/#"];
    }

    public override DeviceConvention Convention => DeviceConvention.Zigbee2Mqtt;

    public override IReadOnlyList<string> SubscriptionFilters { get; }

    protected override int LimitFor(string topic) => topic == _base + "/bridge/devices" ? DeviceListLimit : MaxPayloadBytes;

    private sealed class Entry(string friendlyName)
    {
        public string FriendlyName { get; set; } = friendlyName;
        public Dictionary<string, Z2mBinding> Bindings { get; } = new(StringComparer.Ordinal);
        public DeviceAvailability Own { get; set; } = DeviceAvailability.Unknown;
    }

    protected override bool HandleCore(string topic, ReadOnlyMemory<byte> payload, bool retained)
    {
        if (!topic.StartsWith(_base + "/", StringComparison.Ordinal)) return false;
        var rest = topic[(_base.Length + 1)..];
        if (rest == "bridge/state") return HandleBridgeState(topic, payload);
        if (rest == "bridge/devices") return HandleDeviceList(topic, payload);
        if (rest.StartsWith("bridge/", StringComparison.Ordinal) || rest.EndsWith("/set", StringComparison.Ordinal) || rest.EndsWith("/get", StringComparison.Ordinal))
        {
            return false;
        }
        if (rest.EndsWith("/availability", StringComparison.Ordinal)) return HandleAvailability(topic, rest[..^"/availability".Length], payload);
        return HandleState(topic, rest, payload);
    }

    private bool HandleBridgeState(string topic, ReadOnlyMemory<byte> payload)
    {
        if (ReadOnline(payload) is not { } online) return Ignore(topic, "bridge state is neither online nor offline");
        _bridgeOnline = online;
        foreach (var (id, entry) in _entries) Registry.SetAvailability(new DeviceKey(Convention, id), Effective(entry));
        return true;
    }

    private bool HandleAvailability(string topic, string name, ReadOnlyMemory<byte> payload)
    {
        if (ReadOnline(payload) is not { } online) return Ignore(topic, "availability is neither online nor offline");
        var (id, entry) = Resolve(name);
        entry.Own = online ? DeviceAvailability.Online : DeviceAvailability.Offline;
        Registry.SetAvailability(new DeviceKey(Convention, id), Effective(entry));
        return true;
    }

    private DeviceAvailability Effective(Entry entry) => _bridgeOnline switch
    {
        false => DeviceAvailability.Offline,
        true when entry.Own == DeviceAvailability.Unknown => DeviceAvailability.Online,
        _ => entry.Own,
    };

    /// <summary>2.x sends {"state":"online"}; 1.x sent the bare word.</summary>
    private static bool? ReadOnline(ReadOnlyMemory<byte> payload)
    {
        var text = JsonPayload.Text(payload);
        if (text.StartsWith('{'))
        {
            if (!JsonPayload.TryParse(payload, out var document)) return null;
            using (document) text = document.RootElement.String("state") ?? "";
        }
        return text.ToLowerInvariant() switch { "online" => true, "offline" => false, _ => null };
    }

    private bool HandleDeviceList(string topic, ReadOnlyMemory<byte> payload)
    {
        if (!JsonPayload.TryParse(payload, out var document)) return Ignore(topic, "device list is not JSON");
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array) return Ignore(topic, "device list is not an array");
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var item in document.RootElement.EnumerateArray())
            {
                var id = item.String("ieee_address");
                var name = item.String("friendly_name");
                if (id is null || name is null || item.String("type") == "Coordinator") continue;
                seen.Add(id);
                AdoptProvisional(name, id);
                var entry = Track(id, name);
                var key = EnsureDevice(id, name, name).Key;
                Registry.SetDisplayName(key, name);
                var definition = item.Object("definition");
                Registry.SetInfo(key, new DeviceInfo(definition?.String("model") ?? item.String("model_id"),
                    definition?.String("vendor") ?? item.String("manufacturer"), item.String("software_build_id")));
                var exposed = new List<(Capability Capability, Z2mBinding Binding)>();
                if (definition?.Property("exposes") is { } exposes) Z2mExposes.Read(exposes, exposed);
                foreach (var (capability, binding) in exposed)
                {
                    entry.Bindings[capability.Id] = binding;
                    Registry.UpsertCapability(key, capability);
                }
                if (_bridgeOnline is not null) Registry.SetAvailability(key, Effective(entry));
            }
            foreach (var gone in _entries.Keys.Where(id => !seen.Contains(id) && !_entries[id].FriendlyName.Equals(id, StringComparison.Ordinal)).ToList())
            {
                _idByName.Remove(_entries[gone].FriendlyName);
                _entries.Remove(gone);
                Registry.Remove(new DeviceKey(Convention, gone));
                Logger.DeviceRemoved(Convention, gone);
            }
            return true;
        }
    }

    /// <summary>A device seen by its state before the device list arrived was keyed by name; re-key it by address.</summary>
    private void AdoptProvisional(string name, string id)
    {
        if (!_entries.ContainsKey(name) || name == id) return;
        _entries.Remove(name);
        Registry.Remove(new DeviceKey(Convention, name));
    }

    private Entry Track(string id, string name)
    {
        if (_entries.TryGetValue(id, out var entry))
        {
            if (entry.FriendlyName != name) _idByName.Remove(entry.FriendlyName);
            entry.FriendlyName = name;
        }
        else
        {
            entry = new Entry(name);
            _entries[id] = entry;
        }
        _idByName[name] = id;
        return entry;
    }

    private (string Id, Entry Entry) Resolve(string name)
    {
        var id = _idByName.GetValueOrDefault(name) ?? name;
        var entry = _entries.TryGetValue(id, out var known) ? known : Track(id, name);
        EnsureDevice(id, name, name);
        return (id, entry);
    }

    private bool HandleState(string topic, string name, ReadOnlyMemory<byte> payload)
    {
        if (!JsonPayload.TryParse(payload, out var document)) return Ignore(topic, "device state is not JSON");
        using (document)
        {
            var state = document.RootElement;
            if (state.ValueKind != JsonValueKind.Object) return Ignore(topic, "device state is not a JSON object");
            var (id, entry) = Resolve(name);
            var key = new DeviceKey(Convention, id);
            var readings = new List<ReadingUpdate>();
            var handled = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (capabilityId, binding) in entry.Bindings)
            {
                ReadBound(state, capabilityId, binding, readings, handled);
            }
            foreach (var property in state.EnumerateObject())
            {
                if (handled.Contains(property.Name)) continue;
                Guess(key, entry, property, readings);
            }
            Registry.Report(key, readings);
            return true;
        }
    }

    private static void ReadBound(JsonElement state, string capabilityId, Z2mBinding binding, List<ReadingUpdate> readings, HashSet<string> handled)
    {
        if (state.Property(binding.Property) is { } value)
        {
            handled.Add(binding.Property);
            var raw = value.ValueKind is JsonValueKind.Object or JsonValueKind.Array ? null : value.GetRawText();
            if (raw == binding.ValueOn || raw == binding.ValueOff)
            {
                readings.Add(new ReadingUpdate(capabilityId, ReadingValue.Of((raw == binding.ValueOn) ^ binding.Inverted)));
            }
            else if (value.ValueKind == JsonValueKind.Number && value.AsNumber() is { } number)
            {
                readings.Add(new ReadingUpdate(capabilityId, ReadingValue.Of(number)));
            }
            else if (value.AsString() is { } text)
            {
                readings.Add(new ReadingUpdate(capabilityId, ReadingValue.Of(text)));
            }
        }
        if (binding.BrightnessProperty is { } b && state.Number(b) is { } brightness)
        {
            handled.Add(b);
            readings.Add(new ReadingUpdate(capabilityId, ReadingValue.Of(Math.Round(Math.Clamp(brightness / binding.BrightnessMax * 100, 0, 100))), ReadingAttributes.Brightness));
        }
        if (binding.ColorTempProperty is { } c && state.Number(c) is { } mireds)
        {
            handled.Add(c);
            readings.Add(new ReadingUpdate(capabilityId, ReadingValue.Of(mireds), ReadingAttributes.ColorTemperature));
        }
        if (binding.PositionProperty is { } p && state.Number(p) is { } position)
        {
            handled.Add(p);
            readings.Add(new ReadingUpdate(capabilityId, ReadingValue.Of(position), ReadingAttributes.Position));
        }
    }

    /// <summary>
    /// A property the device list did not describe (or no list yet): numbers become sensors, "state" ON/OFF a
    /// switch, so a device is useful before bridge/devices arrives.
    /// </summary>
    private void Guess(DeviceKey key, Entry entry, JsonProperty property, List<ReadingUpdate> readings)
    {
        var value = property.Value;
        if (property.Name == "state" && value.ValueKind == JsonValueKind.String && value.AsFlag() is { } on)
        {
            entry.Bindings["switch"] = new Z2mBinding("state");
            Registry.UpsertCapability(key, new Capability("switch", CapabilityKind.Switch));
            readings.Add(new ReadingUpdate("switch", ReadingValue.Of(on)));
        }
        else if (value.ValueKind == JsonValueKind.Number && value.AsNumber() is { } number)
        {
            var deviceClass = Z2mExposes.DeviceClass(property.Name);
            var unit = deviceClass switch { "temperature" => "°C", "humidity" or "battery" => "%", "pressure" => "hPa", "illuminance" => "lx", _ => null };
            if (Registry.Find(key)?.FindCapability(property.Name) is null)
            {
                Registry.UpsertCapability(key, new Capability(property.Name, CapabilityKind.Sensor) { Unit = unit, DeviceClass = deviceClass });
            }
            readings.Add(new ReadingUpdate(property.Name, ReadingValue.Of(number)));
        }
        else if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            if (Registry.Find(key)?.FindCapability(property.Name) is null)
            {
                Registry.UpsertCapability(key, new Capability(property.Name, CapabilityKind.BinarySensor) { DeviceClass = Z2mExposes.DeviceClass(property.Name) });
            }
            readings.Add(new ReadingUpdate(property.Name, ReadingValue.Of(value.GetBoolean() ^ property.Name == "contact")));
        }
    }

    protected override CommandTranslation TranslateCore(Device device, DeviceCommand command)
    {
        if (!_entries.TryGetValue(device.Key.NativeId, out var entry)) return NotSupported(device, command);
        var setTopic = $"{_base}/{entry.FriendlyName}/set";
        if (command.Action == CommandAction.Status)
        {
            var property = entry.Bindings.Values.FirstOrDefault()?.Property ?? "state";
            return CommandTranslation.Publish(Json($"{_base}/{entry.FriendlyName}/get", w => w.WriteString(property, "")));
        }
        if (command.Capability is null || !entry.Bindings.TryGetValue(command.Capability, out var binding)) return NotSupported(device, command);
        var capability = device.FindCapability(command.Capability);
        return command.Action switch
        {
            CommandAction.On => CommandTranslation.Publish(Json(setTopic, w => w.WriteRaw(binding.Property, binding.ValueOn))),
            CommandAction.Off => CommandTranslation.Publish(Json(setTopic, w => w.WriteRaw(binding.Property, binding.ValueOff))),
            CommandAction.Toggle => CommandTranslation.Publish(Json(setTopic, w => w.WriteRaw(binding.Property, binding.ValueToggle ?? "\"TOGGLE\""), idempotent: false)),
            CommandAction.Open or CommandAction.Close or CommandAction.Stop when capability?.Kind == CapabilityKind.Cover =>
                CommandTranslation.Publish(Json(setTopic, w => w.WriteString(binding.Property, command.Action.ToString().ToUpperInvariant()))),
            CommandAction.Set when command.Attribute == ReadingAttributes.Brightness && binding.BrightnessProperty is { } b && command.Value?.Number is { } percent =>
                CommandTranslation.Publish(Json(setTopic, w => w.WriteNumber(b, JsonPayload.Round(percent * binding.BrightnessMax / 100)))),
            CommandAction.Set when command.Attribute == ReadingAttributes.ColorTemperature && binding.ColorTempProperty is { } c && command.Value?.Number is { } mireds =>
                CommandTranslation.Publish(Json(setTopic, w => w.WriteNumber(c, JsonPayload.Round(mireds)))),
            CommandAction.Set when command.Attribute == ReadingAttributes.Position && binding.PositionProperty is { } p && command.Value?.Number is { } position =>
                CommandTranslation.Publish(Json(setTopic, w => w.WriteNumber(p, JsonPayload.Round(position)))),
            CommandAction.Set when command.Attribute is null && capability?.Kind == CapabilityKind.Number && command.Value?.Number is { } number =>
                CommandTranslation.Publish(Json(setTopic, w => w.WriteNumber(binding.Property, number))),
            CommandAction.Set when command.Attribute is null && capability?.Kind == CapabilityKind.Select && command.Value is { } option =>
                CommandTranslation.Publish(Json(setTopic, w => w.WriteString(binding.Property, option.Text))),
            _ => NotSupported(device, command),
        };
    }

    private static MqttPublication Json(string topic, Action<Utf8JsonWriter> body, bool idempotent = true)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }
        return new MqttPublication(topic, buffer.WrittenSpan.ToArray(), idempotent ? (byte)1 : (byte)0);
    }
}

internal static class Utf8JsonWriterExtensions
{
    /// <summary>Writes a property whose value is already JSON (a device's own "ON" or true).</summary>
    public static void WriteRaw(this Utf8JsonWriter writer, string name, string rawValue)
    {
        writer.WritePropertyName(name);
        writer.WriteRawValue(rawValue, skipInputValidation: false);
    }
}
