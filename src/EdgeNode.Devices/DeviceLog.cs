using EdgeNode.Core.Devices;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Devices;

internal static partial class DeviceLog
{
    [LoggerMessage(EventId = DeviceEventIds.PayloadTooLarge, Level = LogLevel.Warning,
        Message = "{Convention}: ignored a {Size}-byte payload on '{Topic}' (limit {Limit} bytes)")]
    public static partial void PayloadTooLarge(this ILogger logger, DeviceConvention convention, string topic, int size, int limit);

    [LoggerMessage(EventId = DeviceEventIds.PayloadIgnored, Level = LogLevel.Warning,
        Message = "{Convention}: ignored the message on '{Topic}': {Reason}")]
    public static partial void PayloadIgnored(this ILogger logger, DeviceConvention convention, string topic, string reason);

    [LoggerMessage(EventId = DeviceEventIds.AdapterFailed, Level = LogLevel.Error,
        Message = "{Convention}: the message on '{Topic}' could not be handled and was ignored")]
    public static partial void AdapterFailed(this ILogger logger, DeviceConvention convention, string topic, Exception exception);

    [LoggerMessage(EventId = DeviceEventIds.DeviceDiscovered, Level = LogLevel.Information,
        Message = "{Convention}: found device '{NativeId}' as '{Localpart}'")]
    public static partial void DeviceDiscovered(this ILogger logger, DeviceConvention convention, string nativeId, string localpart);

    [LoggerMessage(EventId = DeviceEventIds.TemplateNotEvaluated, Level = LogLevel.Information,
        Message = "{Convention}: the value template '{Template}' of '{Topic}' is beyond the simple forms EdgeNode evaluates; the raw value is kept")]
    public static partial void TemplateNotEvaluated(this ILogger logger, DeviceConvention convention, string topic, string template);

    [LoggerMessage(EventId = DeviceEventIds.ProfileProblem, Level = LogLevel.Warning,
        Message = "device profile '{Source}': {Problem}")]
    public static partial void ProfileProblem(this ILogger logger, string source, string problem);

    [LoggerMessage(EventId = DeviceEventIds.DeviceRemoved, Level = LogLevel.Information,
        Message = "{Convention}: device '{NativeId}' was removed by its discovery topic")]
    public static partial void DeviceRemoved(this ILogger logger, DeviceConvention convention, string nativeId);

    [LoggerMessage(EventId = DeviceEventIds.ComponentUnsupported, Level = LogLevel.Debug,
        Message = "{Convention}: '{Topic}' describes a '{Component}', which EdgeNode does not model")]
    public static partial void ComponentUnsupported(this ILogger logger, DeviceConvention convention, string topic, string component);

    [LoggerMessage(EventId = DeviceEventIds.TopicRejected, Level = LogLevel.Warning,
        Message = "devices: ignored a message whose topic is not a valid MQTT topic name ({Length} characters)")]
    public static partial void TopicRejected(this ILogger logger, int length);

    [LoggerMessage(EventId = DeviceEventIds.CommandFailed, Level = LogLevel.Error,
        Message = "{Convention}: the command '{Command}' for '{Localpart}' could not be translated")]
    public static partial void CommandFailed(this ILogger logger, DeviceConvention convention, string command, string localpart, Exception exception);

    [LoggerMessage(EventId = DeviceEventIds.TopicOutsideAccess, Level = LogLevel.Warning,
        Message = "{Convention}: refused the discovery on '{Topic}': it names '{Outside}', which its account '{Account}' may not use")]
    public static partial void TopicOutsideAccess(this ILogger logger, DeviceConvention convention, string topic, string account, string outside);

    [LoggerMessage(EventId = DeviceEventIds.CommandOutsideAccess, Level = LogLevel.Warning,
        Message = "devices: refused to publish a command for '{Localpart}' on '{Topic}', which its account '{Account}' may not publish to")]
    public static partial void CommandOutsideAccess(this ILogger logger, string localpart, string topic, string account);

    [LoggerMessage(EventId = DeviceEventIds.DeviceRefused, Level = LogLevel.Warning,
        Message = "{Convention}: ignored new device '{NativeId}' of {Announcer} and any more until the limit allows: {Reason}")]
    public static partial void DeviceRefused(this ILogger logger, DeviceConvention convention, string nativeId, string announcer, string reason);
}
