using System.Text.Json;
using EdgeNode.Core.Devices;

namespace EdgeNode.Devices;

/// <summary>The "device" and "origin" blocks of a discovery config.</summary>
internal static class HaDevice
{
    public static string? FirstIdentifier(JsonElement? device)
    {
        var keys = device is { } d ? HaKeys.For(d) : default;
        return device is null ? null : keys.Get("identifiers") switch
        {
            { ValueKind: JsonValueKind.Array } list when list.GetArrayLength() > 0 => list[0].AsString(),
            { } single => single.AsString(),
            null => null,
        };
    }

    public static DeviceInfo Info(JsonElement device)
    {
        var keys = HaKeys.For(device);
        return new DeviceInfo(keys.String("model"), keys.String("manufacturer"), keys.String("sw_version"));
    }

    /// <summary>ESPHome names itself in the origin block, and older versions in the device's software version.</summary>
    public static bool IsEspHome(JsonElement config)
    {
        var keys = HaKeys.For(config);
        if (keys.Get("origin") is { } origin && HaKeys.For(origin).String("name") is { } name
            && name.Equals("esphome", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        return keys.Get("device") is { } device && HaKeys.For(device).String("sw_version") is { } sw
            && sw.StartsWith("esphome", StringComparison.OrdinalIgnoreCase);
    }
}
