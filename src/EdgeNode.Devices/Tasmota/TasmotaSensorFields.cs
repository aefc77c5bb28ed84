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
}
