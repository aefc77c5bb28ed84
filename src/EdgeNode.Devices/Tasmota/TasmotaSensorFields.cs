namespace EdgeNode.Devices;

/// <summary>Units and classes of the field names Tasmota uses inside its SENSOR objects.</summary>
internal static class TasmotaSensorFields
{
    public static (string? Unit, string? DeviceClass) Describe(string field, string temperatureUnit, string pressureUnit) => field switch
    {
        "Temperature" or "DewPoint" => (temperatureUnit, "temperature"),
        "Humidity" => ("%", "humidity"),
        "Pressure" or "SeaPressure" => (pressureUnit, "pressure"),
        "Illuminance" => ("lx", "illuminance"),
        "Power" or "ActivePower" => ("W", "power"),
        "ApparentPower" => ("VA", "apparent_power"),
        "ReactivePower" => ("var", "reactive_power"),
        "Voltage" => ("V", "voltage"),
        "Current" => ("A", "current"),
        "Total" or "Today" or "Yesterday" => ("kWh", "energy"),
        "Factor" => (null, "power_factor"),
        "Frequency" => ("Hz", "frequency"),
        "CarbonDioxide" or "CO2" or "eCO2" => ("ppm", "carbon_dioxide"),
        "TVOC" => ("ppb", "volatile_organic_compounds"),
        "PM2.5" => ("µg/m³", "pm25"),
        "PM10" => ("µg/m³", "pm10"),
        "Distance" => ("cm", "distance"),
        _ => (null, null),
    };

    /// <summary>Fields that only make sense to firmware tools (energy since the last report, start of the total).</summary>
    public static bool IsRaw(string field) => field is "Period" or "TotalStartTime" or "Id";

    /// <summary>The field as people say it: "Total" is "total", "ApparentPower" "apparent power", "Factor" "power factor".</summary>
    public static string Label(string field)
    {
        if (field == "Factor") return "power factor";
        if (field is "CO2" or "eCO2" or "TVOC" or "PM2.5" or "PM10") return field;
        var words = new System.Text.StringBuilder();
        for (var i = 0; i < field.Length; i++)
        {
            if (i > 0 && char.IsUpper(field[i]) && char.IsLower(field[i - 1])) words.Append(' ');
            words.Append(char.ToLowerInvariant(field[i]));
        }
        return words.ToString();
    }
}
