using System.Buffers;
using EdgeNode.Core.Routing;
using EdgeNode.Xmpp.Stanzas;
using EdgeNode.Xmpp.Xml;

namespace EdgeNode.Xmpp.Streams;

/// <summary>
/// Builds the XMPP element for a stanza whose sender does not speak XMPP (a Matrix user, a device, a GPIO pin), from
/// the router's neutral fields: a message with its body and thread, what it says about an earlier message (XEP-0308
/// correction, XEP-0461 reply, XEP-0444 reactions, XEP-0333 displayed), a XEP-0085 chat state, XEP-0066 links, an
/// error condition or structured readings; a presence with show and status. Text from another protocol is written
/// whole, with characters XML 1.0 cannot carry replaced by U+FFFD.
/// </summary>
internal static class NeutralStanzas
{
    private static ReadOnlySpan<byte> Correction => "urn:xmpp:message-correct:0"u8;
    private static ReadOnlySpan<byte> Reply => "urn:xmpp:reply:0"u8;
    private static ReadOnlySpan<byte> Reactions => "urn:xmpp:reactions:0"u8;
    private static ReadOnlySpan<byte> Markers => "urn:xmpp:chat-markers:0"u8;
    private static ReadOnlySpan<byte> ChatStates => "http://jabber.org/protocol/chatstates"u8;
    private static ReadOnlySpan<byte> OutOfBand => "jabber:x:oob"u8;

    public static void WriteMessage(IBufferWriter<byte> output, in RoutedStanza stanza)
    {
        var writer = new XmlStanzaWriter(output);
        writer.WriteStartElement("message"u8, Ns.Client);
        writer.WriteAttribute("from"u8, stanza.From);
        writer.WriteAttribute("to"u8, stanza.To);
        writer.WriteAttribute("type"u8, MessageTypeName(stanza.MessageType));
        if (!stanza.Id.IsEmpty)
        {
            writer.WriteAttributeReplacingInvalid("id"u8, stanza.Id);
        }

        if (!stanza.Body.IsEmpty)
        {
            writer.WriteStartElement("body"u8);
            writer.WriteTextReplacingInvalid(stanza.Body);
            writer.WriteEndElement("body"u8);
        }

        if (!stanza.Thread.IsEmpty)
        {
            writer.WriteStartElement("thread"u8);
            writer.WriteTextReplacingInvalid(stanza.Thread);
            writer.WriteEndElement("thread"u8);
        }

        WriteRelation(ref writer, stanza);
        WriteChatState(ref writer, stanza.ChatState);
        foreach (string url in stanza.Attachments)
        {
            writer.WriteStartElement("x"u8, OutOfBand);
            writer.WriteStartElement("url"u8);
            writer.WriteTextReplacingInvalid(url.AsSpan());
            writer.WriteEndElement("url"u8);
            writer.WriteEndElement("x"u8);
        }

        if (stanza.Origin == StanzaOrigin.Matrix && stanza.MessageType == MessageType.Chat && !stanza.Body.IsEmpty
            && stanza.Relation is MessageRelation.None or MessageRelation.Reply)
        {
            // So that XMPP clients send displayed markers, which become the Matrix side's read receipts.
            writer.WriteStartElement("markable"u8, Markers);
            writer.WriteEndElement("markable"u8);
        }

        if (stanza.MessageType == MessageType.Error)
        {
            ReadOnlySpan<byte> condition = stanza.Error == StanzaErrorCondition.Forbidden ? "forbidden"u8 : "service-unavailable"u8;
            writer.WriteStartElement("error"u8);
            writer.WriteAttribute("type"u8, StanzaErrors.TypeOf(condition));
            writer.WriteStartElement(condition, Ns.Stanzas);
            writer.WriteEndElement(condition);
            if (!stanza.Body.IsEmpty)
            {
                writer.WriteStartElement("text"u8, Ns.Stanzas);
                writer.WriteAttribute("xml:lang"u8, "en"u8);
                writer.WriteTextReplacingInvalid(stanza.Body);
                writer.WriteEndElement("text"u8);
            }

            writer.WriteEndElement("error"u8);
        }

        ReadOnlySpan<StanzaField> fields = stanza.Fields;
        if (!fields.IsEmpty)
        {
            writer.WriteStartElement("readings"u8, Ns.Device);
            foreach (StanzaField field in fields)
            {
                writer.WriteStartElement("reading"u8);
                writer.WriteAttribute("name"u8, field.Name.AsSpan());
                writer.WriteAttribute("value"u8, field.Value.AsSpan());
                if (!string.IsNullOrEmpty(field.Unit))
                {
                    writer.WriteAttribute("unit"u8, field.Unit.AsSpan());
                }

                writer.WriteEndElement("reading"u8);
            }

            writer.WriteEndElement("readings"u8);
        }

        writer.WriteEndElement("message"u8);
    }

