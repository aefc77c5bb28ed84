using System.Globalization;

namespace EdgeNode.Core.Devices;

public enum CommandAction
{
    On,
    Off,
    Toggle,
    Status,
    Set,
    Open,
    Close,
    Stop,
    Press,
    Help,
}

/// <summary>
/// A command a user typed, resolved against one device: <see cref="Capability"/> is the id of the capability it
/// acts on (none for status and help). For <see cref="CommandAction.Set"/>, <see cref="Attribute"/> names the
/// secondary value (brightness in percent, colour temperature in mireds, cover position) or is null for the
/// capability's own value, and <see cref="Value"/> carries what to set.
/// </summary>
public sealed record DeviceCommand(CommandAction Action, string? Capability = null, string? Attribute = null, ReadingValue? Value = null)
{
    /// <summary>The command as the answer repeats it: "on", "brightness 40 %", "mode eco".</summary>
    public string Describe() => Action switch
    {
        CommandAction.Set when Attribute == ReadingAttributes.Brightness || Attribute == ReadingAttributes.Position =>
            $"{Attribute} {Value?.Text} %",
        CommandAction.Set when Attribute == ReadingAttributes.ColorTemperature => $"color_temp {Value?.Text} mired",
        CommandAction.Set => $"{Capability} {Value?.Text}",
        _ => Action.ToString().ToLowerInvariant(),
    };

    public override string ToString() => Capability is null || Action == CommandAction.Set
        ? Describe()
        : string.Create(CultureInfo.InvariantCulture, $"{Describe()} ({Capability})");
}
