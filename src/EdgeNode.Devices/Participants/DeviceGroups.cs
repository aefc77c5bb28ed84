using EdgeNode.Core.Devices;

namespace EdgeNode.Devices.Participants;

/// <summary>The roster group a device goes in: what it mostly is, so a contact list reads "Lights", "Switches", "Sensors".</summary>
internal static class DeviceGroups
{
    public static string Of(Device device)
    {
        var kinds = device.Capabilities.Select(c => c.Kind).ToHashSet();
        if (kinds.Contains(CapabilityKind.Light)) return "Lights";
        if (kinds.Contains(CapabilityKind.Switch)) return "Switches";
        if (kinds.Contains(CapabilityKind.Cover)) return "Covers";
        if (kinds.Contains(CapabilityKind.Button)) return "Buttons";
        if (kinds.Contains(CapabilityKind.Sensor) || kinds.Contains(CapabilityKind.BinarySensor)) return "Sensors";
        return "Devices";
    }
}
