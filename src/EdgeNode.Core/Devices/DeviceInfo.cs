namespace EdgeNode.Core.Devices;

/// <summary>What a device says about itself; it feeds the vCard.</summary>
public sealed record DeviceInfo(string? Model = null, string? Manufacturer = null, string? Firmware = null)
{
    public static DeviceInfo Empty { get; } = new();

    /// <summary>Keeps what is known when a later message carries only part of the description.</summary>
    public DeviceInfo Merge(DeviceInfo newer) =>
        new(newer.Model ?? Model, newer.Manufacturer ?? Manufacturer, newer.Firmware ?? Firmware);
}
