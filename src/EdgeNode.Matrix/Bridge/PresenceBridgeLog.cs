using Microsoft.Extensions.Logging;

namespace EdgeNode.Matrix.Bridge;

internal static partial class PresenceBridgeLog
{
    [LoggerMessage(MatrixEventIds.PresenceWorkFailed, LogLevel.Warning, "Matrix presence/typing bridge: showing {What} failed")]
    public static partial void WorkFailed(ILogger logger, string what, Exception exception);

    [LoggerMessage(MatrixEventIds.PresenceQueueFull, LogLevel.Warning,
        "Matrix presence/typing bridge: {Capacity} changes already wait to be shown; typing notifications are dropped until they are")]
    public static partial void QueueFull(ILogger logger, int capacity);
}
