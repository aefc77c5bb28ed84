using System.Buffers;
using EdgeNode.Core.Routing;
using EdgeNode.Xmpp.Stanzas;
using EdgeNode.Xmpp.Xml;

namespace EdgeNode.Xmpp.Streams;

/// <summary>
/// Builds the XMPP element for a stanza whose sender does not speak XMPP (a device, a GPIO pin), from the router's
/// neutral fields: a message with its body, an error condition or structured readings, a presence with show and status.
/// </summary>
internal static class NeutralStanzas
{
    public static void WriteMessage(IBufferWriter<byte> output, in RoutedStanza stanza)
    {
        var writer = new XmlStanzaWriter(output);
        writer.WriteStartElement("message"u8, Ns.Client);
        writer.WriteAttribute("from"u8, stanza.From);
        writer.WriteAttribute("to"u8, stanza.To);
        writer.WriteAttribute("type"u8, MessageTypeName(stanza.MessageType));
        if (!stanza.Id.IsEmpty)
        {
            writer.WriteAttribute("id"u8, stanza.Id);
        }

        if (!stanza.Body.IsEmpty)
        {
            writer.WriteElementWithText("body"u8, stanza.Body);
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
                writer.WriteText(stanza.Body);
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
            writer.WriteElementWithText("status"u8, stanza.Status);
        }

        writer.WriteEndElement("presence"u8);
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
