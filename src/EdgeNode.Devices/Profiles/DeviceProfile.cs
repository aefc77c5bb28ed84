using EdgeNode.Core.Devices;

namespace EdgeNode.Devices;

/// <summary>A hand-declared device: its topics, payloads and capabilities (format: firmware-config/profiles/README.md).</summary>
public sealed record DeviceProfile(string Id, string Name, DeviceInfo Info, ProfileAvailability? Availability, IReadOnlyList<ProfileCapability> Capabilities);

public sealed record ProfileAvailability(string Topic, string Online, string Offline);

/// <summary>
/// One capability of a profile. <see cref="Field"/> is a dotted path into a JSON state payload (absent: the whole
/// payload is the value). <see cref="Payloads"/> maps on/off/toggle/open/close/stop/press to what the device
/// sends and accepts; <see cref="CommandTemplate"/> places a set value with "{value}".
/// </summary>
public sealed record ProfileCapability(Capability Capability, string? StateTopic, string? Field, string? CommandTopic,
    IReadOnlyDictionary<string, string> Payloads, string? CommandTemplate, byte Qos);
