namespace EdgeNode.Core.Configuration;

/// <summary>The Devices section: IoT devices as chat participants. Read by OptionsReader.Devices.cs; README "Devices" lists every key.</summary>
public sealed record DevicesOptions
{
    /// <summary>A subdomain of Node:Domain to put every device under (devices.pi.example); null keeps them at the node's domain.</summary>
    public string? Subdomain { get; init; }

    /// <summary>
    /// The local part of the node's own participant (node@pi.example), which Node:Admins chat with for the node's
    /// status and to assign device owners; null turns it off.
    /// </summary>
    public string? NodeParticipant { get; init; } = "node";

    /// <summary>How long a command waits for the device's echo before the owner hears "no answer".</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>At most one telemetry message per device in this interval; a burst in between is coalesced into the latest values.</summary>
    public TimeSpan TelemetryInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The Home Assistant MQTT discovery prefix (ESPHome announces itself there too).</summary>
    public string HomeAssistantPrefix { get; init; } = "homeassistant";

    public string Zigbee2MqttBaseTopic { get; init; } = "zigbee2mqtt";

    public string HomieRoot { get; init; } = "homie";

    /// <summary>Command Shelly Gen2 devices with the simple `command/switch:N` topic instead of JSON-RPC.</summary>
    public bool ShellySimpleCommands { get; init; }

    /// <summary>Hand-declared device profiles (JSON files, see firmware-config/profiles).</summary>
    public IReadOnlyList<string> ProfileFiles { get; init; } = [];

    public GpioOptions Gpio { get; init; } = new();

    /// <summary>Devices one device account may announce.</summary>
    public int MaxPerAccount { get; init; } = 16;

    /// <summary>Devices announced through one convention by publishers not restricted to their own name (bridges such
    /// as Zigbee2MQTT, loopback clients, the upstream bridge); also how many of them may appear in one minute.</summary>
    public int MaxPerBridge { get; init; } = 500;

    /// <summary>Devices the node keeps in all.</summary>
    public int MaxPerNode { get; init; } = 2000;

    /// <summary>New devices one device account may announce a minute.</summary>
    public int NewPerMinute { get; init; } = 16;
}

public enum GpioPinDirection { Input, Output }

public enum GpioPinBias { AsIs, PullUp, PullDown, Disabled }

/// <summary>Devices:Gpio: the chip (found by its label) and the pins that become participants.</summary>
public sealed record GpioOptions
{
    /// <summary>The chip's label (pinctrl-bcm2711 on a Pi 4, pinctrl-rp1 on a Pi 5) or a /dev/gpiochipN path; null when no pins are declared.</summary>
    public string? Chip { get; init; }

    public IReadOnlyList<GpioPinOptions> Pins { get; init; } = [];
}

/// <summary>Devices:Gpio:Pins:&lt;name&gt;: one pin; its name is its chat address's local part.</summary>
public sealed record GpioPinOptions
{
    public required string Name { get; init; }

    /// <summary>The pin as written (GPIO17, pin11, 17); the GPIO wiring maps it to the chip's line offset.</summary>
    public required string Line { get; init; }

    public GpioPinDirection Direction { get; init; } = GpioPinDirection.Input;
    public bool ActiveLow { get; init; }
    public GpioPinBias Bias { get; init; } = GpioPinBias.AsIs;
    public int DebounceMs { get; init; } = 20;

    /// <summary>Bare addresses that own the pin; none means Node:Admins.</summary>
    public IReadOnlyList<string> Owners { get; init; } = [];
}
