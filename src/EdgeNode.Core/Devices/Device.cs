using System.Collections.Frozen;

namespace EdgeNode.Core.Devices;

/// <summary>Why a device's address is not its preferred one.</summary>
public enum AddressClash
{
    None,
    UserAccount,
    OtherDevice,
}

/// <summary>
/// An immutable snapshot of a device. The registry swaps whole snapshots, so a reader never sees half an update
/// and front-ends can keep the one they were notified with.
/// </summary>
public sealed record Device
{
    public required DeviceKey Key { get; init; }
    /// <summary>The local part of the device's chat address.</summary>
    public required string Localpart { get; init; }
    /// <summary>The local part made from the convention's identifier, before any clash renaming.</summary>
    public required string PreferredLocalpart { get; init; }
    public AddressClash Clash { get; init; }
    public required string DisplayName { get; init; }
    public DeviceInfo Info { get; init; } = DeviceInfo.Empty;
    public IReadOnlyList<Capability> Capabilities { get; init; } = [];
    public DeviceAvailability Availability { get; init; }
    /// <summary>When the node learned of the current <see cref="Availability"/> ("offline since 21:04").</summary>
    public DateTimeOffset? AvailabilitySince { get; init; }
    public IReadOnlyDictionary<string, Reading> State { get; init; } = FrozenDictionary<string, Reading>.Empty;
    public DeviceAccess Access { get; init; } = DeviceAccess.Empty;
    public DateTimeOffset? LastSeen { get; init; }

    public DeviceConvention Convention => Key.Convention;

    public Capability? FindCapability(string id)
    {
        foreach (var capability in Capabilities)
        {
            if (string.Equals(capability.Id, id, StringComparison.Ordinal)) return capability;
        }
        return null;
    }

    public Reading? ReadingOf(string capability, string? attribute = null) =>
        State.TryGetValue(Reading.KeyOf(capability, attribute), out var reading) ? reading : null;
}
