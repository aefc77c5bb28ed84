using System.Globalization;

namespace EdgeNode.Core.Devices;

/// <summary>
/// The grammar users type to a device: on, off, toggle [name]; open, close, stop [name]; press [name];
/// set brightness [name] 0-100; set color_temp [name] mireds-or-kelvin; set position [name] 0-100;
/// set &lt;name&gt; &lt;value&gt;; status; help. Words are case-insensitive and spaces are free. What this device
/// cannot do is answered with a sentence that says what it can, never with silence.
/// </summary>
public static class CommandParser
{
    private const int MaxEcho = 40;

    public static CommandParseResult Parse(string text, Device device)
    {
        var words = Words(text);
        if (words.Length == 0) return Fail($"Say a command to {device.Localpart}: {DeviceTexts.Verbs(device)}.");
        var verb = words[0].ToLowerInvariant();
        var rest = words[1..];
        if (verb is "turn" or "switch" && rest.Length > 0 && rest[0].ToLowerInvariant() is "on" or "off")
        {
            verb = rest[0].ToLowerInvariant();
            rest = rest[1..];
        }

        return verb switch
        {
            "help" or "?" => CommandParseResult.Ok(new DeviceCommand(CommandAction.Help)),
            "status" or "state" => CommandParseResult.Ok(new DeviceCommand(CommandAction.Status)),
            "on" => Targeted(device, verb, rest, CommandAction.On, IsSwitchable),
            "off" => Targeted(device, verb, rest, CommandAction.Off, IsSwitchable),
            "toggle" => Targeted(device, verb, rest, CommandAction.Toggle, IsSwitchable),
            "open" => Targeted(device, verb, rest, CommandAction.Open, IsCover),
            "close" => Targeted(device, verb, rest, CommandAction.Close, IsCover),
            "stop" => Targeted(device, verb, rest, CommandAction.Stop, IsCover),
            "press" or "push" => Targeted(device, verb, rest, CommandAction.Press, c => c.Kind == CapabilityKind.Button),
            "set" => ParseSet(device, rest),
            _ => Fail($"'{Echo(words[0])}' is not a command {device.Localpart} understands. Try: {DeviceTexts.Verbs(device)}. 'help' explains them."),
        };
    }

    private static bool IsSwitchable(Capability c) => c.Kind is CapabilityKind.Switch or CapabilityKind.Light;

    private static bool IsCover(Capability c) => c.Kind == CapabilityKind.Cover;

    private static CommandParseResult Targeted(Device device, string verb, string[] rest, CommandAction action, Func<Capability, bool> fits)
    {
        var result = Resolve(device, verb, rest, fits);
        return result.Capability is { } target
            ? CommandParseResult.Ok(new DeviceCommand(action, target.Id))
            : Fail(result.Error!);
    }

    // kindWord names what the verb needs when that is narrower than a kind: a plug has a switch, but no dimmable light.
    private static (Capability? Capability, string? Error) Resolve(Device device, string verb, string[] nameWords, Func<Capability, bool> fits,
        string? kindWord = null)
    {
        var candidates = device.Capabilities.Where(fits).ToList();
        var kind = KindOf(verb);
        if (candidates.Count == 0)
        {
            return (null, $"{device.Localpart} has no {kindWord ?? CapabilityNames.KindWord(kind)}, so '{verb}' does nothing here. It understands: {DeviceTexts.Verbs(device)}.");
        }
        if (nameWords.Length > 0)
        {
            var name = string.Join(' ', nameWords);
            return CapabilityNames.Match(candidates, name) is { } match
                ? (match, null)
                : (null, $"{device.Localpart} has no {CapabilityNames.KindWord(kind)} called '{Echo(name)}'; it has: {List(candidates)}.");
        }
        if (candidates.Count == 1) return (candidates[0], null);
        return (null, $"{device.Localpart} has {candidates.Count} {CapabilityNames.KindWord(kind, plural: true)}: {List(candidates)}. Say which one, e.g. '{verb} {candidates[0].Id}'.");
    }

