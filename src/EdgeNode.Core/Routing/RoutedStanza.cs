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
}
