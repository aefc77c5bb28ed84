namespace EdgeNode.Core.Devices;

public enum CommandOutcomeKind
{
    /// <summary>The device echoed the command or reported the state it asked for.</summary>
    Done,
    TimedOut,
    /// <summary>The device went offline or was removed while the command waited.</summary>
    Lost,
}

/// <summary>How a command ended, with the sentence to answer the user.</summary>
public sealed record CommandOutcome(CommandOutcomeKind Kind, string Text);
