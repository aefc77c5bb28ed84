using Microsoft.Extensions.Logging;

namespace EdgeNode.Matrix;

internal static partial class MatrixLog
{
    [LoggerMessage(MatrixEventIds.Started, LogLevel.Information, "Matrix homeserver for {ServerName} ready (default room version {RoomVersion}, registration {Registration})")]
    public static partial void Started(ILogger logger, string serverName, string roomVersion, string registration);

    [LoggerMessage(MatrixEventIds.LoggedIn, LogLevel.Information, "Matrix login: {UserId} on device {DeviceId}")]
    public static partial void LoggedIn(ILogger logger, string userId, string deviceId);

    [LoggerMessage(MatrixEventIds.LoginFailed, LogLevel.Warning, "Matrix login failed for {UserId} from {Remote}")]
    public static partial void LoginFailed(ILogger logger, string userId, string remote);

    [LoggerMessage(MatrixEventIds.LoginRateLimited, LogLevel.Warning, "Matrix login attempts for {UserId} from {Remote} are rate-limited")]
    public static partial void LoginRateLimited(ILogger logger, string userId, string remote);

    [LoggerMessage(MatrixEventIds.LoggedOut, LogLevel.Information, "Matrix logout: {UserId} device {DeviceId}")]
    public static partial void LoggedOut(ILogger logger, string userId, string deviceId);

    [LoggerMessage(MatrixEventIds.RoomCreated, LogLevel.Information, "Matrix room {RoomId} (version {Version}) created by {UserId}")]
    public static partial void RoomCreated(ILogger logger, string roomId, string version, string userId);

    [LoggerMessage(MatrixEventIds.EventRejected, LogLevel.Debug, "Matrix request by {UserId} refused: {Reason}")]
    public static partial void Refused(ILogger logger, string userId, string reason);

    [LoggerMessage(MatrixEventIds.UnknownEndpoint, LogLevel.Debug, "Matrix client API: no endpoint for {Method} {Path}")]
    public static partial void UnknownEndpoint(ILogger logger, string method, string path);

    [LoggerMessage(MatrixEventIds.RequestFailed, LogLevel.Error, "Matrix client API: {Method} {Path} failed")]
    public static partial void RequestFailed(ILogger logger, Exception exception, string method, string path);

    [LoggerMessage(MatrixEventIds.BadRequests, LogLevel.Information, "Matrix client API: answered {Count} request(s) that arrived too slowly or broken, the last from {Remote}: {Status} {Reason}")]
    public static partial void BadRequests(ILogger logger, int count, string remote, int status, string reason);

    [LoggerMessage(MatrixEventIds.Registered, LogLevel.Information, "Matrix registration: {UserId} registered with a registration token")]
    public static partial void Registered(ILogger logger, string userId);

    [LoggerMessage(MatrixEventIds.AccountDeactivated, LogLevel.Information, "Matrix deactivation: {UserId} removed its account (for every protocol)")]
    public static partial void AccountDeactivated(ILogger logger, string userId);

    [LoggerMessage(MatrixEventIds.DeviceRoomCreated, LogLevel.Information, "Matrix: device {Device} opened a direct chat {RoomId} with {Person}")]
    public static partial void DeviceRoomCreated(ILogger logger, string device, string person, string roomId);

    [LoggerMessage(MatrixEventIds.ToDeviceQueueFull, LogLevel.Warning, "Matrix to-device message from {Sender} to {Target} dropped: {Max} messages already wait for that device")]
    public static partial void ToDeviceQueueFull(ILogger logger, string target, string sender, int max);

    [LoggerMessage(MatrixEventIds.MediaQuotaReached, LogLevel.Information, "Matrix upload by {UserId} refused: the user's media would exceed {Quota} bytes")]
    public static partial void MediaQuotaReached(ILogger logger, string userId, long quota);

    [LoggerMessage(MatrixEventIds.SendsRateLimited, LogLevel.Warning, "Matrix sends by {UserId} refused with M_LIMIT_EXCEEDED: over Matrix:MessagesPerSecond {PerSecond} with a burst of {Burst} (further refusals of this burst are not logged)")]
    public static partial void SendsRateLimited(ILogger logger, string userId, double perSecond, int burst);

    [LoggerMessage(MatrixEventIds.QueryTokenRefused, LogLevel.Warning, "Matrix request {Path} from {Remote} refused: the access token was in the query string, which Matrix:AllowQueryToken allows (logged once; later ones at Debug)")]
    public static partial void QueryTokenRefused(ILogger logger, string path, string remote);

    [LoggerMessage(MatrixEventIds.QueryTokenRefused, LogLevel.Debug, "Matrix request {Path} from {Remote} refused: access token in the query string")]
    public static partial void QueryTokenRefusedAgain(ILogger logger, string path, string remote);

    [LoggerMessage(MatrixEventIds.XmppOnlyInviteNoticed, LogLevel.Information, "Matrix: {Inviter} invited {Invitee} to {RoomId}, who uses XMPP only; the room was told")]
    public static partial void XmppOnlyInviteNoticed(ILogger logger, string inviter, string invitee, string roomId);
}
