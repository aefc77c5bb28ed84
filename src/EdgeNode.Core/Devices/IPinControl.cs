namespace EdgeNode.Core.Devices;

/// <summary>
/// The node's own GPIO pins as the device service drives them (<see cref="DeviceConvention.Gpio"/> devices): a
/// command sets an output, a pulse switches it on and off again. Implemented by the GPIO pin service, so the device
/// service needs no GPIO library.
/// </summary>
public interface IPinControl
{
    /// <summary>Carries out a command on a pin; null when done (its reported state answers), else what went wrong.</summary>
    string? Execute(Device device, DeviceCommand command);

    /// <summary>Switches an output on for <paramref name="duration"/>, then off; the answer to give when done.</summary>
    Task<string> Pulse(Device device, TimeSpan duration);

    /// <summary>
    /// Whether <paramref name="text"/> asks for a pulse ("pulse", "pulse 2s"): false when it does not; true with the
    /// duration, or with <paramref name="error"/> set when the duration is not acceptable.
    /// </summary>
    bool TryParsePulse(string text, out TimeSpan duration, out string? error);

    /// <summary>The access configured for a pin (Devices:Gpio:Pins:NAME:Owners), null when none is.</summary>
    DeviceAccess? ConfiguredAccess(DeviceKey key);
}
