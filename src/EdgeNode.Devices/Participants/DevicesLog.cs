using EdgeNode.Core.Devices;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Devices.Participants;

/// <summary>Log event ids of devices as chat participants: 4500-4999 (GPIO pins 4510-4529).</summary>
public static class DevicesEventIds
{
    public const int Started = 4500;
    public const int ParticipantRegistered = 4501;
    public const int CommandSent = 4502;
    public const int CommandRefused = 4503;
    public const int InboxFull = 4504;
    public const int WiringFailed = 4505;
    public const int OwnersChanged = 4506;
    public const int RetainedReplayed = 4507;
    public const int ProfileProblem = 4508;
    public const int CommandNotSentOffline = 4509;

    // A GPIO pin commanded (in the GPIO pins' range, 4510-4529).
    public const int PinCommanded = 4513;

    // Devices across federation: 4540-4549.
    public const int SubscriptionAnswered = 4540;
}

public static partial class DevicesLog
{
    [LoggerMessage(DevicesEventIds.Started, LogLevel.Information, "Devices: watching {FilterCount} MQTT topic filters for {Conventions}")]
    public static partial void Started(ILogger logger, int filterCount, string conventions);

    [LoggerMessage(DevicesEventIds.ParticipantRegistered, LogLevel.Information, "Device {Key} is the chat participant {Address}, owned by {Owners}")]
    public static partial void ParticipantRegistered(ILogger logger, DeviceKey key, string address, string owners);

    [LoggerMessage(DevicesEventIds.CommandSent, LogLevel.Information, "{Sender} commanded {Device}: {Command} ({Publications} MQTT messages)")]
    public static partial void CommandSent(ILogger logger, string sender, string device, string command, int publications);

    [LoggerMessage(DevicesEventIds.CommandNotSentOffline, LogLevel.Information, "{Sender} commanded {Device}: {Command}; not sent, the device is offline")]
    public static partial void CommandNotSentOffline(ILogger logger, string sender, string device, string command);

    [LoggerMessage(DevicesEventIds.PinCommanded, LogLevel.Information, "{Sender} commanded GPIO pin {Pin}: {Command}")]
    public static partial void PinCommanded(ILogger logger, string sender, string pin, string command);

    [LoggerMessage(DevicesEventIds.CommandRefused, LogLevel.Warning, "{Sender} may not command {Device}; nothing was published")]
    public static partial void CommandRefused(ILogger logger, string sender, string device);

    [LoggerMessage(DevicesEventIds.InboxFull, LogLevel.Warning, "Device {Device} has too many chat messages waiting; one from {Sender} was dropped")]
    public static partial void InboxFull(ILogger logger, string device, string sender);

    [LoggerMessage(DevicesEventIds.WiringFailed, LogLevel.Error, "Device wiring failed while handling {What}")]
    public static partial void WiringFailed(ILogger logger, string what, Exception exception);

    [LoggerMessage(DevicesEventIds.SubscriptionAnswered, LogLevel.Information, "{Requester} asked to see device {Device}: granted {Granted} (by the device's access list)")]
    public static partial void SubscriptionAnswered(ILogger logger, string requester, string device, bool granted);

    [LoggerMessage(DevicesEventIds.OwnersChanged, LogLevel.Information, "Device {Device} is now owned by {Owners}")]
    public static partial void OwnersChanged(ILogger logger, string device, string owners);

    [LoggerMessage(DevicesEventIds.RetainedReplayed, LogLevel.Information, "Devices: {Understood} of the broker's {Retained} retained messages described devices")]
    public static partial void RetainedReplayed(ILogger logger, int understood, int retained);

    [LoggerMessage(DevicesEventIds.ProfileProblem, LogLevel.Error, "Device profile {File}: {Problem}")]
    public static partial void ProfileProblem(ILogger logger, string file, string problem);
}
