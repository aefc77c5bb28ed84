using System.Globalization;
using System.Text;

namespace EdgeNode.Core.Devices;

/// <summary>
/// The human side of a device in chat: telemetry lines, the presence status line, help, and command answers.
/// Every chat front-end uses the same sentences, so a user hears the same thing in XMPP and Matrix.
/// </summary>
public static class DeviceTexts
{
    // Which reading best says how a device is doing, for the one-line presence status.
    private static readonly string[] KeyClasses =
        ["temperature", "humidity", "power", "illuminance", "carbon_dioxide", "pressure", "battery"];

    // A status line is read at a glance in a contact list: a switch state and one value, or two values.
    private const int StatusLineItems = 3;
    private const int SensorsBesideSwitch = 1;
    private const int SensorsAlone = 2;

    public static string FormatNumber(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>One reading as people say it: "21.5 °C", "44 %", "on", "open".</summary>
    public static string FormatValue(Reading reading, Capability? capability)
    {
        if (reading.Attribute is ReadingAttributes.Brightness or ReadingAttributes.Position && reading.Value.Number is { } percent)
        {
            return FormatNumber(percent) + " %";
        }
        if (reading.Attribute == ReadingAttributes.ColorTemperature && reading.Value.Number is { } mireds)
        {
            return FormatNumber(mireds) + " mired";
        }
        if (reading.Value.Flag is { } flag) return FlagWord(flag, capability?.DeviceClass);
        if (reading.Value.Number is { } number)
        {
            var unit = reading.Attribute is null ? capability?.Unit : null;
            return string.IsNullOrEmpty(unit) ? FormatNumber(number) : FormatNumber(number) + " " + unit;
        }
        return reading.Value.Text;
    }

    /// <summary>
    /// A telemetry line, every value labelled and the ones people look for first: "switch on, power 58 W, temperature
    /// 21.5 °C, ..." (see <see cref="Ordered"/>).
    /// </summary>
    public static string Telemetry(Device device, IEnumerable<Reading> readings) =>
        string.Join(", ", Ordered(device, readings).Select(r => Label(device, r) + " " + FormatValue(r, device.FindCapability(r.Capability))));

    /// <summary>The presence status text, read at a glance in a contact list: switch states first, then the most telling sensor values, unlabelled.</summary>
    public static string StatusLine(Device device)
    {
        var items = new List<Reading>();
        foreach (var capability in device.Capabilities.Where(c => c.Kind is CapabilityKind.Switch or CapabilityKind.Light or CapabilityKind.Cover))
        {
            var state = device.ReadingOf(capability.Id);
            if (state is not null) items.Add(state);
            if (capability.HasBrightness && device.ReadingOf(capability.Id, ReadingAttributes.Brightness) is { } brightness
                && state?.Value.Flag != false)
            {
                items.Add(brightness);
            }
        }
        var sensors = device.Capabilities
            .Where(c => c.Kind is CapabilityKind.Sensor or CapabilityKind.BinarySensor && device.ReadingOf(c.Id) is not null)
            .OrderBy(c => KeyRank(c))
            .Select(c => device.ReadingOf(c.Id)!);
        items.AddRange(sensors.Take(items.Count > 0 ? SensorsBesideSwitch : SensorsAlone));
        return string.Join(", ", items.Take(StatusLineItems).Select(r => Compact(device, r)));
    }

    /// <summary>
    /// The answer to "status": availability, what the device is, when it was last heard from, then each last value
    /// once, labelled, in the order of <see cref="Ordered"/>.
    /// </summary>
    public static string StatusReport(Device device, DateTimeOffset now)
    {
        var text = new StringBuilder();
        text.Append(device.DisplayName).Append(" is ").Append(device.Availability.ToText());
        var info = new[] { device.Info.Manufacturer, device.Info.Model, device.Info.Firmware }.Where(s => !string.IsNullOrWhiteSpace(s)).ToList();
        if (info.Count > 0) text.Append(" (").Append(string.Join(", ", info)).Append(')');
        if (device.State.Count == 0)
        {
            text.Append("; no readings yet.");
            return text.ToString();
        }
        var seen = device.LastSeen is { } last && last > device.State.Values.Max(r => r.At) ? last : device.State.Values.Max(r => r.At);
        text.Append(", seen ").Append(Ago(now - seen)).Append(" ago");
        foreach (var reading in Ordered(device, device.State.Values))
        {
            text.Append('\n').Append(Label(device, reading)).Append(": ").Append(FormatValue(reading, device.FindCapability(reading.Capability)));
        }
        return text.ToString();
    }

    // What people care about first: the state, then power, temperature, humidity, energy (today before the total), the
    // electrical details, and whatever else in the order the device gave it. A light's brightness follows its state.
    private static readonly string[] ImportanceByClass =
        ["power", "temperature", "humidity", "energy", "voltage", "current", "illuminance", "carbon_dioxide", "pressure", "battery",
         "apparent_power", "reactive_power", "power_factor", "frequency"];

    /// <summary>Readings in the order people read them (see <see cref="ImportanceByClass"/>); the order given breaks ties.</summary>
    public static IEnumerable<Reading> Ordered(Device device, IEnumerable<Reading> readings) =>
        readings.Select((reading, index) => (reading, index))
            .OrderBy(p => Rank(device, p.reading))
            .ThenBy(p => p.index)
            .Select(p => p.reading);

    private static (int, int) Rank(Device device, Reading reading)
    {
        var capability = device.FindCapability(reading.Capability);
        if (capability?.Kind is CapabilityKind.Switch or CapabilityKind.Light or CapabilityKind.Cover)
        {
            return (0, device.Capabilities.ToList().IndexOf(capability) * 4 + (reading.Attribute is null ? 0 : 1));
        }
        var index = Array.IndexOf(ImportanceByClass, capability?.DeviceClass ?? "");
        if (index < 0) return (1 + ImportanceByClass.Length, 0);
        var within = capability!.DeviceClass == "energy"
            ? (reading.Capability.EndsWith("today", StringComparison.OrdinalIgnoreCase) ? 0 : reading.Capability.EndsWith("yesterday", StringComparison.OrdinalIgnoreCase) ? 1 : 2)
            : 0;
        return (1 + index, within);
    }

    /// <summary>
    /// What a value is called in a reading: a lone switch or light is "switch" or "light" (its id is often "power", which
    /// would read like a measurement), several go by their names; an attribute by its own name; anything else by the
    /// capability's display name.
    /// </summary>
    public static string Label(Device device, Reading reading)
    {
        var capability = device.FindCapability(reading.Capability);
        if (reading.Attribute is not null) return reading.Attribute == ReadingAttributes.ColorTemperature ? "colour temperature" : reading.Attribute;
        if (capability?.Kind is CapabilityKind.Switch or CapabilityKind.Light or CapabilityKind.Cover)
        {
            var alone = device.Capabilities.Count(c => c.Kind == capability.Kind) == 1;
            return alone ? KindLabel(capability.Kind) : capability.DisplayName;
        }
        return capability?.DisplayName ?? reading.Capability;
    }

    private static string KindLabel(CapabilityKind kind) => kind switch
    {
        CapabilityKind.Light => "light",
        CapabilityKind.Cover => "cover",
        _ => "switch",
    };

    /// <summary>The short list of what a device understands, for error answers.</summary>
    public static string Verbs(Device device)
    {
        var verbs = new List<string>();
        if (device.Capabilities.Any(c => c.Kind is CapabilityKind.Switch or CapabilityKind.Light)) verbs.Add("on, off, toggle");
        if (IsGpioOutput(device)) verbs.Add("pulse");
        if (device.Capabilities.Any(c => c.HasBrightness)) verbs.Add("set brightness 0-100");
        if (device.Capabilities.Any(c => c.HasColorTemperature)) verbs.Add("set color_temp");
        if (device.Capabilities.Any(c => c.Kind == CapabilityKind.Cover)) verbs.Add("open, close, stop");
        if (device.Capabilities.Any(c => c.HasPosition)) verbs.Add("set position 0-100");
        if (device.Capabilities.Any(c => c.Kind == CapabilityKind.Button)) verbs.Add("press");
        foreach (var c in device.Capabilities.Where(c => c.Kind is CapabilityKind.Number or CapabilityKind.Select)) verbs.Add($"set {c.Id}");
        verbs.Add("status, help");
        return string.Join(", ", verbs);
    }

    /// <summary>The answer to "help": every command this device understands, from its capabilities.</summary>
    public static string Help(Device device)
    {
        var lines = new List<string> { $"{device.DisplayName} understands:" };
        AddTargeted(lines, device, CapabilityKind.Switch, "on, off, toggle", "switch");
        if (IsGpioOutput(device)) lines.Add("pulse [duration]: on, then off again after 500 ms or the duration given (200ms, 2s; at most 10 s)");
        foreach (var light in device.Capabilities.Where(c => c.Kind == CapabilityKind.Light))
        {
            lines.Add(Line(device, CapabilityKind.Light, "on, off, toggle", light, "light"));
            if (light.HasBrightness) lines.Add(Line(device, CapabilityKind.Light, "set brightness", light, "0-100 %,"));
            if (light.HasColorTemperature)
            {
                lines.Add(Line(device, CapabilityKind.Light, "set color_temp", light,
                    $"{FormatNumber(light.ColorTemperatureMin)}-{FormatNumber(light.ColorTemperatureMax)} mired or Kelvin,"));
            }
        }
        AddTargeted(lines, device, CapabilityKind.Cover, "open, close, stop", "cover");
        foreach (var cover in device.Capabilities.Where(c => c.Kind == CapabilityKind.Cover && c.HasPosition))
        {
            lines.Add(Line(device, CapabilityKind.Cover, "set position", cover, "0-100 %, 100 = open"));
        }
        AddTargeted(lines, device, CapabilityKind.Button, "press", "button");
        foreach (var c in device.Capabilities.Where(c => c.Kind == CapabilityKind.Number))
        {
            var range = c.Min is not null || c.Max is not null
                ? $"{FormatNumber(c.Min ?? double.MinValue)}-{FormatNumber(c.Max ?? double.MaxValue)}" : "a number";
            lines.Add($"set {c.Id} {range}{(c.Unit is null ? "" : " " + c.Unit)}: {c.DisplayName}");
        }
        foreach (var c in device.Capabilities.Where(c => c.Kind == CapabilityKind.Select))
        {
            lines.Add($"set {c.Id} {string.Join("|", c.Options)}: {c.DisplayName}");
        }
        var readings = device.Capabilities.Where(c => c.Kind is CapabilityKind.Sensor or CapabilityKind.BinarySensor).Select(c => c.DisplayName).ToList();
        lines.Add(readings.Count > 0 ? $"status: the last readings ({string.Join(", ", readings)})" : "status: the last known state");
        lines.Add("help: this list");
        return string.Join('\n', lines);
    }

    // A GPIO output also takes "pulse", a verb of its own that the GPIO wiring handles.
    private static bool IsGpioOutput(Device device) =>
        device.Convention == DeviceConvention.Gpio && device.Capabilities.Any(c => c.Kind == CapabilityKind.Switch);

    public static string Done(DeviceCommand command) => "done: " + command.Describe();

    /// <summary>
    /// The answer once the device reported <paramref name="answer"/>: a toggle says the state it ended in ("done: on"),
    /// since "toggle" alone does not tell whether the lamp is now on or off.
    /// </summary>
    public static string Done(DeviceCommand command, Reading answer) =>
        command.Action == CommandAction.Toggle && answer.Attribute is null && answer.Value.Flag is { } on
            ? "done: " + (on ? "on" : "off")
            : Done(command);

    public static string NoAnswer(string deviceName, TimeSpan waited) => $"no answer from {deviceName} after {Age(waited)}";

    /// <summary>The answer to a command for a device known to be offline: "plug1 is offline since 21:04 (12 min ago); the command was not sent".</summary>
    public static string Offline(Device device, DateTimeOffset now, TimeZoneInfo zone)
    {
        if (device.AvailabilitySince is not { } since) return $"{device.Localpart} is offline; the command was not sent";
        var local = TimeZoneInfo.ConvertTime(since, zone);
        var at = now - since < TimeSpan.FromHours(20)
            ? local.ToString("HH:mm", CultureInfo.InvariantCulture)
            : local.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
        return $"{device.Localpart} is offline since {at} ({Ago(now - since)} ago); the command was not sent";
    }

    public static string WentOffline(string deviceName) => $"{deviceName} went offline before answering";

    public static string Forbidden(string deviceName) => $"you may not command {deviceName}";

    // Whole seconds for "ago": "28 s ago" reads better than "28.4 s ago" for something seen, not measured.
    private static string Ago(TimeSpan span) => span.TotalSeconds is >= 1 and < 120 ? $"{(int)span.TotalSeconds} s" : Age(span);

    private static string Age(TimeSpan span) => span.TotalSeconds switch
    {
        < 1 => $"{Math.Max(0, (int)span.TotalMilliseconds)} ms",
        < 120 => $"{FormatNumber(Math.Round(span.TotalSeconds, 1))} s",
        < 7200 => $"{(int)span.TotalMinutes} min",
        < 172800 => $"{(int)span.TotalHours} h",
        _ => $"{(int)span.TotalDays} d",
    };

    private static void AddTargeted(List<string> lines, Device device, CapabilityKind kind, string verbs, string what)
    {
        foreach (var c in device.Capabilities.Where(c => c.Kind == kind)) lines.Add(Line(device, kind, verbs, c, what));
    }

    // With one capability of a kind the name is optional, so help shows the short form.
    private static string Line(Device device, CapabilityKind kind, string verbs, Capability c, string what)
    {
        var alone = device.Capabilities.Count(x => x.Kind == kind || (kind is CapabilityKind.Switch or CapabilityKind.Light && x.Kind is CapabilityKind.Switch or CapabilityKind.Light)) == 1;
        var about = string.Equals(what, c.DisplayName, StringComparison.OrdinalIgnoreCase) ? what : $"{what} {c.DisplayName}";
        return alone ? $"{verbs}: {about}" : $"{verbs} {c.Id}: {about}";
    }

    // The status line's short form: a value with a unit or a lone switch's state speaks for itself.
    private static string Compact(Device device, Reading reading)
    {
        var capability = device.FindCapability(reading.Capability);
        var value = FormatValue(reading, capability);
        if (reading.Attribute is not null) return $"{reading.Attribute} {value}";
        var plainNumberWithUnit = reading.Value.Number is not null && !string.IsNullOrEmpty(capability?.Unit);
        var onlySwitch = capability?.Kind is CapabilityKind.Switch or CapabilityKind.Light
            && device.Capabilities.Count(c => c.Kind is CapabilityKind.Switch or CapabilityKind.Light) == 1;
        return plainNumberWithUnit || onlySwitch ? value : $"{capability?.DisplayName ?? reading.Capability} {value}";
    }

    private static int KeyRank(Capability capability)
    {
        var index = Array.IndexOf(KeyClasses, capability.DeviceClass ?? "");
        if (index < 0 && capability.DeviceClass is null)
        {
            index = Array.FindIndex(KeyClasses, k => capability.Id.Contains(k, StringComparison.OrdinalIgnoreCase));
        }
        return index < 0 ? KeyClasses.Length : index;
    }

    private static string FlagWord(bool flag, string? deviceClass) => deviceClass switch
    {
        "door" or "window" or "opening" or "garage_door" => flag ? "open" : "closed",
        "motion" or "occupancy" or "presence" => flag ? "detected" : "clear",
        "moisture" => flag ? "wet" : "dry",
        "connectivity" => flag ? "connected" : "disconnected",
        "battery" => flag ? "low" : "normal",
        _ => flag ? "on" : "off",
    };
}
