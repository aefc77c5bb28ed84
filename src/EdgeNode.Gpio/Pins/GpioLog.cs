using Microsoft.Extensions.Logging;

namespace EdgeNode.Gpio.Pins;

/// <summary>Log event ids of GPIO pins as participants: 4510-4599, inside the devices and GPIO range.</summary>
internal static class GpioEventIds
{
    public const int ChipFailed = 4510;
    public const int PinFailed = 4511;
    public const int PinReady = 4512;
    // 4513: a pin commanded, logged by the device service (DevicesEventIds.PinCommanded).
}

internal static partial class GpioLog
{
    [LoggerMessage(GpioEventIds.ChipFailed, LogLevel.Critical, "GPIO chip {Chip} (Devices:Gpio:Chip) could not be opened; use 'simulated' on a machine without pins")]
    public static partial void ChipFailed(ILogger logger, string chip, Exception exception);

    [LoggerMessage(GpioEventIds.PinFailed, LogLevel.Error, "GPIO pin {Pin} is not a participant: {Problem}")]
    public static partial void PinFailed(ILogger logger, string pin, string problem, Exception? exception);

    [LoggerMessage(GpioEventIds.PinReady, LogLevel.Information, "GPIO pin {Pin} is an {Direction} on line {Offset} of {Chip}")]
    public static partial void PinReady(ILogger logger, string pin, string direction, int offset, string chip);
}
