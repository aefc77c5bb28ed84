using System.Text;
using EdgeNode.Core.Routing;
using EdgeNode.Matrix.Rooms;

namespace EdgeNode.Matrix.Bridge;

/// <summary>
/// A message between two local people, copied out of the router's spans so that the bridge's loop can write it into
/// their room later. Addresses are bare (<c>alice@pi.example</c>); <see cref="XmppId"/> is the id the sender's XMPP
/// client gave it (origin-id when there was one), kept beside the event so that later relations find it.
/// </summary>
internal sealed record PersonMessage(string From, string To, string XmppId, string Body, string? FormattedBody, bool Notice,
    bool Encrypted, MessageRelation Relation, string RelatesTo, string[] Reactions, string[] Attachments)
{
    /// <summary>What an event adds around its content (ids, hashes, signature, auth and prev events), generously.</summary>
    public const int EnvelopeBytes = 2048;

    public static PersonMessage Copy(in RoutedStanza stanza, ReadOnlySpan<char> fromBare, ReadOnlySpan<char> toBare) => new(
        fromBare.ToString(), toBare.ToString(), Encoding.UTF8.GetString(stanza.Id), Encoding.UTF8.GetString(stanza.Body),
        stanza.FormattedBody.IsEmpty ? null : Encoding.UTF8.GetString(stanza.FormattedBody), stanza.Notice, stanza.Encrypted,
        stanza.Relation, Encoding.UTF8.GetString(stanza.RelatesTo), stanza.Reactions.ToArray(), stanza.Attachments.ToArray());

    /// <summary>
    /// Whether the message could not be a Matrix event: the event would exceed <see cref="RoomStore.MaxPduBytes"/>.
    /// Estimated from above, without allocating: the JSON-escaped body (twice for a correction, which carries the old
    /// and the new text) and formatted body, plus <see cref="EnvelopeBytes"/>.
    /// </summary>
    public static bool TooLargeForMatrix(in RoutedStanza stanza)
    {
        long size = EscapedLength(stanza.Body) + EscapedLength(stanza.FormattedBody);
        if (stanza.Relation == MessageRelation.Replace) size *= 2;
        foreach (string url in stanza.Attachments) size += url.Length * 6L + 1;
        return size + EnvelopeBytes > RoomStore.MaxPduBytes;
    }

    /// <summary>Bytes a UTF-8 text takes as a JSON string's content: quotes and backslashes doubled, controls as \uXXXX.</summary>
    public static long EscapedLength(ReadOnlySpan<byte> text)
    {
        long length = text.Length;
        foreach (byte b in text)
        {
            if (b < 0x20) length += 5;
            else if (b is (byte)'"' or (byte)'\\') length += 1;
        }

        return length;
    }

    /// <summary>Whether there is anything for the room: text, files, a relation or an encrypted message (a chat state alone is not).</summary>
    public static bool HasContent(in RoutedStanza stanza) =>
        !stanza.Body.IsEmpty || stanza.Encrypted || !stanza.Attachments.IsEmpty
        || (stanza.Relation != MessageRelation.None && !stanza.RelatesTo.IsEmpty);
}
