using System.Buffers;
using System.Text.Json;
using EdgeNode.Core.Devices;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Devices;

/// <summary>
/// Home Assistant MQTT discovery: &lt;prefix&gt;/&lt;component&gt;/[&lt;node&gt;/]&lt;object&gt;/config per entity and
/// &lt;prefix&gt;/device/&lt;id&gt;/config with "cmps" for a whole device, abbreviations and "~" included. Entities
/// are grouped into devices by their first device identifier (else the node id); the address comes from the node
/// id, else the device name. After discovery the adapter also needs the state and availability topics the configs
/// name, so <see cref="SubscriptionFilters"/> grows. Configs that come from ESPHome are left to
/// <see cref="EspHomeAdapter"/>, which owns those devices.
/// </summary>
public sealed class HaDiscoveryAdapter : ConventionAdapter
{
    private readonly string _prefix;
    private readonly bool _leaveEspHome;
    private readonly Dictionary<string, List<(DeviceKey Device, HaEntity Entity)>> _byConfig = new(StringComparer.Ordinal);
    private Dictionary<string, List<(DeviceKey Device, HaEntity Entity)>> _byTopic = new(StringComparer.Ordinal);
    private readonly Dictionary<DeviceKey, string?> _accountOf = [];
    private readonly HashSet<string> _templatesLogged = new(StringComparer.Ordinal);
    private volatile string[] _filters;

    public HaDiscoveryAdapter(DeviceRegistry registry, ILogger logger, string prefix = "homeassistant", bool leaveEspHomeToItsAdapter = true)
        : base(registry, logger)
    {
        _prefix = prefix.TrimEnd('/');
        _leaveEspHome = leaveEspHomeToItsAdapter;
        _filters = DiscoveryFilters(_prefix);
    }

    public override DeviceConvention Convention => DeviceConvention.HomeAssistant;

    public override IReadOnlyList<string> SubscriptionFilters => _filters;

    public static string[] DiscoveryFilters(string prefix) => [prefix + "/+/+/config", prefix + "/+/+/+/config"];

    protected override bool HandleCore(string topic, ReadOnlyMemory<byte> payload, bool retained)
    {
        // The length check keeps "<prefix>/config" out: there the prefix's slash and the suffix's slash are one.
        if (topic.Length >= _prefix.Length + 1 + "/config".Length
            && topic.StartsWith(_prefix + "/", StringComparison.Ordinal) && topic.EndsWith("/config", StringComparison.Ordinal))
        {
            var parts = topic[(_prefix.Length + 1)..^"/config".Length].Split('/');
            if (parts.Length is 2 or 3) return HandleConfig(topic, parts, payload);
        }
        return _byTopic.TryGetValue(topic, out var entities) && HandleState(topic, entities, JsonPayload.Text(payload));
    }

