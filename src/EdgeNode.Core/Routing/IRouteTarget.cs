namespace EdgeNode.Core.Routing;

/// <summary>Why a copy of a message goes to a participant's other connection (XEP-0280 carbons and the like).</summary>
public enum CopyKind : byte
{
    /// <summary>The participant received the message on another of its connections.</summary>
    Received,

    /// <summary>The participant sent the message from another of its connections.</summary>
    Sent,
}

/// <summary>Why the router ends a target's session.</summary>
public enum TargetCloseReason : byte
{
    /// <summary>Another session bound the same resource and replaced this one.</summary>
    Replaced,

    /// <summary>The target's outbound buffer overflowed (a reader that does not read).</summary>
    Overflow,

    /// <summary>The node is stopping.</summary>
    Shutdown,

    /// <summary>The participant's account was removed.</summary>
    AccountRemoved,
}

/// <summary>
/// One connected session of a participant: an XMPP client resource, a device, the node participant. (A Matrix user's
/// clients are reached through an <see cref="IAccountFrontEnd"/> instead.) The router finds sessions by address and its
/// session rules pick among them; each target writes what it is handed in its own protocol. Deliver is called from any thread and must not block or throw.
/// </summary>
public interface IRouteTarget
{
    /// <summary>The participant's bare address, case-folded (<c>alice@pi.example</c>).</summary>
    string Bare { get; }

    /// <summary>The resource (device, connection) name as UTF-8, compared byte for byte.</summary>
    ReadOnlySpan<byte> Resource { get; }

    /// <summary>The full address as UTF-8 (<c>alice@pi.example/phone</c>).</summary>
    ReadOnlySpan<byte> FullAddress { get; }

    /// <summary>Has sent available presence (and not unavailable since).</summary>
    bool IsAvailable { get; }

    /// <summary>RFC 6121 priority, -128..127; negative means "never for a message to my bare address".</summary>
    int Priority { get; }

    /// <summary>Writes the stanza to the session; false when the session cannot take it (closing, buffer full).</summary>
    bool Deliver(in RoutedStanza stanza);

    /// <summary>A copy of a message the participant sent or received on another session; the target may ignore it.</summary>
    void DeliverCopy(in RoutedStanza stanza, CopyKind kind);

    /// <summary>Ends the session (asynchronously; returns at once).</summary>
    void Close(TargetCloseReason reason);
}