    // Courtesy and punctuation are not part of a command: "turn off please", "off!", "please toggle".
    private static readonly HashSet<string> Courtesy = new(StringComparer.OrdinalIgnoreCase) { "please", "pls", "plz", "kindly", "thanks", "thx" };

    private static string[] Words(string text) =>
        [.. text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
            .Select(w => w.TrimEnd('.', '!', '?', ',') is { Length: > 0 } bare ? bare : w)
            .Where(w => !Courtesy.Contains(w))];

    private static CapabilityKind KindOf(string verb) => verb switch
    {
        "open" or "close" or "stop" or "position" => CapabilityKind.Cover,
        "press" or "push" => CapabilityKind.Button,
        "set" => CapabilityKind.Number,
        _ => CapabilityKind.Switch,
    };

    private static CommandParseResult ParseSet(Device device, string[] words)
    {
        if (words.Length < 2) return Fail($"'set' needs a name and a value, e.g. {SetExample(device)}.");
        var valueText = words[^1];
        var nameWords = words[..^1];
        var first = CapabilityNames.Normalize(nameWords[0]);

        if (first is "brightness" or "dim" or "dimmer" or "bri")
        {
            var target = Resolve(device, "set brightness", nameWords[1..], c => c.Kind == CapabilityKind.Light && c.HasBrightness, "dimmable light");
            if (target.Capability is null) return Fail(target.Error!);
            return ParsePercent(valueText) is { } percent
                ? Set(target.Capability, ReadingAttributes.Brightness, percent)
                : Fail($"Brightness is a percentage from 0 to 100, not '{Echo(valueText)}'.");
        }
        if (first is "colortemp" or "colortemperature" or "colourtemp" or "colourtemperature" or "ct")
        {
            var target = Resolve(device, "set color_temp", nameWords[1..], c => c.Kind == CapabilityKind.Light && c.HasColorTemperature, "light with a colour temperature");
            if (target.Capability is not { } light) return Fail(target.Error!);
            if (ParseNumber(valueText) is not { } raw) return Fail($"Colour temperature is a number of mireds (or Kelvin), not '{Echo(valueText)}'.");
            // Above 1000 nobody means mireds (that would be below 1000 K): take it as Kelvin.
            var mireds = raw > 1000 ? Math.Round(1_000_000 / raw) : raw;
            return mireds >= light.ColorTemperatureMin && mireds <= light.ColorTemperatureMax
                ? Set(light, ReadingAttributes.ColorTemperature, mireds)
                : Fail($"{light.DisplayName} takes a colour temperature from {Num(light.ColorTemperatureMin)} to {Num(light.ColorTemperatureMax)} mireds.");
        }
        if (first is "position" or "pos")
        {
            var target = Resolve(device, "set position", nameWords[1..], c => c.Kind == CapabilityKind.Cover && c.HasPosition, "cover with a position");
            if (target.Capability is null) return Fail(target.Error!);
            return ParsePercent(valueText) is { } percent
                ? Set(target.Capability, ReadingAttributes.Position, percent)
                : Fail($"Position is a percentage from 0 (closed) to 100 (open), not '{Echo(valueText)}'.");
        }

        var name = string.Join(' ', nameWords);
        if (CapabilityNames.Match(device.Capabilities, name) is not { } capability)
        {
            return Fail($"{device.Localpart} has nothing called '{Echo(name)}' to set. {SettableSentence(device)}");
        }
        return SetCapability(device, capability, valueText);
    }