    private bool HandleConfig(string topic, string[] parts, ReadOnlyMemory<byte> payload)
    {
        var component = parts[0];
        var nodeId = parts.Length == 3 ? parts[1] : null;
        var objectId = parts[^1];
        if (payload.IsEmpty) return Forget(topic);
        if (!JsonPayload.TryParse(payload, out var document)) return Ignore(topic, "discovery config is not JSON");
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return Ignore(topic, "discovery config is not a JSON object");
            if (_leaveEspHome && HaDevice.IsEspHome(root)) return false;
            var keys = HaKeys.For(root);
            var deviceInfo = keys.Get("device");
            var deviceName = deviceInfo?.String("name");
            // The broker lets a device account write discovery only under its own name (node id, else object id), so
            // that name is who announced it: all its configs make one device with that address, never one the payload
            // names. Configs under other names come from publishers the broker does not restrict (admin-granted
            // bridges, loopback, the upstream bridge) and keep Home Assistant's grouping by device identifier.
            var account = nodeId ?? objectId;
            if (TopicAccess?.IsDeviceAccount(account) != true) account = null;
            var nativeId = account ?? HaDevice.FirstIdentifier(deviceInfo) ?? nodeId ?? objectId;
            var deviceKey = new DeviceKey(Convention, nativeId);
            if (_accountOf.TryGetValue(deviceKey, out var holder) && holder != account)
                return Ignore(topic, $"device '{nativeId}' was announced by {holder ?? "a trusted publisher"}");
            var key = deviceKey;

            var entities = new List<(DeviceKey, HaEntity)>();
            if (component == "device")
            {
                if (keys.Get("components") is not { ValueKind: JsonValueKind.Object } components) return Ignore(topic, "device config has no components");
                foreach (var c in components.EnumerateObject())
                {
                    var platform = HaKeys.For(c.Value).String("platform");
                    if (platform is not null && HaEntity.Read(platform, c.Name, c.Value, root) is { } entity) entities.Add((key, entity));
                    else Logger.ComponentUnsupported(Convention, topic, platform ?? "?");
                }
            }
            else if (HaEntity.Read(component, objectId, root, null) is { } entity)
            {
                entities.Add((key, entity));
            }
            else
            {
                Logger.ComponentUnsupported(Convention, topic, component);
                return false;
            }
            // Checked before the device exists, so a refused config costs no roster, Matrix or store work.
            foreach (var (_, entity) in entities)
            {
                if (account is not null && OutsideAccess(account, entity) is { } outside)
                {
                    Logger.TopicOutsideAccess(Convention, topic, account, outside);
                    return false;
                }
            }
            EnsureDevice(nativeId, account ?? (component == "device" ? objectId : nodeId) ?? deviceName ?? nativeId, deviceName, account);
            _accountOf[key] = account;
            if (deviceName is not null) Registry.SetDisplayName(key, deviceName);
            if (deviceInfo is { } info) Registry.SetInfo(key, HaDevice.Info(info));
            // Re-announcing a config is common (at every restart): indexed once, after, so the filters do not flicker.
            Forget(topic, removeEmptyDevice: false, reindex: false);
            _byConfig[topic] = entities;
            foreach (var (_, entity) in entities) Registry.UpsertCapability(key, entity.Capability);
            Reindex();
            UpdateAvailability(key);
            return true;
        }
    }

    protected override string? AccountOfCore(DeviceKey key) => _accountOf.GetValueOrDefault(key);

    /// <summary>The first topic of the entity the account could not use itself, or null when it may use them all.</summary>
    private string? OutsideAccess(string account, HaEntity entity)
    {
        foreach (var command in new[] { entity.CommandTopic, entity.BrightnessCommandTopic, entity.ColorTempCommandTopic, entity.SetPositionTopic })
        {
            if (command is not null && !TopicAccess!.MayPublish(account, command)) return command;
        }
        foreach (var read in entity.Topics())
        {
            if (!TopicAccess!.MaySubscribe(account, read)) return read;
        }
        return null;
    }

    private bool Forget(string configTopic, bool removeEmptyDevice = true, bool reindex = true)
    {
        if (!_byConfig.Remove(configTopic, out var entities)) return false;
        foreach (var (key, entity) in entities)
        {
            Registry.RemoveCapability(key, entity.ObjectId);
            if (removeEmptyDevice && !_byConfig.Values.Any(list => list.Any(e => e.Device == key)))
            {
                Registry.Remove(key);
                _accountOf.Remove(key);
                Logger.DeviceRemoved(Convention, key.NativeId);
            }
        }
        if (reindex) Reindex();
        return true;
    }

    private void Reindex()
    {
        var byTopic = new Dictionary<string, List<(DeviceKey, HaEntity)>>(StringComparer.Ordinal);
        foreach (var entry in _byConfig.Values.SelectMany(list => list))
        {
            foreach (var topic in entry.Entity.Topics().Distinct())
            {
                if (!byTopic.TryGetValue(topic, out var list)) byTopic[topic] = list = [];
                list.Add(entry);
            }
        }
        _byTopic = byTopic;
        string[] filters = [.. DiscoveryFilters(_prefix), .. byTopic.Keys.Where(TopicFilter.IsValidTopicName)];
        if (filters.SequenceEqual(_filters, StringComparer.Ordinal)) return;
        _filters = filters;
        OnFiltersChanged();
    }

    private bool HandleState(string topic, List<(DeviceKey Device, HaEntity Entity)> entities, string payload)
    {
        foreach (var (key, entity) in entities)
        {
            var readings = new List<ReadingUpdate>();
            foreach (var availability in entity.Availability.Where(a => a.Topic == topic))
            {
                var value = Evaluate(topic, availability.Template, payload);
                bool? online = value == availability.Available ? true : value == availability.NotAvailable ? false : null;
                if (online is null) continue;
                entity.AvailabilitySeen[topic] = online.Value;
                entity.LatestAvailability = online;
                UpdateAvailability(key);
            }
            var id = entity.ObjectId;
            if (topic == entity.StateTopic) ReadState(topic, entity, payload, readings);
            if (topic == entity.BrightnessStateTopic && JsonPayload.ParseNumber(Evaluate(topic, entity.BrightnessTemplate, payload)) is { } brightness)
            {
                readings.Add(new ReadingUpdate(id, ReadingValue.Of(Math.Round(brightness / entity.BrightnessScale * 100)), ReadingAttributes.Brightness));
            }
            if (topic == entity.ColorTempStateTopic && JsonPayload.ParseNumber(payload) is { } mireds)
            {
                readings.Add(new ReadingUpdate(id, ReadingValue.Of(mireds), ReadingAttributes.ColorTemperature));
            }
            if (topic == entity.PositionTopic && JsonPayload.ParseNumber(Evaluate(topic, entity.ValueTemplate, payload)) is { } position)
            {
                readings.Add(new ReadingUpdate(id, ReadingValue.Of(position), ReadingAttributes.Position));
            }
            Registry.Report(key, readings);
        }
        return true;
    }

    private void ReadState(string topic, HaEntity entity, string payload, List<ReadingUpdate> readings)
    {
        var id = entity.ObjectId;
        if (entity.Component == "light" && entity.JsonSchema)
        {
            if (!JsonPayload.TryParse(System.Text.Encoding.UTF8.GetBytes(payload), out var document)) { Ignore(topic, "JSON light state is not JSON"); return; }
            using (document)
            {
                var state = document.RootElement;
                if (state.String("state") is { } s) readings.Add(new ReadingUpdate(id, ReadingValue.Of(s == entity.StateOn)));
                if (state.Number("brightness") is { } b) readings.Add(new ReadingUpdate(id, ReadingValue.Of(Math.Round(b / entity.BrightnessScale * 100)), ReadingAttributes.Brightness));
                if (state.Number("color_temp") is { } ct) readings.Add(new ReadingUpdate(id, ReadingValue.Of(ct), ReadingAttributes.ColorTemperature));
            }
            return;
        }
        if (entity.Capability.Kind == CapabilityKind.Button) return;
        var value = Evaluate(topic, entity.ValueTemplate, payload);
        if (value is null) return;
        switch (entity.Capability.Kind)
        {
            case CapabilityKind.BinarySensor or CapabilityKind.Switch or CapabilityKind.Light:
                if (value == entity.StateOn) readings.Add(new ReadingUpdate(id, ReadingValue.Of(true)));
                else if (value == entity.StateOff) readings.Add(new ReadingUpdate(id, ReadingValue.Of(false)));
                break;
            case CapabilityKind.Sensor or CapabilityKind.Number:
                readings.Add(new ReadingUpdate(id, JsonPayload.ParseNumber(value) is { } n ? ReadingValue.Of(n) : ReadingValue.Of(value)));
                break;
            default:
                readings.Add(new ReadingUpdate(id, ReadingValue.Of(value)));
                break;
        }
    }

    private string? Evaluate(string topic, string? template, string payload)
    {
        if (template is null) return payload;
        if (ValueTemplate.TryApply(template, payload, out var result)) return result;
        if (_templatesLogged.Add(topic + "\n" + template)) Logger.TemplateNotEvaluated(Convention, topic, template);
        return payload;
    }

    private void UpdateAvailability(DeviceKey key)
    {
        var states = _byConfig.Values.SelectMany(l => l).Where(e => e.Device == key).Select(e => e.Entity.Available).ToList();
        var availability = states.Any(s => s == true) ? DeviceAvailability.Online
            : states.Count > 0 && states.All(s => s == false) ? DeviceAvailability.Offline
            : DeviceAvailability.Unknown;
        Registry.SetAvailability(key, availability);
    }

    protected override CommandTranslation TranslateCore(Device device, DeviceCommand command)
    {
        if (command.Action == CommandAction.Status) return CommandTranslation.Nothing;
        var entity = _byConfig.Values.SelectMany(l => l).FirstOrDefault(e => e.Device == device.Key && e.Entity.ObjectId == command.Capability).Entity;
        if (entity is null) return NotSupported(device, command);
        var publication = HaCommands.Translate(entity, device, command);
        return publication is null ? NotSupported(device, command) : CommandTranslation.Publish(publication);
    }
}
