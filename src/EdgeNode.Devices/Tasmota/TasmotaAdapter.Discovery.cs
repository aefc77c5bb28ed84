using System.Text.Json;
using EdgeNode.Core.Devices;

namespace EdgeNode.Devices;

/// <summary>
/// Tasmota's native discovery (SetOption19 0, the default): a retained tasmota/discovery/&lt;MAC&gt;/config names the
/// device's topic ("t"), friendly names ("fn"), module ("md"), firmware ("sw") and relays ("rl": 1 relay, 2 light), and
/// /sensors carries a SENSOR-shaped "sn". The broker lets only the device account that first published under a MAC
/// publish there again; the node also requires the topic to be that account's own name, so one device cannot rename or
/// describe another.
/// </summary>
public sealed partial class TasmotaAdapter
{
    private const string DiscoveryRoot = "tasmota/discovery";
    private const string DiscoveryRoot0 = "tasmota";
    private const string DiscoveryRoot1 = "discovery";
    private const string DefaultFullTopic = "%prefix%/%topic%/";

    private readonly Dictionary<string, string> _topicOfMac = new(StringComparer.Ordinal);

    private bool HandleDiscovery(string topic, string mac, string kind, ReadOnlyMemory<byte> payload)
    {
        // An empty retained message clears the discovery (the device turned it off); nothing to learn from it.
        if (payload.IsEmpty) return false;
        if (!JsonPayload.TryParse(payload, out var document)) return Ignore(topic, "not JSON");
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return Ignore(topic, "not a JSON object");
            if (kind == "sensors")
            {
                if (!_topicOfMac.TryGetValue(mac, out var known) || Registry.Find(new DeviceKey(Convention, known)) is not { } device) return false;
                return root.Object("sn") is { } sensors && ApplySensors(device.Key, sensors);
            }

            if (root.String("t") is not { Length: > 0 } deviceTopic || deviceTopic.Contains('/')) return Ignore(topic, "no topic (t)");
            if (root.String("ft") is { } fullTopic && fullTopic != DefaultFullTopic) return Ignore(topic, $"full topic {fullTopic} is not {DefaultFullTopic}");
            if (TopicAccess is { } access && (!access.IsDeviceAccount(deviceTopic) || !access.MayPublish(deviceTopic, topic)))
            {
                return Ignore(topic, $"its topic {deviceTopic} is not the device account that holds this MAC");
            }

            _topicOfMac[mac] = deviceTopic;
            var names = root.Property("fn") is { ValueKind: JsonValueKind.Array } fn ? [.. fn.EnumerateArray().Select(n => n.AsString())] : Array.Empty<string?>();
            var displayName = names.FirstOrDefault(n => !string.IsNullOrWhiteSpace(n)) ?? root.String("dn");
            var key = EnsureDevice(deviceTopic, deviceTopic, displayName).Key;
            if (displayName is not null) Registry.SetDisplayName(key, displayName);
            Registry.SetInfo(key, new DeviceInfo(root.String("md"), null, root.String("sw")));
            if (root.Property("rl") is { ValueKind: JsonValueKind.Array } relays) DescribeRelays(key, relays, names);
            return true;
        }
    }

    // Tasmota calls a lone relay POWER and several POWER1..n, in the order of "rl".
    private void DescribeRelays(DeviceKey key, JsonElement relays, string?[] names)
    {
        var kinds = relays.EnumerateArray().Select(r => r.AsNumber() ?? 0).ToList();
        var count = kinds.Count(k => k is 1 or 2);
        for (var i = 0; i < kinds.Count; i++)
        {
            if (kinds[i] is not (1 or 2)) continue;
            var id = count == 1 ? "power" : "power" + (i + 1);
            var existing = Registry.Find(key)?.FindCapability(id);
            Registry.UpsertCapability(key, new Capability(id, kinds[i] == 2 ? CapabilityKind.Light : CapabilityKind.Switch)
            {
                Name = count > 1 && i < names.Length && !string.IsNullOrWhiteSpace(names[i]) ? names[i] : existing?.Name,
                HasBrightness = existing?.HasBrightness == true,
                HasColorTemperature = existing?.HasColorTemperature == true,
            });
        }
    }
}
