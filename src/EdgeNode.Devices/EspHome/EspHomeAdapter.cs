using System.Buffers;
using System.Text.Json;
using EdgeNode.Core.Devices;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Devices;

/// <summary>
/// ESPHome's own MQTT topics: &lt;prefix&gt;/status online/offline (birth and will), &lt;prefix&gt;/&lt;component&gt;/
/// &lt;object&gt;/state and .../command, lights in JSON. The prefix is the node name unless topic_prefix changes
/// it. When ESPHome also publishes Home Assistant discovery, this adapter reads those configs for names, units,
/// device classes and model, so one device appears once with the richer description.
/// </summary>
public sealed class EspHomeAdapter : ConventionAdapter
{
    private static readonly Dictionary<string, CapabilityKind> Components = new(StringComparer.Ordinal)
    {
        ["sensor"] = CapabilityKind.Sensor, ["text_sensor"] = CapabilityKind.Sensor, ["binary_sensor"] = CapabilityKind.BinarySensor,
        ["switch"] = CapabilityKind.Switch, ["light"] = CapabilityKind.Light, ["button"] = CapabilityKind.Button,
        ["cover"] = CapabilityKind.Cover, ["number"] = CapabilityKind.Number, ["select"] = CapabilityKind.Select,
    };

    private readonly string _discoveryPrefix;
    // device prefix -> capability id -> component
    private readonly Dictionary<string, Dictionary<string, string>> _components = new(StringComparer.Ordinal);
    private readonly Dictionary<DeviceKey, string> _accountOf = [];

    public EspHomeAdapter(DeviceRegistry registry, ILogger logger, string discoveryPrefix = "homeassistant") : base(registry, logger)
    {
        _discoveryPrefix = discoveryPrefix.TrimEnd('/');
        SubscriptionFilters = ["+/status", "+/+/+/state", .. HaDiscoveryAdapter.DiscoveryFilters(_discoveryPrefix)];
    }

    public override DeviceConvention Convention => DeviceConvention.EspHome;

    public override IReadOnlyList<string> SubscriptionFilters { get; }

    protected override bool HandleCore(string topic, ReadOnlyMemory<byte> payload, bool retained)
    {
        // The length check keeps "<prefix>/config" out: there the prefix's slash and the suffix's slash are one.
        if (topic.Length >= _discoveryPrefix.Length + 1 + "/config".Length
            && topic.StartsWith(_discoveryPrefix + "/", StringComparison.Ordinal) && topic.EndsWith("/config", StringComparison.Ordinal))
        {
            return HandleDiscovery(topic, payload);
        }
        var parts = topic.Split('/');
        if (parts is [var prefix, "status"])
        {
            // Other conventions use "<x>/status" too; only ESPHome's two words make a device.
            var text = JsonPayload.Text(payload);
            if (text is not ("online" or "offline")) return false;
            Registry.SetAvailability(EnsureDevice(prefix, prefix).Key, text == "online" ? DeviceAvailability.Online : DeviceAvailability.Offline);
            return true;
        }
        if (parts is [var device, var component, var objectId, "state"] && Components.TryGetValue(component, out var kind))
        {
            return HandleState(topic, device, component, objectId, kind, payload);
        }
        return false;
    }

    private bool HandleState(string topic, string prefix, string component, string objectId, CapabilityKind kind, ReadOnlyMemory<byte> payload)
    {
        var key = EnsureDevice(prefix, prefix).Key;
        Remember(prefix, objectId, component);
        var device = Registry.Find(key)!;
        if (device.FindCapability(objectId) is null)
        {
            Registry.UpsertCapability(key, new Capability(objectId, kind) { HasBrightness = kind == CapabilityKind.Light });
        }
        var text = JsonPayload.Text(payload);
        var readings = new List<ReadingUpdate>();
        switch (kind)
        {
            case CapabilityKind.Light:
                if (!JsonPayload.TryParse(payload, out var document)) return Ignore(topic, "light state is not JSON");
                using (document)
                {
                    var state = document.RootElement;
                    if (state.String("state") is { } s && JsonPayload.ParseFlag(s) is { } on) readings.Add(new ReadingUpdate(objectId, ReadingValue.Of(on)));
                    if (state.Number("brightness") is { } b) readings.Add(new ReadingUpdate(objectId, ReadingValue.Of(Math.Round(b / 255 * 100)), ReadingAttributes.Brightness));
                    if (state.Number("color_temp") is { } ct) readings.Add(new ReadingUpdate(objectId, ReadingValue.Of(ct), ReadingAttributes.ColorTemperature));
                }
                break;
            case CapabilityKind.Switch or CapabilityKind.BinarySensor:
                if (JsonPayload.ParseFlag(text) is not { } flag) return Ignore(topic, "state is neither ON nor OFF");
                readings.Add(new ReadingUpdate(objectId, ReadingValue.Of(flag)));
                break;
            case CapabilityKind.Sensor or CapabilityKind.Number:
                readings.Add(new ReadingUpdate(objectId, JsonPayload.ParseNumber(text) is { } n ? ReadingValue.Of(n) : ReadingValue.Of(text)));
                break;
            case CapabilityKind.Cover:
                readings.Add(new ReadingUpdate(objectId, ReadingValue.Of(text.ToLowerInvariant())));
                break;
            default:
                readings.Add(new ReadingUpdate(objectId, ReadingValue.Of(text)));
                break;
        }
        Registry.Report(key, readings);
        return true;
    }

