using EdgeNode.Core.Devices;

namespace EdgeNode.Devices.Tests;

public class DeviceTextsTests
{
    private static Device Pin(string name, CapabilityKind kind, DeviceConvention convention = DeviceConvention.Gpio)
    {
        var registry = new DeviceRegistry(_ => false);
        var key = new DeviceKey(convention, name);
        registry.Ensure(key, name);
        registry.UpsertCapability(key, new Capability("state", kind) { Name = name });
        return registry.Find(key)!;
    }

    [Fact]
    public void Help_GpioOutput_ListsPulse()
    {
        var relay = Pin("relay", CapabilityKind.Switch);

        Assert.Contains("\npulse [duration]: on, then off again after 500 ms", DeviceTexts.Help(relay), StringComparison.Ordinal);
        Assert.Contains("pulse", DeviceTexts.Verbs(relay), StringComparison.Ordinal);
    }

    [Fact]
    public void Help_GpioInputAndMqttSwitch_NoPulse()
    {
        Assert.DoesNotContain("pulse", DeviceTexts.Help(Pin("button", CapabilityKind.BinarySensor)), StringComparison.Ordinal);
        Assert.DoesNotContain("pulse", DeviceTexts.Help(Pin("plug1", CapabilityKind.Switch, DeviceConvention.Tasmota)), StringComparison.Ordinal);
    }
}
