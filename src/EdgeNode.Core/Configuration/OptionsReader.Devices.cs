using System.Globalization;
using EdgeNode.Core.Addressing;

namespace EdgeNode.Core.Configuration;

public sealed partial class OptionsReader
{
    private static readonly string[] DevicesKeys =
    [
        "Subdomain", "CommandTimeoutSeconds", "TelemetryIntervalSeconds", "HomeAssistantPrefix", "Zigbee2MqttBaseTopic", "HomieRoot",
        "ShellySimpleCommands", "ProfileFiles", "Gpio", "NodeParticipant", "MaxPerAccount", "MaxPerBridge", "MaxPerNode", "NewPerMinute",
    ];

    private static readonly string[] GpioKeys = ["Chip", "Pins"];

    private static readonly string[] GpioPinKeys = ["Line", "Direction", "ActiveLow", "Bias", "DebounceMs", "Owners"];

    private DevicesOptions ReadDevices()
    {
        var defaults = new DevicesOptions();
        string? subdomain = ReadOptionalString("Devices:Subdomain");
        if (subdomain is not null)
        {
            if (!DomainName.TryNormalize(subdomain, out var normalized, out var problem) || normalized.Contains('.', StringComparison.Ordinal))
            {
                _problems.Add($"Devices:Subdomain: '{subdomain}' must be one DNS label such as 'devices' ({problem ?? "no dots"})");
                subdomain = null;
            }
            else
            {
                subdomain = normalized;
            }
        }

        string? node = ReadOptionalString("Devices:NodeParticipant")?.Trim().ToLowerInvariant() ?? defaults.NodeParticipant;
        if (node is "" or "none" or "off")
        {
            node = null;
        }
        else if (node is not null && !IsLocalpart(node))
        {
            _problems.Add($"Devices:NodeParticipant: '{node}' is not a usable name (a-z, 0-9, '.', '_' and '-'), or 'none' to turn it off");
            node = defaults.NodeParticipant;
        }

        return new DevicesOptions
        {
            Subdomain = subdomain,
            NodeParticipant = node,
            CommandTimeout = ReadSeconds("Devices:CommandTimeoutSeconds", defaults.CommandTimeout, 1, 600),
            TelemetryInterval = ReadSeconds("Devices:TelemetryIntervalSeconds", defaults.TelemetryInterval, 0, 86_400),
            HomeAssistantPrefix = ReadTopicPrefix("Devices:HomeAssistantPrefix", defaults.HomeAssistantPrefix),
            Zigbee2MqttBaseTopic = ReadTopicPrefix("Devices:Zigbee2MqttBaseTopic", defaults.Zigbee2MqttBaseTopic),
            HomieRoot = ReadTopicPrefix("Devices:HomieRoot", defaults.HomieRoot),
            ShellySimpleCommands = ReadBool("Devices:ShellySimpleCommands", false),
            ProfileFiles = ReadList("Devices:ProfileFiles", ParseExistingFile),
            Gpio = ReadGpio(),
            MaxPerAccount = ReadInt("Devices:MaxPerAccount", defaults.MaxPerAccount, 1, 100_000),
            MaxPerBridge = ReadInt("Devices:MaxPerBridge", defaults.MaxPerBridge, 1, 100_000),
            MaxPerNode = ReadInt("Devices:MaxPerNode", defaults.MaxPerNode, 1, 1_000_000),
            NewPerMinute = ReadInt("Devices:NewPerMinute", defaults.NewPerMinute, 1, 100_000),
        };
    }

    // A prefix is the first levels of every topic of a convention: no wildcards, no empty levels.
    private string ReadTopicPrefix(string key, string fallback)
    {
        var value = ReadString(key, fallback).Trim().TrimEnd('/');
        if (value.Length == 0 || value.Contains('+', StringComparison.Ordinal) || value.Contains('#', StringComparison.Ordinal)
            || value.StartsWith('/') || value.Contains("//", StringComparison.Ordinal) || value.Contains('\0', StringComparison.Ordinal))
        {
            _problems.Add($"{key}: '{value}' is not a topic prefix (topic levels without '+', '#' or empty levels)");
            return fallback;
        }
        return value;
    }

