using System.Buffers;
using EdgeNode.Xmpp.Xml;

namespace EdgeNode.Xmpp.Stanzas;

/// <summary>Writes stanza errors (RFC 6120 8.3) back to a sender.</summary>
internal static class StanzaErrors
{
    /// <summary>
    /// An error reply: <paramref name="kind"/> is message, presence or iq; <paramref name="from"/> is the address the
    /// failed stanza was sent to; <paramref name="to"/> its sender.
    /// </summary>
    public static void Write(IBufferWriter<byte> output, ReadOnlySpan<byte> kind, ReadOnlySpan<byte> from, ReadOnlySpan<byte> to,
        ReadOnlySpan<byte> id, ReadOnlySpan<byte> errorType, ReadOnlySpan<byte> condition, string? text = null)
    {
        var writer = new XmlStanzaWriter(output);
        writer.WriteStartElement(kind);
        if (!from.IsEmpty)
        {
            writer.WriteAttribute("from"u8, from);
        }

        if (!to.IsEmpty)
        {
            writer.WriteAttribute("to"u8, to);
        }

        writer.WriteAttribute("type"u8, "error"u8);
        if (!id.IsEmpty)
        {
            writer.WriteAttribute("id"u8, id);
        }

        writer.WriteStartElement("error"u8);
        writer.WriteAttribute("type"u8, errorType);
        writer.WriteStartElement(condition, Ns.Stanzas);
        writer.WriteEndElement(condition);
        if (text is not null)
        {
            writer.WriteStartElement("text"u8, Ns.Stanzas);
            writer.WriteAttribute("xml:lang"u8, "en"u8);
            writer.WriteText(text.AsSpan());
            writer.WriteEndElement("text"u8);
        }

        writer.WriteEndElement("error"u8);
        writer.WriteEndElement(kind);
    }

    /// <summary>The error type RFC 6120 8.3.3 pairs with each condition used here.</summary>
    public static ReadOnlySpan<byte> TypeOf(ReadOnlySpan<byte> condition) =>
        condition.SequenceEqual("bad-request"u8) || condition.SequenceEqual("jid-malformed"u8) || condition.SequenceEqual("not-acceptable"u8)
            ? "modify"u8
            : condition.SequenceEqual("not-authorized"u8) || condition.SequenceEqual("forbidden"u8)
                ? "auth"u8
                : condition.SequenceEqual("resource-constraint"u8) ? "wait"u8 : "cancel"u8;
}
