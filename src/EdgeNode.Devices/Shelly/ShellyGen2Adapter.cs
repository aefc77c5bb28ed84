using System.Buffers;
using System.Globalization;
using System.Text.Json;
using EdgeNode.Core.Devices;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Devices;

/// <summary>
/// Shelly Gen2/Gen3 devices with MQTT enabled ("RPC status notifications" and "generic status update" on):
/// &lt;prefix&gt;/online true/false, &lt;prefix&gt;/events/rpc NotifyStatus and NotifyFullStatus,
/// &lt;prefix&gt;/status/&lt;component&gt;. Commands go as JSON-RPC to &lt;prefix&gt;/rpc with src "&lt;prefix&gt;/edgenode",
/// whose answers arrive on &lt;prefix&gt;/edgenode/rpc (the device answers on "&lt;src&gt;/rpc", and so stays within its own
/// topics, which its account may publish to); or, when <c>simpleCommands</c> is set, switches take the plain
/// &lt;prefix&gt;/command/switch:N on/off/toggle form. Capability ids are the Shelly component names ("switch:0").
/// </summary>
public sealed class ShellyGen2Adapter : ConventionAdapter
{
    public const string RpcSource = "edgenode";

    private readonly bool _simpleCommands;
    private int _nextRequestId;

    public ShellyGen2Adapter(DeviceRegistry registry, ILogger logger, bool simpleCommands = false) : base(registry, logger) =>
        _simpleCommands = simpleCommands;

    public override DeviceConvention Convention => DeviceConvention.ShellyGen2;

    public override IReadOnlyList<string> SubscriptionFilters { get; } = ["+/online", "+/events/rpc", "+/status/+", "+/" + RpcSource + "/rpc"];

