using Microsoft.Extensions.Logging;

namespace EdgeNode.Devices.Participants;

/// <summary>Log event ids of the node participant: 4520-4529, inside the device wiring's range.</summary>
internal static class NodeEventIds
{
    public const int Started = 4520;
    public const int NameTaken = 4521;
    public const int Commanded = 4522;
    public const int Refused = 4523;
    public const int Failed = 4524;
}

internal static partial class NodeLog
{
    [LoggerMessage(NodeEventIds.Started, LogLevel.Information, "The node is the chat participant {Address} for its administrators {Admins}")]
    public static partial void Started(ILogger logger, string address, string admins);

    [LoggerMessage(NodeEventIds.NameTaken, LogLevel.Warning, "{Address} is a user account, so the node participant is off; choose another Devices:NodeParticipant")]
    public static partial void NameTaken(ILogger logger, string address);

    [LoggerMessage(NodeEventIds.Commanded, LogLevel.Information, "{Sender} told the node: {Verb}")]
    public static partial void Commanded(ILogger logger, string sender, string verb);

    [LoggerMessage(NodeEventIds.Refused, LogLevel.Warning, "{Sender} is not an administrator; the node did not answer")]
    public static partial void Refused(ILogger logger, string sender);

    [LoggerMessage(NodeEventIds.Failed, LogLevel.Error, "The node participant failed while handling {What}")]
    public static partial void Failed(ILogger logger, string what, Exception exception);
}
