using System.Buffers;
using System.Text;
using EdgeNode.Core.Participants;
using EdgeNode.Core.Routing;
using EdgeNode.Xmpp.Xml;

namespace EdgeNode.Xmpp.Participants;

/// <summary>
/// The iqs a device or the node answers for itself, as XMPP bytes the router hands to the asking session: a
/// vcard-temp vCard (XEP-0054) for a get, an error for anything else (every get and set gets an answer, RFC 6120
/// 8.2.3). The client's iq has exactly one child (the XMPP front-end checks), so a get whose child is
/// &lt;vCard xmlns='vcard-temp'/&gt; is recognised by those bytes.
/// </summary>
internal static class ParticipantIq
{
    public static bool IsVCardGet(IqType type, ReadOnlySpan<byte> iq)
    {
        if (type != IqType.Get) return false;
        var start = iq.IndexOf("<vCard"u8);
        if (start < 0 || start + 6 >= iq.Length || iq[start + 6] is not ((byte)' ' or (byte)'/' or (byte)'>' or (byte)'\t' or (byte)'\n')) return false;
        return iq[start..].IndexOf("'vcard-temp'"u8) >= 0 || iq[start..].IndexOf("\"vcard-temp\""u8) >= 0;
    }

    /// <summary>A result carrying the participant's vCard: FN is its display name (fields it lacks left out).</summary>
    public static byte[] VCardResult(ReadOnlySpan<byte> from, ReadOnlySpan<byte> to, ReadOnlySpan<byte> id, ParticipantDescription card)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        var writer = Begin(buffer, "result"u8, from, to, id);
        writer.WriteStartElement("vCard"u8, "vcard-temp"u8);
        Text(ref writer, "FN"u8, card.DisplayName);
        Text(ref writer, "NICKNAME"u8, card.Nickname);
        if (Clean(card.Organisation) is { } organisation)
        {
            writer.WriteStartElement("ORG"u8);
            writer.WriteStartElement("ORGNAME"u8);
            writer.WriteText(organisation.AsSpan());
            writer.WriteEndElement("ORGNAME"u8);
            writer.WriteEndElement("ORG"u8);
        }
        Text(ref writer, "TITLE"u8, card.Title);
        Text(ref writer, "DESC"u8, card.Description);
        writer.WriteEndElement("vCard"u8);
        writer.WriteEndElement("iq"u8);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>An error answer; <paramref name="condition"/> is an RFC 6120 8.3.3 condition of the given type.</summary>
    public static byte[] Error(ReadOnlySpan<byte> from, ReadOnlySpan<byte> to, ReadOnlySpan<byte> id, ReadOnlySpan<byte> condition, ReadOnlySpan<byte> errorType)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        var writer = Begin(buffer, "error"u8, from, to, id);
        writer.WriteStartElement("error"u8);
        writer.WriteAttribute("type"u8, errorType);
        writer.WriteStartElement(condition, "urn:ietf:params:xml:ns:xmpp-stanzas"u8);
        writer.WriteEndElement(condition);
        writer.WriteEndElement("error"u8);
        writer.WriteEndElement("iq"u8);
        return buffer.WrittenSpan.ToArray();
    }


    private static XmlStanzaWriter Begin(ArrayBufferWriter<byte> buffer, ReadOnlySpan<byte> type, ReadOnlySpan<byte> from, ReadOnlySpan<byte> to, ReadOnlySpan<byte> id)
    {
        var writer = new XmlStanzaWriter(buffer);
        writer.WriteStartElement("iq"u8, "jabber:client"u8);
        writer.WriteAttribute("from"u8, from);
        writer.WriteAttribute("to"u8, to);
        writer.WriteAttribute("type"u8, type);
        writer.WriteAttribute("id"u8, id);
        return writer;
    }

    private static void Text(ref XmlStanzaWriter writer, ReadOnlySpan<byte> name, string? value)
    {
        if (Clean(value) is not { } text) return;
        writer.WriteStartElement(name);
        writer.WriteText(text.AsSpan());
        writer.WriteEndElement(name);
    }

    // Names come from devices: control characters XML cannot carry are dropped rather than failing the answer.
    private static string? Clean(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var text = new StringBuilder(value.Length);
        foreach (var rune in value.EnumerateRunes())
        {
            // A lone surrogate enumerates as U+FFFD, which XML carries.
            if ((rune.Value >= ' ' || rune.Value is '\t' or '\n' or '\r') && rune.Value is not (0xFFFE or 0xFFFF)) text.Append(rune.ToString());
        }
        var result = text.ToString().Trim();
        return result.Length == 0 ? null : result;
    }
}
