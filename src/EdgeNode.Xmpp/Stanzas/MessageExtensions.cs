using System.Text;
using EdgeNode.Core.Routing;
using EdgeNode.Xmpp.Xml;

namespace EdgeNode.Xmpp.Stanzas;

/// <summary>
/// What a message's children say in the router's neutral terms: a correction (XEP-0308), a reply (XEP-0461), the
/// sender's reactions (XEP-0444), a displayed marker (XEP-0333), a chat state (XEP-0085), end-to-end encryption
/// (OMEMO, OpenPGP, XEP-0380), shared files (XEP-0066), the thread and the origin-id (XEP-0359). Values are views of
/// the parsed stanza; a plain chat message is read without allocating. Only reactions and attachments (arrays the
/// model carries as strings) and values written with character references (copied once) allocate.
/// </summary>
internal readonly ref struct MessageExtensions
{
    /// <summary>Reactions kept from one &lt;reactions/&gt; element; more are ignored.</summary>
    public const int MaxReactions = 32;

    /// <summary>The longest reaction kept, in UTF-8 bytes (an emoji sequence is far shorter); longer ones are ignored.</summary>
    public const int MaxReactionBytes = 64;

    /// <summary>Attachment URLs kept from one message.</summary>
    public const int MaxAttachments = 8;

    private static ReadOnlySpan<byte> ChatStates => "http://jabber.org/protocol/chatstates"u8;
    private static ReadOnlySpan<byte> Correction => "urn:xmpp:message-correct:0"u8;
    private static ReadOnlySpan<byte> Reply => "urn:xmpp:reply:0"u8;
    private static ReadOnlySpan<byte> ReactionsNs => "urn:xmpp:reactions:0"u8;
    private static ReadOnlySpan<byte> Markers => "urn:xmpp:chat-markers:0"u8;
    private static ReadOnlySpan<byte> OutOfBand => "jabber:x:oob"u8;
    private static ReadOnlySpan<byte> StanzaIds => "urn:xmpp:sid:0"u8;
    private static ReadOnlySpan<byte> OmemoLegacy => "eu.siacs.conversations.axolotl"u8;
    private static ReadOnlySpan<byte> Omemo => "urn:xmpp:omemo:2"u8;
    private static ReadOnlySpan<byte> OpenPgp => "urn:xmpp:openpgp:0"u8;
    private static ReadOnlySpan<byte> LegacyPgp => "jabber:x:encrypted"u8;
    private static ReadOnlySpan<byte> Eme => "urn:xmpp:eme:0"u8;

    public MessageRelation Relation { get; init; }
    public ReadOnlySpan<byte> RelatesTo { get; init; }
    public ReadOnlySpan<byte> RelatesToSender { get; init; }
    public string[]? Reactions { get; init; }
    public ChatState ChatState { get; init; }
    public bool Encrypted { get; init; }
    public string[]? Attachments { get; init; }
    public ReadOnlySpan<byte> Thread { get; init; }

    /// <summary>The sender's own id for the message (XEP-0359 origin-id); empty when absent.</summary>
    public ReadOnlySpan<byte> OriginId { get; init; }

    /// <summary>
    /// Reads the children of <paramref name="message"/>; <paramref name="contentNamespace"/> is the stream's
    /// (jabber:client or jabber:server), where &lt;thread/&gt; lives. A message with both a correction and a reply is
    /// a correction; a reaction wins over a reply and a marker.
    /// </summary>
    public static MessageExtensions Read(XmlElement message, ReadOnlySpan<byte> contentNamespace)
    {
        MessageRelation relation = MessageRelation.None;
        ReadOnlySpan<byte> relatesTo = default;
        ReadOnlySpan<byte> relatesToSender = default;
        string[]? reactions = null;
        ChatState state = ChatState.None;
        bool encrypted = false;
        List<string>? attachments = null;
        ReadOnlySpan<byte> thread = default;
        ReadOnlySpan<byte> originId = default;
        foreach (XmlElement child in message.Children)
        {
            ReadOnlySpan<byte> ns = child.NamespaceUri;
            ReadOnlySpan<byte> name = child.LocalName;
            if (ns.SequenceEqual(ChatStates))
            {
                state = ChatStateOf(name, state);
            }
            else if (ns.SequenceEqual(contentNamespace))
            {
                if (name.SequenceEqual("thread"u8))
                {
                    thread = TextOf(child);
                }
            }
            else if (ns.SequenceEqual(Correction) && name.SequenceEqual("replace"u8))
            {
                ReadOnlySpan<byte> id = IdOf(child);
                if (!id.IsEmpty)
                {
                    relation = MessageRelation.Replace;
                    relatesTo = id;
                    relatesToSender = default;
                }
            }
            else if (ns.SequenceEqual(ReactionsNs) && name.SequenceEqual("reactions"u8))
            {
                ReadOnlySpan<byte> id = IdOf(child);
                if (relation != MessageRelation.Replace && !id.IsEmpty)
                {
                    relation = MessageRelation.Reaction;
                    relatesTo = id;
                    relatesToSender = default;
                    reactions = ReactionsOf(child);
                }
            }
            else if (ns.SequenceEqual(Reply) && name.SequenceEqual("reply"u8))
            {
                ReadOnlySpan<byte> id = IdOf(child);
                if (relation is MessageRelation.None or MessageRelation.Displayed && !id.IsEmpty)
                {
                    relation = MessageRelation.Reply;
                    relatesTo = id;
                    relatesToSender = BareOf(AttributeOf(child, "to"u8));
                }
            }
            else if (ns.SequenceEqual(Markers) && name.SequenceEqual("displayed"u8))
            {
                ReadOnlySpan<byte> id = IdOf(child);
                if (relation == MessageRelation.None && !id.IsEmpty)
                {
                    relation = MessageRelation.Displayed;
                    relatesTo = id;
                }
            }
            else if (ns.SequenceEqual(OutOfBand) && name.SequenceEqual("x"u8))
            {
                if (child.TryGetChild("url"u8, OutOfBand, out XmlElement url) && (attachments?.Count ?? 0) < MaxAttachments
                    && UrlOf(url) is { } text)
                {
                    (attachments ??= []).Add(text);
                }
            }
            else if (ns.SequenceEqual(StanzaIds) && name.SequenceEqual("origin-id"u8))
            {
                originId = IdOf(child);
            }
            else if (ns.SequenceEqual(OmemoLegacy) || ns.SequenceEqual(Omemo) || ns.SequenceEqual(OpenPgp) || ns.SequenceEqual(LegacyPgp)
                || ns.SequenceEqual(Eme))
            {
                encrypted = true;
            }
        }

        return new MessageExtensions
        {
            Relation = relation,
            RelatesTo = relatesTo,
            RelatesToSender = relatesToSender,
            Reactions = reactions,
            ChatState = state,
            Encrypted = encrypted,
            Attachments = attachments?.ToArray(),
            Thread = thread,
            OriginId = originId,
        };
    }

    private static ChatState ChatStateOf(ReadOnlySpan<byte> name, ChatState current)
    {
        if (name.SequenceEqual("active"u8)) return ChatState.Active;
        if (name.SequenceEqual("composing"u8)) return ChatState.Composing;
        if (name.SequenceEqual("paused"u8)) return ChatState.Paused;
        if (name.SequenceEqual("inactive"u8)) return ChatState.Inactive;
        if (name.SequenceEqual("gone"u8)) return ChatState.Gone;
        return current;
    }

    /// <summary>The whole set: each distinct, non-empty, short &lt;reaction/&gt; text once, in the order sent.</summary>
    private static string[] ReactionsOf(XmlElement reactions)
    {
        List<string>? set = null;
        foreach (XmlElement reaction in reactions.Children)
        {
            if (!reaction.Is("reaction"u8, ReactionsNs) || reaction.HasChildElements)
            {
                continue;
            }

            int length = reaction.Text.GetDecodedLength();
            if (length == 0 || length > MaxReactionBytes)
            {
                continue;
            }

            string key = reaction.Text.GetString();
            if (string.IsNullOrWhiteSpace(key) || (set?.Contains(key) ?? false))
            {
                continue;
            }

            set ??= [];
            set.Add(key);
            if (set.Count == MaxReactions)
            {
                break;
            }
        }

        return set?.ToArray() ?? [];
    }

    private static string? UrlOf(XmlElement url)
    {
        string text = url.Text.GetString().Trim();
        return Uri.TryCreate(text, UriKind.Absolute, out Uri? uri) && uri.Scheme is "https" or "http" ? text : null;
    }

    private static ReadOnlySpan<byte> IdOf(XmlElement element) => AttributeOf(element, XmppNames.Id);

    // A view of the value when it has no references to decode (the usual case); otherwise a decoded copy.
    private static ReadOnlySpan<byte> AttributeOf(XmlElement element, ReadOnlySpan<byte> name)
    {
        if (!element.TryGetAttribute(name, out XmlValue value))
        {
            return default;
        }

        return value.NeedsDecoding ? Encoding.UTF8.GetBytes(value.GetString()) : value.Raw;
    }

    private static ReadOnlySpan<byte> TextOf(XmlElement element)
    {
        XmlText text = element.Text;
        if (text.TryGetSingleRun(out XmlValue run) && !run.NeedsDecoding)
        {
            return run.Raw;
        }

        return Encoding.UTF8.GetBytes(text.GetString());
    }

    private static ReadOnlySpan<byte> BareOf(ReadOnlySpan<byte> address)
    {
        int slash = address.IndexOf((byte)'/');
        return slash < 0 ? address : address.Slice(0, slash);
    }
}