    private static (string?, string?) ParseExistingFile(string text) =>
        File.Exists(text) ? (text, null) : (null, $"no file at '{text}'");

    private GpioOptions ReadGpio()
    {
        var section = _config.GetSection("Devices:Gpio");
        foreach (var child in section.GetChildren())
        {
            if (!GpioKeys.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
                _problems.Add($"Devices:Gpio:{child.Key}: unknown setting (known in Devices:Gpio: {string.Join(", ", GpioKeys)})");
        }

        var pins = new List<GpioPinOptions>();
        var seenLines = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var pin in section.GetSection("Pins").GetChildren())
        {
            var prefix = $"Devices:Gpio:Pins:{pin.Key}";
            foreach (var child in pin.GetChildren())
            {
                if (!GpioPinKeys.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
                    _problems.Add($"{prefix}:{child.Key}: unknown setting (known for a pin: {string.Join(", ", GpioPinKeys)})");
            }
            var name = pin.Key.ToLowerInvariant();
            if (!IsLocalpart(name))
            {
                _problems.Add($"{prefix}: '{pin.Key}' is not a usable name (a-z, 0-9, '.', '_' and '-'; it becomes the pin's chat address)");
                continue;
            }
            var line = ReadOptionalString(prefix + ":Line");
            if (line is null)
            {
                _problems.Add($"{prefix}:Line: must be set (GPIO17, pin11 or 17)");
                continue;
            }
            if (!IsPinText(line))
            {
                _problems.Add($"{prefix}:Line: '{line}' is not a pin (write GPIO17, BCM17, 17, pin11 or P1-11)");
                continue;
            }
            if (seenLines.TryGetValue(line.Trim(), out var other))
            {
                _problems.Add($"{prefix}:Line: {line} is already used by pin {other}");
                continue;
            }
            seenLines[line.Trim()] = pin.Key;
            pins.Add(new GpioPinOptions
            {
                Name = name,
                Line = line.Trim(),
                Direction = ReadEnum(prefix + ":Direction", GpioPinDirection.Input, ["input", "output"], [GpioPinDirection.Input, GpioPinDirection.Output]),
                ActiveLow = ReadBool(prefix + ":ActiveLow", false),
                Bias = ReadEnum(prefix + ":Bias", GpioPinBias.AsIs, ["as-is", "pull-up", "pull-down", "disabled"],
                    [GpioPinBias.AsIs, GpioPinBias.PullUp, GpioPinBias.PullDown, GpioPinBias.Disabled]),
                DebounceMs = ReadInt(prefix + ":DebounceMs", 20, 0, 10_000),
                Owners = ReadList(prefix + ":Owners", ParseBareJid),
            });
        }

        var chip = ReadOptionalString("Devices:Gpio:Chip");
        if (pins.Count > 0 && chip is null)
            _problems.Add("Devices:Gpio:Chip: must be set when pins are declared (the chip's label, e.g. pinctrl-bcm2711 or pinctrl-rp1)");
        return new GpioOptions { Chip = chip, Pins = pins };
    }

    private T ReadEnum<T>(string key, T fallback, string[] names, T[] values)
    {
        var value = _config[key];
        if (value is null) return fallback;
        var index = Array.FindIndex(names, n => string.Equals(n, value.Trim(), StringComparison.OrdinalIgnoreCase)
            || string.Equals(n.Replace("-", "", StringComparison.Ordinal), value.Trim(), StringComparison.OrdinalIgnoreCase));
        if (index >= 0) return values[index];
        _problems.Add($"{key}: '{value}' is not one of {string.Join(", ", names)}");
        return fallback;
    }

    private static bool IsLocalpart(string name) =>
        name.Length is > 0 and <= 64 && name.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '.' or '_' or '-');

    // The shape only: which line a GPIO number or header pin is belongs to the GPIO library (PinMap).
    private static bool IsPinText(string text)
    {
        var t = text.Trim().ToLowerInvariant();
        foreach (var prefix in new[] { "gpio", "bcm", "pin", "p1-", "" })
        {
            if (t.StartsWith(prefix, StringComparison.Ordinal)
                && int.TryParse(t[prefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out _))
                return true;
        }
        return false;
    }
}
