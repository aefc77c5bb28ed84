namespace EdgeNode.Core.Devices;

public enum CapabilityKind
{
    Sensor,
    BinarySensor,
    Switch,
    Light,
    Button,
    Cover,
    Number,
    Select,
}

/// <summary>
/// One thing a device can report or do. Number and Select are settable by definition: an adapter maps a
/// read-only value to a Sensor, so the command grammar never offers a set that the device would ignore.
/// </summary>
public sealed record Capability(string Id, CapabilityKind Kind)
{
    public string? Name { get; init; }
    public string? Unit { get; init; }
    public string? DeviceClass { get; init; }
    public double? Min { get; init; }
    public double? Max { get; init; }
    public double? Step { get; init; }
    public IReadOnlyList<string> Options { get; init; } = [];
    public bool HasBrightness { get; init; }
    public bool HasColorTemperature { get; init; }
    public double ColorTemperatureMin { get; init; } = 153;
    public double ColorTemperatureMax { get; init; } = 500;
    public bool HasPosition { get; init; }

    public string DisplayName => string.IsNullOrWhiteSpace(Name) ? Id : Name;

    // Options is a list, which a record compares by reference; adapters re-announce the same capability on every
    // discovery message, and only a real change should notify the front-ends.
    public bool Equals(Capability? other) =>
        other is not null && Id == other.Id && Kind == other.Kind && Name == other.Name && Unit == other.Unit
        && DeviceClass == other.DeviceClass && Min == other.Min && Max == other.Max && Step == other.Step
        && HasBrightness == other.HasBrightness && HasColorTemperature == other.HasColorTemperature
        && ColorTemperatureMin == other.ColorTemperatureMin && ColorTemperatureMax == other.ColorTemperatureMax
        && HasPosition == other.HasPosition && Options.SequenceEqual(other.Options);

    public override int GetHashCode() => HashCode.Combine(Id, Kind, Name, Unit, DeviceClass);

    public bool IsCommandable => Kind is CapabilityKind.Switch or CapabilityKind.Light or CapabilityKind.Button
        or CapabilityKind.Cover or CapabilityKind.Number or CapabilityKind.Select;
}

/// <summary>Names of the secondary values a capability carries beside its main one.</summary>
public static class ReadingAttributes
{
    /// <summary>Brightness in percent (0-100) whatever the device's own scale, so texts and commands agree.</summary>
    public const string Brightness = "brightness";
    /// <summary>Colour temperature in mireds.</summary>
    public const string ColorTemperature = "color_temp";
    /// <summary>Cover position in percent, 100 = open.</summary>
    public const string Position = "position";
}
