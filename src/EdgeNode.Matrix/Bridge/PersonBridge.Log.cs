using EdgeNode.Core.Routing;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Matrix.Bridge;

internal static partial class PersonBridgeLog
{
    [LoggerMessage(MatrixEventIds.PairRoomCreated, LogLevel.Information, "Matrix direct room {RoomId} made for {Creator} and {Invitee}")]
    public static partial void PairRoomCreated(ILogger logger, string creator, string invitee, string roomId);

    [LoggerMessage(MatrixEventIds.BridgeQueueFull, LogLevel.Warning, "Matrix: the queue of messages from XMPP into direct rooms is full; a message from {From} to {To} reaches Matrix no more")]
    public static partial void QueueFull(ILogger logger, string from, string to);

    [LoggerMessage(MatrixEventIds.BridgePostFailed, LogLevel.Warning, "Matrix: a message from {From} to {To} could not be written into their direct room")]
    public static partial void PostFailed(ILogger logger, string from, string to, Exception exception);

    [LoggerMessage(MatrixEventIds.BridgeRouteFailed, LogLevel.Warning, "Matrix: a message from {From} to {To} could not be routed")]
    public static partial void RouteFailed(ILogger logger, string from, string to, Exception exception);

    [LoggerMessage(MatrixEventIds.BridgeNotRouted, LogLevel.Debug, "Matrix: a message from {From} to {To} was not delivered: {Outcome}")]
    public static partial void NotRouted(ILogger logger, string from, string to, RouteOutcome outcome);
}
