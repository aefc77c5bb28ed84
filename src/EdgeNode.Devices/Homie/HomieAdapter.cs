using System.Text.Json;
using EdgeNode.Core.Devices;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Devices;

/// <summary>
/// Homie 4 (homie/&lt;device&gt;/..., attributes $nodes, $properties, $datatype...) and Homie 5
/// (homie/5/&lt;device&gt;/..., one retained $description JSON). $state maps init to unknown, ready to online,
/// sleeping and alert to themselves, disconnected and lost to offline. A property becomes the capability
/// "&lt;node&gt;-&lt;property&gt;": settable boolean a switch, settable number a number, settable enum a select,
/// everything else a sensor. Commands are published to the property's /set topic.
/// </summary>
public sealed class HomieAdapter : ConventionAdapter
{
    private readonly string _root;
    private readonly Dictionary<string, Dictionary<string, HomieProperty>> _devices = new(StringComparer.Ordinal);

    public HomieAdapter(DeviceRegistry registry, ILogger logger, string root = "homie") : base(registry, logger)
    {
        _root = root.TrimEnd('/');
        SubscriptionFilters = [_root + "/#"];
    }

    public override DeviceConvention Convention => DeviceConvention.Homie;

    public override IReadOnlyList<string> SubscriptionFilters { get; }

    private sealed class HomieProperty(string node, string property, bool v5)
    {
        public string Node { get; } = node;
        public string Property { get; } = property;
        public bool V5 { get; } = v5;
        public string? Name { get; set; }
        public string? Datatype { get; set; }
        public string? Unit { get; set; }
        public string? Format { get; set; }
        public bool Settable { get; set; }
        public string Id => Node + "-" + Property;
    }

    protected override bool HandleCore(string topic, ReadOnlyMemory<byte> payload, bool retained)
    {
        if (!topic.StartsWith(_root + "/", StringComparison.Ordinal)) return false;
        var parts = topic[(_root.Length + 1)..].Split('/');
        var v5 = parts.Length >= 3 && parts[0] == "5";
        if (v5) parts = parts[1..];
        if (parts.Length < 2 || parts[0].Length == 0) return false;
        var id = parts[0];
        var rest = parts[1..];
        var text = JsonPayload.Text(payload);
        switch (rest)
        {
            case ["$state"]:
                return SetState(topic, id, text);
            case ["$name"]:
                Registry.SetDisplayName(EnsureDevice(id, id).Key, text);
                return true;
            case ["$description"] when v5:
                return Describe(topic, id, payload);
            case ["$homie" or "$nodes" or "$implementation" or "$extensions"]:
                EnsureDevice(id, id);
                return true;
            case ["$fw", "version"]:
                Registry.SetInfo(EnsureDevice(id, id).Key, new DeviceInfo(Firmware: text));
                return true;
            case [var node, "$name" or "$type" or "$properties"] when !node.StartsWith('$'):
                return true;
            case [var node, var property, var attribute] when attribute.StartsWith('$') && !v5:
                return Attribute(id, node, property, attribute, text);
            case [var node, var property] when !node.StartsWith('$') && !property.StartsWith('$'):
                return Value(id, node, property, v5, text);
            default:
                return false;
        }
    }

    private bool SetState(string topic, string id, string state)
    {
        DeviceAvailability? availability = state switch
        {
            "init" => DeviceAvailability.Unknown,
            "ready" => DeviceAvailability.Online,
            "sleeping" => DeviceAvailability.Sleeping,
            "alert" => DeviceAvailability.Alert,
            "disconnected" or "lost" => DeviceAvailability.Offline,
            _ => null,
        };
        if (availability is null) return Ignore(topic, "unknown $state");
        Registry.SetAvailability(EnsureDevice(id, id).Key, availability.Value);
        return true;
    }

    private bool Describe(string topic, string id, ReadOnlyMemory<byte> payload)
    {
        if (!JsonPayload.TryParse(payload, out var document)) return Ignore(topic, "$description is not JSON");
        using (document)
        {
            var root = document.RootElement;
            if (root.Object("nodes") is not { } nodes) return Ignore(topic, "$description has no nodes");
            var key = EnsureDevice(id, id).Key;
            if (root.String("name") is { Length: > 0 } name) Registry.SetDisplayName(key, name);
            var properties = PropertiesOf(id);
            foreach (var node in nodes.EnumerateObject())
            {
                if (node.Value.Object("properties") is not { } nodeProperties) continue;
                foreach (var p in nodeProperties.EnumerateObject())
                {
                    var property = new HomieProperty(node.Name, p.Name, v5: true)
                    {
                        Name = p.Value.String("name"),
                        Datatype = p.Value.String("datatype"),
                        Unit = p.Value.String("unit"),
                        Format = p.Value.String("format"),
                        Settable = p.Value.Bool("settable") == true,
                    };
                    properties[property.Id] = property;
                    Registry.UpsertCapability(key, ToCapability(property));
                }
            }
            return true;
        }
    }

