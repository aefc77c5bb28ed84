using System.Globalization;

namespace EdgeNode.Core.Devices;

/// <summary>
/// A value as reported: always its text, plus the number or on/off state when it has one, so that texts and
/// command matching need not re-parse.
/// </summary>
public readonly record struct ReadingValue(string Text, double? Number, bool? Flag)
{
    public static ReadingValue Of(double number) =>
        new(number.ToString("0.######", CultureInfo.InvariantCulture), number, null);

    public static ReadingValue Of(bool flag) => new(flag ? "on" : "off", null, flag);

    public static ReadingValue Of(string text) => new(text, null, null);

    public override string ToString() => Text;
}

/// <summary>A value a device reported for one capability (or one attribute of it), with the time it arrived.</summary>
public sealed record Reading(string Capability, ReadingValue Value, DateTimeOffset At, string? Attribute = null)
{
    public string Key => KeyOf(Capability, Attribute);

    public static string KeyOf(string capability, string? attribute) =>
        attribute is null ? capability : capability + "." + attribute;
}

/// <summary>What an adapter reports; the registry stamps the time.</summary>
public readonly record struct ReadingUpdate(string Capability, ReadingValue Value, string? Attribute = null);
