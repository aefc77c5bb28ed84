namespace EdgeNode.Core.Participants;

/// <summary>What kind of participant the node speaks for.</summary>
public enum ParticipantKind : byte
{
    /// <summary>An MQTT device or a GPIO pin.</summary>
    Device,

    /// <summary>The node itself (node@&lt;domain&gt;).</summary>
    Node,
}

/// <summary>
/// A participant the node speaks for (a device, the node itself), described without any protocol's terms: each
/// front-end makes of it what its clients show (XMPP: a roster item in its people's rosters and a vCard; Matrix: a
/// user with a display name). The participant's own service decides these facts; front-ends only present them.
/// </summary>
public sealed record ParticipantDescription(string Bare, string DisplayName, ParticipantKind Kind)
{
    /// <summary>The groups it is listed under in contact lists ("Switches", "Sensors", "EdgeNode").</summary>
    public IReadOnlyList<string> Groups { get; init; } = [];

    /// <summary>
    /// The local accounts (bare addresses) that have it among their contacts without asking: they see it and it
    /// sees them.
    /// </summary>
    public IReadOnlyList<string> Contacts { get; init; } = [];

    /// <summary>Everyone (bare addresses, any domain) who may see it: its card, its presence; others are refused.</summary>
    public IReadOnlyList<string> Viewers { get; init; } = [];

    /// <summary>A short name (a device's id).</summary>
    public string? Nickname { get; init; }

    /// <summary>Who made it (a device's manufacturer).</summary>
    public string? Organisation { get; init; }

    /// <summary>What it is (a device's model, the node's version).</summary>
    public string? Title { get; init; }

    /// <summary>A sentence or two about it (a device's firmware and capabilities).</summary>
    public string? Description { get; init; }

    /// <summary>Whether <paramref name="bare"/> (a bare address) may see the participant.</summary>
    public bool MaySee(string bare)
    {
        foreach (string viewer in Viewers)
        {
            if (string.Equals(viewer, bare, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