    private bool Attribute(string id, string node, string name, string attribute, string text)
    {
        var properties = PropertiesOf(id);
        var capabilityId = node + "-" + name;
        if (!properties.TryGetValue(capabilityId, out var property)) properties[capabilityId] = property = new HomieProperty(node, name, v5: false);
        switch (attribute)
        {
            case "$name": property.Name = text; break;
            case "$datatype": property.Datatype = text; break;
            case "$unit": property.Unit = text; break;
            case "$format": property.Format = text; break;
            case "$settable": property.Settable = text == "true"; break;
            default: return false;
        }
        Registry.UpsertCapability(EnsureDevice(id, id).Key, ToCapability(property));
        return true;
    }

    private bool Value(string id, string node, string name, bool v5, string text)
    {
        var properties = PropertiesOf(id);
        var capabilityId = node + "-" + name;
        if (!properties.TryGetValue(capabilityId, out var property))
        {
            properties[capabilityId] = property = new HomieProperty(node, name, v5);
        }
        var key = EnsureDevice(id, id).Key;
        if (Registry.Find(key)?.FindCapability(capabilityId) is null) Registry.UpsertCapability(key, ToCapability(property));
        ReadingValue value = property.Datatype switch
        {
            "boolean" => JsonPayload.ParseFlag(text) is { } flag ? ReadingValue.Of(flag) : ReadingValue.Of(text),
            "integer" or "float" => JsonPayload.ParseNumber(text) is { } number ? ReadingValue.Of(number) : ReadingValue.Of(text),
            null => JsonPayload.ParseNumber(text) is { } guess ? ReadingValue.Of(guess) : ReadingValue.Of(text),
            _ => ReadingValue.Of(text),
        };
        Registry.Report(key, new ReadingUpdate(capabilityId, value));
        return true;
    }

    private Dictionary<string, HomieProperty> PropertiesOf(string id)
    {
        if (!_devices.TryGetValue(id, out var properties)) _devices[id] = properties = new(StringComparer.Ordinal);
        return properties;
    }

    private static Capability ToCapability(HomieProperty p)
    {
        var kind = (p.Datatype, p.Settable) switch
        {
            ("boolean", true) => CapabilityKind.Switch,
            ("boolean", false) => CapabilityKind.BinarySensor,
            ("integer" or "float", true) => CapabilityKind.Number,
            ("enum", true) => CapabilityKind.Select,
            _ => CapabilityKind.Sensor,
        };
        double? min = null, max = null;
        // A number's $format is "from:to" (Homie 5 adds ":step").
        if (kind == CapabilityKind.Number && p.Format?.Split(':') is [var from, var to, ..])
        {
            min = JsonPayload.ParseNumber(from);
            max = JsonPayload.ParseNumber(to);
        }
        return new Capability(p.Id, kind)
        {
            Name = p.Name,
            Unit = p.Unit,
            DeviceClass = Units.DeviceClassFor(p.Unit, p.Id),
            Min = min,
            Max = max,
            Options = kind == CapabilityKind.Select && p.Format is { } options ? options.Split(',') : [],
        };
    }

    protected override CommandTranslation TranslateCore(Device device, DeviceCommand command)
    {
        // Homie values are retained, so the last known state is already the answer to "status".
        if (command.Action == CommandAction.Status) return CommandTranslation.Nothing;
        if (command.Capability is null || !PropertiesOf(device.Key.NativeId).TryGetValue(command.Capability, out var property)) return NotSupported(device, command);
        var topic = $"{_root}/{(property.V5 ? "5/" : "")}{device.Key.NativeId}/{property.Node}/{property.Property}/set";
        var capability = device.FindCapability(command.Capability);
        string? payload = (command.Action, capability?.Kind) switch
        {
            (CommandAction.On, CapabilityKind.Switch) => "true",
            (CommandAction.Off, CapabilityKind.Switch) => "false",
            // Homie has no toggle; invert the last known value, and refuse when there is none.
            (CommandAction.Toggle, CapabilityKind.Switch) => device.ReadingOf(command.Capability)?.Value.Flag is { } current ? (current ? "false" : "true") : null,
            (CommandAction.Set, CapabilityKind.Number) when command.Value?.Number is { } n => JsonPayload.Format(property.Datatype == "integer" ? Math.Round(n) : n),
            (CommandAction.Set, CapabilityKind.Select) when command.Value is { } option => option.Text,
            _ => null,
        };
        return payload is null ? NotSupported(device, command) : CommandTranslation.Publish(MqttPublication.Command(topic, payload));
    }
}
