using EdgeNode.Core.Logging;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Core.Storage;

internal static partial class StoreLog
{
    [LoggerMessage(EventIds.DiskFull, LogLevel.Error, "The data directory's disk is full ({Directory}: {Reason}): refusing writes (XMPP resource-constraint, MQTT 0x97, Matrix M_RESOURCE_LIMIT_EXCEEDED) until there is room again; reads and delivery go on")]
    public static partial void DiskFull(ILogger logger, string directory, string reason);

    [LoggerMessage(EventIds.WritesResumed, LogLevel.Warning, "The data directory's disk has room again ({Directory}): writes resumed")]
    public static partial void WritesResumed(ILogger logger, string directory);
}
