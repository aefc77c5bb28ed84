using Microsoft.Extensions.Logging;

namespace EdgeNode.Matrix.Bridge;

/// <summary>Log event ids of devices' Matrix rooms (in the Matrix range, 3060-3069; see MatrixEventIds).</summary>
internal static class DeviceBridgeEventIds
{
    public const int Behind = 3060;
    public const int Failed = 3061;
}

internal static partial class DeviceBridgeLog
{
    [LoggerMessage(DeviceBridgeEventIds.Behind, LogLevel.Warning, "Devices' Matrix rooms are behind ({Waiting} writes waiting); readings and answers for Matrix are dropped until they catch up (the other views still get them)")]
    public static partial void Behind(ILogger logger, int waiting);

    [LoggerMessage(DeviceBridgeEventIds.Failed, LogLevel.Error, "A device's Matrix room could not be written")]
    public static partial void Failed(ILogger logger, Exception exception);
}
