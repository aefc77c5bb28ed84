using EdgeNode.Core.Devices;

namespace EdgeNode.Core.Tests.Devices;

internal static class SampleDevices
{
    public static Device Make(string localpart, params Capability[] capabilities) => new()
    {
        Key = new DeviceKey(DeviceConvention.Tasmota, localpart),
        Localpart = localpart,
        PreferredLocalpart = localpart,
        DisplayName = localpart,
        Capabilities = capabilities,
        Availability = DeviceAvailability.Online,
    };

    public static Device Plug() => Make("plug1",
        new Capability("power", CapabilityKind.Switch),
        new Capability("energy-power", CapabilityKind.Sensor) { Unit = "W", DeviceClass = "power" });

    public static Device Lamp() => Make("lamp",
        new Capability("light", CapabilityKind.Light) { HasBrightness = true, HasColorTemperature = true, ColorTemperatureMin = 150, ColorTemperatureMax = 500 });

    public static Device Thermostat() => Make("thermo",
        new Capability("temperature", CapabilityKind.Sensor) { Unit = "°C", DeviceClass = "temperature" },
        new Capability("humidity", CapabilityKind.Sensor) { Unit = "%", DeviceClass = "humidity" },
        new Capability("target", CapabilityKind.Number) { Name = "Target temperature", Min = 5, Max = 30, Unit = "°C" },
        new Capability("mode", CapabilityKind.Select) { Options = ["Eco", "Comfort", "Off"] });

    public static Device DualRelay() => Make("relay",
        new Capability("power1", CapabilityKind.Switch),
        new Capability("power2", CapabilityKind.Switch));

    public static Device Garage() => Make("garage",
        new Capability("door", CapabilityKind.Cover) { HasPosition = true },
        new Capability("bell", CapabilityKind.Button),
        new Capability("contact", CapabilityKind.BinarySensor) { DeviceClass = "door" });

    public static Device WithReadings(Device device, DateTimeOffset at, params Reading[] readings) =>
        device with { State = readings.ToDictionary(r => r.Key, r => r with { At = at }) };
}
