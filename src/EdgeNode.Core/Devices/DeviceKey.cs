namespace EdgeNode.Core.Devices;

/// <summary>
/// A device's identity as its convention knows it (Tasmota topic, Zigbee IEEE address, Homie id...). It never
/// changes, unlike the chat address, which can be renamed when it clashes with a user account.
/// </summary>
public readonly record struct DeviceKey(DeviceConvention Convention, string NativeId)
{
    public override string ToString() => $"{Convention}:{NativeId}";
}
