namespace EdgeNode.Devices;

/// <summary>A new device was beyond the limits (already logged by <see cref="DeviceAdmission"/>); the message is ignored.</summary>
public sealed class DeviceRefusedException : Exception
{
    public DeviceRefusedException() : base("the device is beyond the node's limits")
    {
    }

    public DeviceRefusedException(string message) : base(message)
    {
    }

    public DeviceRefusedException(string message, Exception inner) : base(message, inner)
    {
    }
}