    protected override bool HandleCore(string topic, ReadOnlyMemory<byte> payload, bool retained)
    {
        var parts = topic.Split('/');
        if (parts.Length == 2 && parts[1] == "online") return HandleOnline(topic, parts[0], payload);
        if (parts is [_, RpcSource, "rpc"]) return HandleResponse(topic, parts[0], payload);
        var isEvent = parts is [_, "events", "rpc"];
        var isStatus = parts is [_, "status", _];
        if (!isEvent && !isStatus) return false;
        if (!JsonPayload.TryParse(payload, out var document)) return Ignore(topic, "not JSON");
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return Ignore(topic, "not a JSON object");
            if (isStatus)
            {
                if (!IsComponent(parts[2])) return false;
                var key = EnsureDevice(parts[0], parts[0]).Key;
                return ApplyComponents(key, [(parts[2], root)]);
            }
            var method = root.String("method");
            if (method is not ("NotifyStatus" or "NotifyFullStatus") || root.Object("params") is not { } parameters) return false;
            var deviceKey = EnsureDevice(parts[0], parts[0]).Key;
            if (method == "NotifyFullStatus") Registry.SetAvailability(deviceKey, DeviceAvailability.Online);
            return ApplyComponents(deviceKey, [.. parameters.EnumerateObject().Where(p => IsComponent(p.Name)).Select(p => (p.Name, p.Value))]);
        }
    }

    private bool HandleOnline(string topic, string prefix, ReadOnlyMemory<byte> payload)
    {
        var online = JsonPayload.ParseFlag(JsonPayload.Text(payload));
        if (online is null) return Ignore(topic, "online is neither true nor false");
        Registry.SetAvailability(EnsureDevice(prefix, prefix).Key, online.Value ? DeviceAvailability.Online : DeviceAvailability.Offline);
        return true;
    }

    /// <summary>Answers to our own requests: Shelly.GetDeviceInfo gives the model, Shelly.GetStatus the full state.</summary>
    private bool HandleResponse(string topic, string prefix, ReadOnlyMemory<byte> payload)
    {
        if (!JsonPayload.TryParse(payload, out var document)) return Ignore(topic, "not JSON");
        using (document)
        {
            var root = document.RootElement;
            // The answer is the device's own only under its own prefix: the topic names it, whatever the payload says.
            if (root.String("src") != prefix || root.Object("result") is not { } result) return false;
            if (Registry.Find(new DeviceKey(Convention, prefix)) is not { } device) return false;
            if (result.String("model") is { } model) Registry.SetInfo(device.Key, new DeviceInfo(model, "Shelly", result.String("ver")));
            return ApplyComponents(device.Key, [.. result.EnumerateObject().Where(p => IsComponent(p.Name)).Select(p => (p.Name, p.Value))]) || true;
        }
    }

    private static bool IsComponent(string name) =>
        name.IndexOf(':') is > 0 and var colon && int.TryParse(name.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out _);

    private bool ApplyComponents(DeviceKey key, IReadOnlyList<(string Name, JsonElement Value)> components)
    {
        var readings = new List<ReadingUpdate>();
        foreach (var (name, value) in components)
        {
            if (value.ValueKind != JsonValueKind.Object) continue;
            var type = name[..name.IndexOf(':')];
            switch (type)
            {
                case "switch":
                    Upsert(key, new Capability(name, CapabilityKind.Switch));
                    if (value.Bool("output") is { } output) readings.Add(new ReadingUpdate(name, ReadingValue.Of(output)));
                    Meter(key, name, value, readings);
                    break;
                case "light":
                    Upsert(key, new Capability(name, CapabilityKind.Light) { HasBrightness = true });
                    if (value.Bool("output") is { } lit) readings.Add(new ReadingUpdate(name, ReadingValue.Of(lit)));
                    if (value.Number("brightness") is { } brightness) readings.Add(new ReadingUpdate(name, ReadingValue.Of(brightness), ReadingAttributes.Brightness));
                    break;
                case "cover":
                    Upsert(key, new Capability(name, CapabilityKind.Cover) { HasPosition = value.Property("current_pos") is not null || Registry.Find(key)?.FindCapability(name)?.HasPosition == true });
                    if (value.String("state") is { } state) readings.Add(new ReadingUpdate(name, ReadingValue.Of(state)));
                    if (value.Number("current_pos") is { } position) readings.Add(new ReadingUpdate(name, ReadingValue.Of(position), ReadingAttributes.Position));
                    Meter(key, name, value, readings);
                    break;
                case "input":
                    if (value.Bool("state") is { } pressed)
                    {
                        Upsert(key, new Capability(name, CapabilityKind.BinarySensor));
                        readings.Add(new ReadingUpdate(name, ReadingValue.Of(pressed)));
                    }
                    break;
                case "temperature":
                    Sensor(key, name, value.Number("tC"), "°C", "temperature", readings);
                    break;
                case "humidity":
                    Sensor(key, name, value.Number("rh"), "%", "humidity", readings);
                    break;
                case "devicepower":
                    Sensor(key, name, value.Object("battery")?.Number("percent"), "%", "battery", readings);
                    break;
            }
        }
        Registry.Report(key, readings);
        return readings.Count > 0;
    }

    /// <summary>Power metering of a switch or cover channel: "switch:0-power", "-voltage", "-current", "-energy", "-temperature".</summary>
    private void Meter(DeviceKey key, string component, JsonElement value, List<ReadingUpdate> readings)
    {
        Sensor(key, component + "-power", value.Number("apower"), "W", "power", readings);
        Sensor(key, component + "-voltage", value.Number("voltage"), "V", "voltage", readings);
        Sensor(key, component + "-current", value.Number("current"), "A", "current", readings);
        Sensor(key, component + "-energy", value.Object("aenergy")?.Number("total"), "Wh", "energy", readings);
        // The channel's own electronics temperature: a health value, not the room's, so it must not lead a status line.
        Sensor(key, component + "-temperature", value.Object("temperature")?.Number("tC"), "°C", "device_temperature", readings);
    }

    private void Sensor(DeviceKey key, string id, double? value, string unit, string deviceClass, List<ReadingUpdate> readings)
    {
        if (value is not { } number) return;
        Upsert(key, new Capability(id, CapabilityKind.Sensor) { Unit = unit, DeviceClass = deviceClass });
        readings.Add(new ReadingUpdate(id, ReadingValue.Of(number)));
    }

    private void Upsert(DeviceKey key, Capability capability)
    {
        if (Registry.Find(key)?.FindCapability(capability.Id) != capability) Registry.UpsertCapability(key, capability);
    }

    protected override CommandTranslation TranslateCore(Device device, DeviceCommand command)
    {
        var prefix = device.Key.NativeId;
        if (command.Action == CommandAction.Status) return CommandTranslation.Publish(Rpc(prefix, "Shelly.GetStatus", null, null));
        if (command.Capability is not { } component || component.IndexOf(':') is not (> 0 and var colon)
            || !int.TryParse(component.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var channel))
        {
            return NotSupported(device, command);
        }
        var type = component[..colon];
        if (_simpleCommands && type == "switch" && command.Action is CommandAction.On or CommandAction.Off or CommandAction.Toggle)
        {
            return CommandTranslation.Publish(MqttPublication.Command($"{prefix}/command/{component}",
                command.Action.ToString().ToLowerInvariant(), idempotent: command.Action != CommandAction.Toggle));
        }
        var api = type switch { "switch" => "Switch", "light" => "Light", "cover" => "Cover", _ => null };
        if (api is null) return NotSupported(device, command);
        return (type, command.Action) switch
        {
            ("switch" or "light", CommandAction.On or CommandAction.Off) =>
                CommandTranslation.Publish(Rpc(prefix, api + ".Set", channel, w => w.WriteBoolean("on", command.Action == CommandAction.On))),
            ("switch" or "light", CommandAction.Toggle) => CommandTranslation.Publish(Rpc(prefix, api + ".Toggle", channel, null, idempotent: false)),
            ("light", CommandAction.Set) when command.Attribute == ReadingAttributes.Brightness && command.Value?.Number is { } percent =>
                CommandTranslation.Publish(Rpc(prefix, "Light.Set", channel, w => w.WriteNumber("brightness", JsonPayload.Round(percent)))),
            ("cover", CommandAction.Open or CommandAction.Close or CommandAction.Stop) =>
                CommandTranslation.Publish(Rpc(prefix, "Cover." + command.Action, channel, null)),
            ("cover", CommandAction.Set) when command.Attribute == ReadingAttributes.Position && command.Value?.Number is { } position =>
                CommandTranslation.Publish(Rpc(prefix, "Cover.GoToPosition", channel, w => w.WriteNumber("pos", JsonPayload.Round(position)))),
            _ => NotSupported(device, command),
        };
    }

    private MqttPublication Rpc(string prefix, string method, int? channel, Action<Utf8JsonWriter>? parameters, bool idempotent = true)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("id", Interlocked.Increment(ref _nextRequestId));
            writer.WriteString("src", prefix + "/" + RpcSource);
            writer.WriteString("method", method);
            if (channel is not null || parameters is not null)
            {
                writer.WriteStartObject("params");
                if (channel is { } id) writer.WriteNumber("id", id);
                parameters?.Invoke(writer);
                writer.WriteEndObject();
            }
            writer.WriteEndObject();
        }
        return new MqttPublication(prefix + "/rpc", buffer.WrittenSpan.ToArray(), idempotent ? (byte)1 : (byte)0);
    }
}
