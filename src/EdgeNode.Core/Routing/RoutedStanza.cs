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

/// <summary>Which front-end a routed stanza came from; a front-end is never handed back what it sent itself.</summary>
public enum StanzaOrigin : byte
{
    /// <summary>An XMPP client of this node (c2s).</summary>
    Xmpp,

    /// <summary>A Matrix client of this node (an event in a room).</summary>
    Matrix,

    /// <summary>A device or GPIO pin, spoken for by the node.</summary>
    Device,

    /// <summary>The node participant itself.</summary>
    Node,

    /// <summary>Another server (XMPP federation).</summary>
    Remote,
}

/// <summary>What a message says about an earlier one (<see cref="RoutedStanza.RelatesTo"/> names it).</summary>
public enum MessageRelation : byte
{
    None,

    /// <summary>A corrected text that replaces the earlier message (XEP-0308, m.replace).</summary>
    Replace,

    /// <summary>An answer quoting the earlier message (XEP-0461, m.in_reply_to).</summary>
    Reply,

    /// <summary>The sender's reactions to it, the whole current set (XEP-0444, m.annotation).</summary>
    Reaction,

    /// <summary>The recipient has seen it and everything before it (XEP-0333 displayed, m.read).</summary>
    Displayed,
}

/// <summary>What the sender is doing in the conversation (XEP-0085; Matrix typing covers Composing).</summary>
public enum ChatState : byte
{
    None,
    Active,
    Composing,
    Paused,
    Inactive,
    Gone,
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
/// One message, presence or iq on its way through the router, in protocol-neutral terms, as views of the sender's
/// buffers: nothing here is copied or decoded to strings. Addresses are UTF-8 (<c>local@domain/resource</c>). A
/// message is its kind, body, optional formatted body, thread, id, time, attachments, and what it says about an
/// earlier message (correction, reply, reactions, displayed marker) or about the sender (chat state). Each front-end
/// translates its wire format to and from these fields. <see cref="Xmpp"/> is an opaque XMPP extension: the stanza as
/// the XMPP sender wrote it (from stamped, namespace declared), so that an XMPP target can write it without building
/// it again and keep payloads only XMPP peers understand; the router never reads it and other front-ends ignore it.
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

    /// <summary>The front-end the stanza came from.</summary>
    public StanzaOrigin Origin { get; init; }

    /// <summary>
    /// How far the sender's own front-end already got with the recipient: a Matrix message is in a room the
    /// recipient's Matrix clients read (Kept), and one of them is syncing now (Reached). The router counts it like an
    /// account-wide front-end's answer, so the offline store keeps only what reached none of the person's clients.
    /// </summary>
    public AccountReach OriginReach { get; init; }

    /// <summary>The body as HTML (UTF-8; Matrix's org.matrix.custom.html, XHTML-IM's body); empty for plain text.</summary>
    public ReadOnlySpan<byte> FormattedBody { get; init; }

    /// <summary>The conversation thread the message belongs to (UTF-8); empty for none.</summary>
    public ReadOnlySpan<byte> Thread { get; init; }

    /// <summary>When the sender's front-end accepted the message (Unix milliseconds); 0 means now.</summary>
    public long Timestamp { get; init; }

    /// <summary>An automatic message (a bot's or device's notice, Matrix m.notice): clients should not answer it automatically.</summary>
    public bool Notice { get; init; }

    /// <summary>
    /// The body is only a fallback: the real content is encrypted end to end (OMEMO, Megolm) for the sender's protocol
    /// and cannot be read on another one.
    /// </summary>
    public bool Encrypted { get; init; }

    /// <summary>What this message says about an earlier one.</summary>
    public MessageRelation Relation { get; init; }

    /// <summary>The id of the earlier message <see cref="Relation"/> is about (UTF-8), as the conversation knows it.</summary>
    public ReadOnlySpan<byte> RelatesTo { get; init; }

    /// <summary>The address of the earlier message's sender (UTF-8, bare) when known (a reply names whom it answers).</summary>
    public ReadOnlySpan<byte> RelatesToSender { get; init; }

    /// <summary>For <see cref="MessageRelation.Reaction"/>: the sender's reactions to the message now (empty: all withdrawn).</summary>
    public ReadOnlySpan<string> Reactions { get; init; }

    /// <summary>The sender's chat state carried by this message (with or without a body).</summary>
    public ChatState ChatState { get; init; }

    /// <summary>Files shared with the message, as URLs anyone in the conversation may fetch.</summary>
    public ReadOnlySpan<string> Attachments { get; init; }

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
