namespace EdgeNode.Devices;

/// <summary>
/// What to publish for a command, or why it cannot be done. No publications and no error means the convention
/// has nothing to send (e.g. "status" for Homie, whose values are retained): answer from the last known state.
/// </summary>
public sealed record CommandTranslation(IReadOnlyList<MqttPublication> Publications, string? Error)
{
    public bool Success => Error is null;

    public static CommandTranslation Publish(params MqttPublication[] publications) => new(publications, null);

    public static CommandTranslation Nothing { get; } = new([], null);

    public static CommandTranslation Unsupported(string error) => new([], error);
}