    /// <summary>Enriches devices from ESPHome's discovery configs; configs of anything else are the HA adapter's.</summary>
    private bool HandleDiscovery(string topic, ReadOnlyMemory<byte> payload)
    {
        var parts = topic[(_discoveryPrefix.Length + 1)..^"/config".Length].Split('/');
        if (parts.Length != 3 || payload.IsEmpty || !Components.ContainsKey(parts[0])) return false;
        if (!JsonPayload.TryParse(payload, out var document)) return false;
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !HaDevice.IsEspHome(root)) return false;
            var keys = HaKeys.For(root);
            // The state topic "<prefix>/<component>/<object>/state" names both the prefix and our capability id.
            var stateTopic = keys.String("state_topic") ?? keys.String("command_topic");
            if (stateTopic?.Split('/') is not [var prefix, var component, var objectId, _]) return Ignore(topic, "ESPHome config without a usable state topic");
            var entity = HaEntity.Read(parts[0], objectId, root, null);
            if (entity is null) return false;
            // The payload names the topic prefix; a device account (the node id the broker let it write under) gets
            // only a prefix it may use itself, so it can neither take another device's name nor have the node
            // command another device's topics.
            var account = TopicAccess?.IsDeviceAccount(parts[1]) == true ? parts[1] : null;
            var commandTopic = $"{prefix}/{component}/{objectId}/command";
            if (account is not null && (!TopicAccess!.MayPublish(account, commandTopic) || !TopicAccess.MaySubscribe(account, stateTopic)))
            {
                Logger.TopicOutsideAccess(Convention, topic, account, TopicAccess.MayPublish(account, commandTopic) ? stateTopic : commandTopic);
                return false;
            }
            var key = EnsureDevice(prefix, prefix, account: account).Key;
            if (account is not null) _accountOf[key] = account;
            if (keys.Get("device") is { } device)
            {
                Registry.SetInfo(key, HaDevice.Info(device));
                if (device.String("name") is { Length: > 0 } name) Registry.SetDisplayName(key, name);
            }
            Remember(prefix, objectId, component);
            Registry.UpsertCapability(key, entity.Capability);
            return true;
        }
    }

    protected override string? AccountOfCore(DeviceKey key) => _accountOf.GetValueOrDefault(key);

    private void Remember(string prefix, string objectId, string component)
    {
        if (!_components.TryGetValue(prefix, out var map)) _components[prefix] = map = new(StringComparer.Ordinal);
        map[objectId] = component;
    }

    protected override CommandTranslation TranslateCore(Device device, DeviceCommand command)
    {
        if (command.Action == CommandAction.Status) return CommandTranslation.Nothing;
        var prefix = device.Key.NativeId;
        if (command.Capability is null || !_components.TryGetValue(prefix, out var map) || !map.TryGetValue(command.Capability, out var component))
        {
            return NotSupported(device, command);
        }
        var topic = $"{prefix}/{component}/{command.Capability}/command";
        MqttPublication? publication = (component, command.Action) switch
        {
            ("switch", CommandAction.On) => MqttPublication.Command(topic, "ON"),
            ("switch", CommandAction.Off) => MqttPublication.Command(topic, "OFF"),
            ("switch", CommandAction.Toggle) => MqttPublication.Command(topic, "TOGGLE", idempotent: false),
            ("light", CommandAction.On or CommandAction.Off) => Json(topic, w => w.WriteString("state", command.Action == CommandAction.On ? "ON" : "OFF")),
            ("light", CommandAction.Toggle) => Json(topic, w => w.WriteString("state", "TOGGLE"), idempotent: false),
            ("light", CommandAction.Set) when command.Attribute == ReadingAttributes.Brightness && command.Value?.Number is { } percent =>
                Json(topic, w => { w.WriteString("state", percent > 0 ? "ON" : "OFF"); w.WriteNumber("brightness", JsonPayload.Round(percent * 255 / 100)); }),
            ("light", CommandAction.Set) when command.Attribute == ReadingAttributes.ColorTemperature && command.Value?.Number is { } mireds =>
                Json(topic, w => { w.WriteString("state", "ON"); w.WriteNumber("color_temp", JsonPayload.Round(mireds)); }),
            ("cover", CommandAction.Open or CommandAction.Close or CommandAction.Stop) => MqttPublication.Command(topic, command.Action.ToString().ToUpperInvariant()),
            ("cover", CommandAction.Set) when command.Attribute == ReadingAttributes.Position && command.Value?.Number is { } position =>
                MqttPublication.Command($"{prefix}/cover/{command.Capability}/position/command", JsonPayload.Round(position).ToString()),
            ("button", CommandAction.Press) => MqttPublication.Command(topic, "PRESS", idempotent: false),
            ("number" or "select", CommandAction.Set) when command.Attribute is null && command.Value is { } value =>
                MqttPublication.Command(topic, value.Number is { } n ? JsonPayload.Format(n) : value.Text),
            _ => null,
        };
        return publication is null ? NotSupported(device, command) : CommandTranslation.Publish(publication);
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
