namespace EdgeNode.Core.Devices;

/// <summary>Whether a device can be reached, as the conventions report it (LWT, $state, availability topics).</summary>
public enum DeviceAvailability
{
    Unknown,
    Online,
    Sleeping,
    Alert,
    Offline,
}

/// <summary>The chat presence a device's availability shows as; front-ends map it to their own wire values.</summary>
public enum DevicePresence
{
    Unavailable,
    Available,
    Away,
    DoNotDisturb,
}

public static class DeviceAvailabilityExtensions
{
    /// <summary>
    /// Unknown shows as unavailable: a contact that claims to be there before the device has said a word would
    /// invite commands that go nowhere.
    /// </summary>
    public static DevicePresence ToPresence(this DeviceAvailability availability) => availability switch
    {
        DeviceAvailability.Online => DevicePresence.Available,
        DeviceAvailability.Sleeping => DevicePresence.Away,
        DeviceAvailability.Alert => DevicePresence.DoNotDisturb,
        _ => DevicePresence.Unavailable,
    };

    public static string ToText(this DeviceAvailability availability) => availability switch
    {
        DeviceAvailability.Online => "online",
        DeviceAvailability.Sleeping => "sleeping",
        DeviceAvailability.Alert => "alert",
        DeviceAvailability.Offline => "offline",
        _ => "unknown",
    };
}
