using EdgeNode.Core.Devices;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Devices;

/// <summary>The limits on new devices (Devices:MaxPerAccount, MaxPerBridge, MaxPerNode, NewPerMinute).</summary>
public sealed record DeviceLimits
{
    /// <summary>Devices one device account may announce (its own discovery).</summary>
    public int MaxPerAccount { get; init; } = 16;

    /// <summary>Devices announced through one convention by publishers the broker does not restrict to their own name:
    /// admin-granted bridges such as Zigbee2MQTT, loopback clients, the upstream bridge. They may add this many a minute.</summary>
    public int MaxPerBridge { get; init; } = 500;

    /// <summary>Devices the node keeps in all.</summary>
    public int MaxPerNode { get; init; } = 2000;

    /// <summary>New devices one device account may announce a minute (a device removed and announced again counts again).</summary>
    public int NewPerMinute { get; init; } = 16;
}

/// <summary>
/// Decides whether a device not seen before may be added, before the registry (and so before any roster, Matrix or
/// store work) hears of it. A refusal is logged once per burst: once, and again only after a device of that
/// announcer was admitted or its minute passed. Thread-safe; shared by every adapter.
/// </summary>
public sealed class DeviceAdmission(DeviceRegistry registry, DeviceLimits limits, ILogger logger, TimeProvider? time = null)
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Lock _gate = new();
    private readonly Dictionary<DeviceKey, string> _announcerOf = [];
    private readonly Dictionary<string, Announcer> _announcers = new(StringComparer.Ordinal);

    public DeviceLimits Limits => limits;

    /// <summary>
    /// True when <paramref name="key"/> may be added. <paramref name="account"/> is the device account that announced
    /// it, or null for an unrestricted publisher, counted per <paramref name="convention"/> as one bridge.
    /// </summary>
    public bool TryAdmit(DeviceConvention convention, DeviceKey key, string? account)
    {
        var name = account ?? "bridge:" + convention;
        var limit = account is null ? limits.MaxPerBridge : limits.MaxPerAccount;
        var perMinute = account is null ? limits.MaxPerBridge : limits.NewPerMinute;
        var all = registry.All;
        lock (_gate)
        {
            if (!_announcers.TryGetValue(name, out var announcer)) _announcers[name] = announcer = new Announcer();
            var now = _time.GetUtcNow();
            if (now - announcer.WindowStart >= Window)
            {
                announcer.WindowStart = now;
                announcer.AddedInWindow = 0;
                announcer.Refusing = false;
            }
            var held = all.Count(d => _announcerOf.TryGetValue(d.Key, out var of) && of == name);
            string? reason = all.Count >= limits.MaxPerNode ? $"the node has {all.Count} devices (Devices:MaxPerNode {limits.MaxPerNode})"
                : held >= limit ? $"it has {held} devices ({(account is null ? "Devices:MaxPerBridge" : "Devices:MaxPerAccount")} {limit})"
                : announcer.AddedInWindow >= perMinute ? $"it added {announcer.AddedInWindow} devices this minute ({(account is null ? "Devices:MaxPerBridge" : "Devices:NewPerMinute")} {perMinute})"
                : null;
            if (reason is not null)
            {
                if (!announcer.Refusing) logger.DeviceRefused(convention, key.NativeId, name, reason);
                announcer.Refusing = true;
                return false;
            }
            announcer.AddedInWindow++;
            announcer.Refusing = false;
            _announcerOf[key] = name;
            return true;
        }
    }

    private sealed class Announcer
    {
        public DateTimeOffset WindowStart { get; set; } = DateTimeOffset.MinValue;
        public int AddedInWindow { get; set; }
        public bool Refusing { get; set; }
    }
}
