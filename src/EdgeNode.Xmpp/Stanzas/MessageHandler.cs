using System.Buffers;
using EdgeNode.Core.Routing;
using EdgeNode.Xmpp.Streams;
using EdgeNode.Xmpp.Xml;

namespace EdgeNode.Xmpp.Stanzas;

/// <summary>
/// A &lt;message/&gt; from a client: stamped with the sender's full address into the connection's scratch buffer and
/// handed to the router (RFC 6121 section 5 and 8). This is the hot path: it allocates nothing.
/// </summary>
public static class MessageHandler
{
    public static RouteOutcome Handle(XmlElement message, C2sSession sender, Router router, StanzaScratch scratch) =>
        Handle(message, sender, router, scratch, null);

    /// <summary>Handles a message, first taking it from the sender's <paramref name="limit"/> (none: unlimited).</summary>
    public static RouteOutcome Handle(XmlElement message, C2sSession sender, Router router, StanzaScratch scratch, MessageRateLimit? limit)
    {
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentNullException.ThrowIfNull(router);
        ArgumentNullException.ThrowIfNull(scratch);
        message.TryGetAttribute(XmppNames.Id, out XmlValue idValue);
        ReadOnlySpan<byte> id = idValue.NeedsDecoding ? default : idValue.Raw;
        if (!StanzaTypes.TryMessage(message, out MessageType type))
        {
            Reply(sender, scratch, default, id, "bad-request"u8);
            return RouteOutcome.BadAddress;
        }

        Span<byte> toBuffer = stackalloc byte[1024];
        scoped ReadOnlySpan<byte> to = sender.BareUtf8;
        if (message.TryGetAttribute(XmppNames.To, out XmlValue toValue))
        {
            if (!toValue.NeedsDecoding)
            {
                to = toValue.Raw;
            }
            else if (toValue.TryCopyTo(toBuffer, out int written))
            {
                to = toBuffer.Slice(0, written);
            }
            else
            {
                Reply(sender, scratch, default, id, "jid-malformed"u8);
                return RouteOutcome.BadAddress;
            }
        }

        if (limit is not null && !limit.TryTake(sender, to))
        {
            // Refused before any work; the sender is told to wait (RFC 6120 8.3.3.18), and is not disconnected.
            if (type != MessageType.Error)
            {
                Reply(sender, scratch, to, id, "resource-constraint"u8, "Too many messages: slow down.");
            }

            return RouteOutcome.Ignored;
        }

        ArrayBufferWriter<byte> stamped = scratch.Stanza;
        stamped.ResetWrittenCount();
        message.WriteRawStamped(stamped, sender.FullAddress, default, Ns.Client, dropTo: false);

        ReadOnlySpan<byte> body = default;
        if (message.TryGetChild(XmppNames.Body, Ns.Client, out XmlElement bodyElement))
        {
            XmlText text = bodyElement.Text;
            Span<byte> buffer = scratch.Body(text.GetDecodedLength());
            text.TryCopyTo(buffer, out int length);
            body = buffer.Slice(0, length);
        }

        // The neutral fields the other front-ends read (Matrix); the XMPP bytes go to XMPP targets as they are.
        MessageExtensions extensions = MessageExtensions.Read(message, Ns.Client);
        // Other protocols know the message by its origin-id when it has one (the id clients relate to); federation
        // keeps the id attribute, which a bounce from the remote side must name.
        ReadOnlySpan<byte> neutralId = extensions.OriginId.IsEmpty || router.Classify(to, out _) == AddressClass.Remote ? id : extensions.OriginId;
        var routed = new RoutedStanza(StanzaKind.Message, (byte)type, sender.FullAddress, to, neutralId, body, stamped.WrittenSpan)
        {
            Origin = StanzaOrigin.Xmpp,
            Thread = extensions.Thread,
            Relation = extensions.Relation,
            RelatesTo = extensions.RelatesTo,
            RelatesToSender = extensions.RelatesToSender,
            Reactions = extensions.Reactions,
            ChatState = extensions.ChatState,
            Encrypted = extensions.Encrypted,
            Attachments = extensions.Attachments,
        };
        RouteOutcome outcome = Carbons.Route(router, routed, sender, Carbons.Classify(message, type));
        if (type == MessageType.Error)
        {
            // An error about an error is never sent (RFC 6120 8.3.1).
            return outcome;
        }

        switch (outcome)
        {
            case RouteOutcome.ServiceUnavailable:
                Reply(sender, scratch, to, id, "service-unavailable"u8);
                break;
            case RouteOutcome.OfflineStoreFull:
                Reply(sender, scratch, to, id, "service-unavailable"u8, "The recipient's offline storage is full.");
                break;
            case RouteOutcome.StorageFull:
                Reply(sender, scratch, to, id, "resource-constraint"u8, "The server's storage is full; try again later.");
                break;
            case RouteOutcome.BadAddress:
                Reply(sender, scratch, default, id, "jid-malformed"u8);
                break;
            case RouteOutcome.RemoteDomain:
                Reply(sender, scratch, to, id, "remote-server-not-found"u8);
                break;
            case RouteOutcome.NotAcceptable:
                Reply(sender, scratch, to, id, "not-acceptable"u8, "The recipient's other clients cannot take this message (too large, or not text they can show); it was not delivered.");
                break;
            case RouteOutcome.ForServer:
                // Messages to the server itself are not for anyone; RFC 6121 8.5.1 lets the server ignore them.
                break;
        }

        return outcome;
    }

    private static void Reply(C2sSession sender, StanzaScratch scratch, ReadOnlySpan<byte> from, ReadOnlySpan<byte> id,
        ReadOnlySpan<byte> condition, string? text = null)
    {
        ArrayBufferWriter<byte> reply = scratch.Reply;
        reply.ResetWrittenCount();
        StanzaErrors.Write(reply, "message"u8, from, sender.FullAddress, id, StanzaErrors.TypeOf(condition), condition, text);
        sender.Send(reply.WrittenSpan);
    }
}