    private static CommandParseResult SetCapability(Device device, Capability capability, string valueText)
    {
        var value = valueText.ToLowerInvariant();
        switch (capability.Kind)
        {
            case CapabilityKind.Number:
                if (ParseNumber(valueText) is not { } number) return Fail($"{capability.DisplayName} takes a number, not '{Echo(valueText)}'.");
                if ((capability.Min is { } min && number < min) || (capability.Max is { } max && number > max))
                {
                    return Fail($"{capability.DisplayName} takes a value from {Num(capability.Min ?? double.MinValue)} to {Num(capability.Max ?? double.MaxValue)}{UnitSuffix(capability.Unit)}.");
                }
                return Set(capability, null, number);
            case CapabilityKind.Select:
                foreach (var option in capability.Options)
                {
                    if (string.Equals(option, valueText, StringComparison.OrdinalIgnoreCase))
                    {
                        return CommandParseResult.Ok(new DeviceCommand(CommandAction.Set, capability.Id, null, ReadingValue.Of(option)));
                    }
                }
                return Fail($"{capability.DisplayName} can be: {string.Join(", ", capability.Options)}.");
            case CapabilityKind.Switch or CapabilityKind.Light:
                return value switch
                {
                    "on" or "true" or "1" => CommandParseResult.Ok(new DeviceCommand(CommandAction.On, capability.Id)),
                    "off" or "false" or "0" => CommandParseResult.Ok(new DeviceCommand(CommandAction.Off, capability.Id)),
                    "toggle" => CommandParseResult.Ok(new DeviceCommand(CommandAction.Toggle, capability.Id)),
                    _ => Fail($"{capability.DisplayName} can be set on or off."),
                };
            case CapabilityKind.Cover:
                return value switch
                {
                    "open" => CommandParseResult.Ok(new DeviceCommand(CommandAction.Open, capability.Id)),
                    "close" or "closed" => CommandParseResult.Ok(new DeviceCommand(CommandAction.Close, capability.Id)),
                    "stop" => CommandParseResult.Ok(new DeviceCommand(CommandAction.Stop, capability.Id)),
                    _ when capability.HasPosition && ParsePercent(valueText) is { } p => Set(capability, ReadingAttributes.Position, p),
                    _ => Fail($"{capability.DisplayName} can be set open, close or stop{(capability.HasPosition ? " or a position 0-100" : "")}."),
                };
            case CapabilityKind.Button:
                return Fail($"{capability.DisplayName} is a button: say 'press {capability.Id}'.");
            default:
                return Fail($"{capability.DisplayName} is a reading of {device.Localpart}; it cannot be set. {SettableSentence(device)}");
        }
    }

    private static CommandParseResult Set(Capability capability, string? attribute, double value) =>
        CommandParseResult.Ok(new DeviceCommand(CommandAction.Set, capability.Id, attribute, ReadingValue.Of(value)));

    private static double? ParsePercent(string text)
    {
        var number = ParseNumber(text.TrimEnd('%'));
        return number is >= 0 and <= 100 ? number : null;
    }

    private static double? ParseNumber(string text) =>
        double.TryParse(text.Replace(',', '.'), NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && double.IsFinite(n) ? n : null;

    private static string SettableSentence(Device device)
    {
        var settable = device.Capabilities.Where(c => c.Kind is CapabilityKind.Number or CapabilityKind.Select || c.HasBrightness).ToList();
        return settable.Count == 0
            ? $"It understands: {DeviceTexts.Verbs(device)}."
            : $"It can set: {string.Join(", ", settable.Select(c => c.HasBrightness ? "brightness" : c.Id))}.";
    }

    private static string SetExample(Device device) =>
        device.Capabilities.FirstOrDefault(c => c.HasBrightness) is not null ? "'set brightness 40'"
        : device.Capabilities.FirstOrDefault(c => c.Kind is CapabilityKind.Number or CapabilityKind.Select) is { } c
            ? $"'set {c.Id} {(c.Kind == CapabilityKind.Select && c.Options.Count > 0 ? c.Options[0] : Num(c.Min ?? 1))}'"
            : "'set brightness 40'";

    private static string List(IEnumerable<Capability> capabilities) => string.Join(", ", capabilities.Select(c => c.Id));

    private static string Num(double value) => DeviceTexts.FormatNumber(value);

    private static string UnitSuffix(string? unit) => unit is null ? "" : " " + unit;

    private static string Echo(string text) => text.Length <= MaxEcho ? text : text[..MaxEcho] + "…";

    private static CommandParseResult Fail(string error) => CommandParseResult.Fail(error);
}
