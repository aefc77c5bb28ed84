namespace EdgeNode.Core.Devices;

public enum DeviceChangeKind
{
    Added,
    /// <summary>Name, model information or capabilities changed.</summary>
    Described,
    Availability,
    Readings,
    /// <summary>The chat address changed (a user account took the name).</summary>
    Renamed,
    Access,
    Removed,
}

/// <summary>
/// One change to one device. <see cref="Readings"/> holds what this report carried, changed or not, because a
/// repeated value still tells the owner the device is alive and a pending command may be waiting for it.
/// </summary>
public sealed record DeviceChange(DeviceChangeKind Kind, Device Device, Device? Previous, IReadOnlyList<Reading> Readings);
