namespace EdgeNode.Devices;

/// <summary>
/// How one capability maps onto a Zigbee2MQTT device's JSON properties. On/off values are kept as raw JSON
/// ("\"ON\"" or "true") because devices differ in which they use, and a command must send back the same kind.
/// </summary>
internal sealed record Z2mBinding(string Property)
{
    public string ValueOn { get; init; } = "\"ON\"";
    public string ValueOff { get; init; } = "\"OFF\"";
    public string? ValueToggle { get; init; }
    public string? BrightnessProperty { get; init; }
    public double BrightnessMax { get; init; } = 254;
    public string? ColorTempProperty { get; init; }
    public string? PositionProperty { get; init; }
    /// <summary>Zigbee contact sensors say true for closed; the model says true for open.</summary>
    public bool Inverted { get; init; }
}
