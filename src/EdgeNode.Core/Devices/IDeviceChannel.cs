namespace EdgeNode.Core.Devices;

/// <summary>
/// Another place where a device's people see it, besides its chat address on the router: Matrix rooms. The
/// device service tells every channel what it tells XMPP; channels must return at once (queue their own work).
/// </summary>
public interface IDeviceChannel
{
    /// <summary>The device's presence or status line changed; <paramref name="people"/> are the local bare
    /// addresses that see the device.</summary>
    void Show(Device device, string status, IReadOnlyList<string> people);

    /// <summary>Tells one of the device's people (a local bare address) something: a reading, an event.</summary>
    void Say(Device device, string person, string text);
}
