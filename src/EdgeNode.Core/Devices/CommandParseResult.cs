using System.Diagnostics.CodeAnalysis;

namespace EdgeNode.Core.Devices;

/// <summary>A parsed command, or the text to answer the user with instead.</summary>
public readonly record struct CommandParseResult(DeviceCommand? Command, string? Error)
{
    [MemberNotNullWhen(true, nameof(Command))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool Success => Command is not null;

    public static CommandParseResult Ok(DeviceCommand command) => new(command, null);

    public static CommandParseResult Fail(string error) => new(null, error);
}
