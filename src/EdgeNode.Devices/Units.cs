namespace EdgeNode.Devices;

/// <summary>A device class guessed from a unit, for conventions that give units but no classes (Homie, Tasmota).</summary>
internal static class Units
{
    public static string? DeviceClassFor(string? unit, string name) => unit switch
    {
        "°C" or "°F" or "K" => "temperature",
        "W" or "kW" => "power",
        "kWh" or "Wh" => "energy",
        "V" => "voltage",
        "A" or "mA" => "current",
        "hPa" or "Pa" or "mbar" or "bar" => "pressure",
        "lx" => "illuminance",
        "ppm" when name.Contains("co2", StringComparison.OrdinalIgnoreCase) || name.Contains("carbon", StringComparison.OrdinalIgnoreCase) => "carbon_dioxide",
        "%" when name.Contains("humid", StringComparison.OrdinalIgnoreCase) => "humidity",
        "%" when name.Contains("batt", StringComparison.OrdinalIgnoreCase) => "battery",
        "Hz" => "frequency",
        "dBm" => "signal_strength",
        _ => null,
    };
}
