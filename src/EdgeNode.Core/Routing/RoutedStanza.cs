namespace EdgeNode.Core.Routing;

/// <summary>The three kinds of thing participants send each other, in every protocol's terms.</summary>
public enum StanzaKind : byte
{
    Message,
    Presence,
    Iq,
}

/// <summary>Message types (RFC 6121 section 5.2.2); a device reading or a Matrix event maps to one of them.</summary>
public enum MessageType : byte
{
    Normal,
    Chat,
    Groupchat,
    Headline,
    Error,
}

/// <summary>Presence types (RFC 6121 section 4.7.1): availability, the subscription handshake, probes.</summary>
public enum PresenceType : byte
{
    Available,
    Unavailable,
    Subscribe,
    Subscribed,
    Unsubscribe,
    Unsubscribed,
    Probe,
    Error,
}

/// <summary>The availability shades of an available participant (RFC 6121 4.7.2.1); None is plainly available.</summary>
public enum PresenceShow : byte
{
    None,
    Away,
    Chat,
    DoNotDisturb,
    ExtendedAway,
}

/// <summary>Why a stanza from a non-XMPP participant is an error; each front-end maps it to its own wire condition.</summary>
public enum StanzaErrorCondition : byte
{
    None,

    /// <summary>The sender may not do this (RFC 6120 8.3.3.5 forbidden).</summary>
    Forbidden,

    /// <summary>The addressee cannot handle this request (RFC 6120 8.3.3.19 service-unavailable).</summary>
    ServiceUnavailable,
}

/// <summary>One structured value carried beside a message's text (a device reading: name, value, unit).</summary>
public readonly record struct StanzaField(string Name, string Value, string? Unit = null);

public enum IqType : byte
{
    Get,
    Set,
    Result,
    Error,
}

/// <summary>
/// One message, presence or iq on its way through the router, as views of the sender's buffers: nothing
/// here is copied or decoded to strings. Addresses are UTF-8 (<c>local@domain/resource</c>); <see cref="Body"/>
/// is the decoded body text for targets that do not speak XMPP; <see cref="Xmpp"/> is the stanza as an XMPP
/// element with its authoritative <c>from</c> stamped and its namespace declared, so that an XMPP target writes
/// it as bytes without building it again.
/// </summary>
public readonly ref struct RoutedStanza
{
    public RoutedStanza(StanzaKind kind, byte type, ReadOnlySpan<byte> from, ReadOnlySpan<byte> to, ReadOnlySpan<byte> id,
        ReadOnlySpan<byte> body, ReadOnlySpan<byte> xmpp)
    {
        Kind = kind;
        Type = type;
        From = from;
        To = to;
        Id = id;
        Body = body;
        Xmpp = xmpp;
    }

    public static RoutedStanza Message(MessageType type, ReadOnlySpan<byte> from, ReadOnlySpan<byte> to, ReadOnlySpan<byte> id,
        ReadOnlySpan<byte> body, ReadOnlySpan<byte> xmpp) => new(StanzaKind.Message, (byte)type, from, to, id, body, xmpp);

    public static RoutedStanza Presence(PresenceType type, ReadOnlySpan<byte> from, ReadOnlySpan<byte> to, ReadOnlySpan<byte> xmpp) =>
        new(StanzaKind.Presence, (byte)type, from, to, default, default, xmpp);

    public static RoutedStanza Iq(IqType type, ReadOnlySpan<byte> from, ReadOnlySpan<byte> to, ReadOnlySpan<byte> id, ReadOnlySpan<byte> xmpp) =>
        new(StanzaKind.Iq, (byte)type, from, to, id, default, xmpp);

    public StanzaKind Kind { get; }

    /// <summary>A <see cref="MessageType"/>, <see cref="PresenceType"/> or <see cref="IqType"/> by <see cref="Kind"/>.</summary>
    public byte Type { get; }

    public MessageType MessageType => (MessageType)Type;
    public PresenceType PresenceType => (PresenceType)Type;
    public IqType IqType => (IqType)Type;

    /// <summary>The sender's full address.</summary>
    public ReadOnlySpan<byte> From { get; }

    /// <summary>The addressee, bare or full.</summary>
    public ReadOnlySpan<byte> To { get; }

    public ReadOnlySpan<byte> Id { get; }

    /// <summary>Decoded text of the message body (UTF-8); empty when there is none.</summary>
    public ReadOnlySpan<byte> Body { get; }

    /// <summary>The stanza as a standalone XMPP element (from stamped, xmlns declared); empty when the sender is not XMPP.</summary>
    public ReadOnlySpan<byte> Xmpp { get; }

    // The fields below are for senders that do not speak XMPP (devices, GPIO pins): they describe what the
    // XMPP bytes would otherwise carry, and a target that receives Xmpp bytes ignores them.

    /// <summary>The shade of an available presence.</summary>
    public PresenceShow Show { get; init; }

    /// <summary>The presence's status text (UTF-8); empty for none.</summary>
    public ReadOnlySpan<byte> Status { get; init; }

    /// <summary>For an error message: what went wrong (the <see cref="Body"/> says it in words).</summary>
    public StanzaErrorCondition Error { get; init; }

    /// <summary>Structured values beside the body (a device's readings); empty for none.</summary>
    public ReadOnlySpan<StanzaField> Fields { get; init; }
}
