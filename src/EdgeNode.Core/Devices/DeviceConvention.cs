namespace EdgeNode.Core.Devices;

/// <summary>
/// Where a device was found. It selects the adapter that turns the device's commands into wire traffic, so the
/// core can stay ignorant of every wire format.
/// </summary>
public enum DeviceConvention
{
    Homie,
    HomeAssistant,
    Tasmota,
    EspHome,
    Zigbee2Mqtt,
    ShellyGen2,
    Profile,
    Gpio,
    Node,
}
