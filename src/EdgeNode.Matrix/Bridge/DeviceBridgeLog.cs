using Microsoft.Extensions.Logging;

namespace EdgeNode.Matrix.Bridge;

internal static partial class DeviceBridgeLog
{
    [LoggerMessage(MatrixEventIds.DeviceBridgeBehind, LogLevel.Warning, "Devices' Matrix rooms are behind ({Waiting} writes waiting); readings and answers for Matrix are dropped until they catch up (the other views still get them)")]
    public static partial void Behind(ILogger logger, int waiting);

    [LoggerMessage(MatrixEventIds.DeviceBridgeFailed, LogLevel.Error, "A device's Matrix room could not be written")]
    public static partial void Failed(ILogger logger, Exception exception);
}