    public static void WritePresence(IBufferWriter<byte> output, in RoutedStanza stanza)
    {
        var writer = new XmlStanzaWriter(output);
        writer.WriteStartElement("presence"u8, Ns.Client);
        writer.WriteAttribute("from"u8, stanza.From);
        writer.WriteAttribute("to"u8, stanza.To);
        if (stanza.PresenceType != PresenceType.Available)
        {
            writer.WriteAttribute("type"u8, StanzaTypes.Name(stanza.PresenceType));
        }

        ReadOnlySpan<byte> show = stanza.Show switch
        {
            PresenceShow.Away => "away"u8,
            PresenceShow.Chat => "chat"u8,
            PresenceShow.DoNotDisturb => "dnd"u8,
            PresenceShow.ExtendedAway => "xa"u8,
            _ => default,
        };
        if (stanza.PresenceType == PresenceType.Available && !show.IsEmpty)
        {
            writer.WriteElementWithText("show"u8, show);
        }

        if (!stanza.Status.IsEmpty)
        {
            writer.WriteStartElement("status"u8);
            writer.WriteTextReplacingInvalid(stanza.Status);
            writer.WriteEndElement("status"u8);
        }

        writer.WriteEndElement("presence"u8);
    }

    private static void WriteRelation(ref XmlStanzaWriter writer, in RoutedStanza stanza)
    {
        if (stanza.RelatesTo.IsEmpty)
        {
            return;
        }

        switch (stanza.Relation)
        {
            case MessageRelation.Replace:
                writer.WriteStartElement("replace"u8, Correction);
                writer.WriteAttributeReplacingInvalid("id"u8, stanza.RelatesTo);
                writer.WriteEndElement("replace"u8);
                break;
            case MessageRelation.Reply:
                writer.WriteStartElement("reply"u8, Reply);
                if (!stanza.RelatesToSender.IsEmpty)
                {
                    writer.WriteAttributeReplacingInvalid("to"u8, stanza.RelatesToSender);
                }

                writer.WriteAttributeReplacingInvalid("id"u8, stanza.RelatesTo);
                writer.WriteEndElement("reply"u8);
                break;
            case MessageRelation.Reaction:
                writer.WriteStartElement("reactions"u8, Reactions);
                writer.WriteAttributeReplacingInvalid("id"u8, stanza.RelatesTo);
                foreach (string reaction in stanza.Reactions)
                {
                    writer.WriteStartElement("reaction"u8);
                    writer.WriteTextReplacingInvalid(reaction.AsSpan());
                    writer.WriteEndElement("reaction"u8);
                }

                writer.WriteEndElement("reactions"u8);
                break;
            case MessageRelation.Displayed:
                writer.WriteStartElement("displayed"u8, Markers);
                writer.WriteAttributeReplacingInvalid("id"u8, stanza.RelatesTo);
                writer.WriteEndElement("displayed"u8);
                break;
        }
    }

    private static void WriteChatState(ref XmlStanzaWriter writer, ChatState state)
    {
        ReadOnlySpan<byte> name = state switch
        {
            ChatState.Active => "active"u8,
            ChatState.Composing => "composing"u8,
            ChatState.Paused => "paused"u8,
            ChatState.Inactive => "inactive"u8,
            ChatState.Gone => "gone"u8,
            _ => default,
        };
        if (!name.IsEmpty)
        {
            writer.WriteStartElement(name, ChatStates);
            writer.WriteEndElement(name);
        }
    }

    private static ReadOnlySpan<byte> MessageTypeName(MessageType type) => type switch
    {
        MessageType.Chat => "chat"u8,
        MessageType.Headline => "headline"u8,
        MessageType.Groupchat => "groupchat"u8,
        MessageType.Error => "error"u8,
        _ => "normal"u8,
    };
}
