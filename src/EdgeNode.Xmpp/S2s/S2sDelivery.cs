using System.Buffers;
using System.Text;
using EdgeNode.Core.Addressing;
using EdgeNode.Core.Routing;
using EdgeNode.Xmpp.Presence;
using EdgeNode.Xmpp.Roster;
using EdgeNode.Xmpp.Stanzas;
using EdgeNode.Xmpp.Streams;
using EdgeNode.Xmpp.Xml;

namespace EdgeNode.Xmpp.S2s;

/// <summary>
/// Stanzas from remote servers, already checked for an authenticated 'from' and a local 'to': moved into the client
/// namespace and handed to the router (messages, presence), the roster (subscriptions), or answered by the server
/// (probes, iqs to the server or a bare account).
/// </summary>
internal sealed class S2sDelivery(XmppServer xmpp, S2sService service)
{
    public void Deliver(XmlElement stanza, StanzaScratch scratch)
    {
        ReadOnlySpan<byte> name = stanza.LocalName;
        byte[] from = Bytes(stanza, XmppNames.From);
        byte[] to = Bytes(stanza, XmppNames.To);
        byte[] id = Bytes(stanza, XmppNames.Id);

        // The stanza as a local client sees it: jabber:client, from and to as sent (the stream vouched for 'from').
        ArrayBufferWriter<byte> raw = scratch.Reply;
        raw.ResetWrittenCount();
        stanza.WriteRawStamped(raw, default, default, ContentNamespace.Client, dropTo: false);
        ArrayBufferWriter<byte> local = scratch.Stanza;
        local.ResetWrittenCount();
        if (!ContentNamespace.TryWrite(raw.WrittenSpan, ContentNamespace.Server, ContentNamespace.Client, local))
        {
            return;
        }

        if (name.SequenceEqual(XmppNames.Message))
        {
            DeliverMessage(stanza, from, to, id, local.WrittenSpan, scratch);
        }
        else if (name.SequenceEqual(XmppNames.Presence))
        {
            DeliverPresence(stanza, from, to, local.WrittenSpan);
        }
        else
        {
            DeliverIq(stanza, from, to, id, local.WrittenSpan);
        }
    }

    private void DeliverMessage(XmlElement message, byte[] from, byte[] to, byte[] id, ReadOnlySpan<byte> xml, StanzaScratch scratch)
    {
        if (!StanzaTypes.TryMessage(message, out MessageType type))
        {
            return;
        }

        ReadOnlySpan<byte> body = default;
        foreach (XmlElement child in message.Children)
        {
            if (child.LocalName.SequenceEqual(XmppNames.Body) && child.NamespaceUri.SequenceEqual(S2sNames.Server))
            {
                XmlText text = child.Text;
                Span<byte> buffer = scratch.Body(text.GetDecodedLength());
                text.TryCopyTo(buffer, out int length);
                body = buffer[..length];
                break;
            }
        }

        MessageExtensions extensions = MessageExtensions.Read(message, S2sNames.Server);
        var routed = RoutedStanza.Message(type, from, to, id, body, xml) with
        {
            Origin = StanzaOrigin.Remote,
            Thread = extensions.Thread,
            Relation = extensions.Relation,
            RelatesTo = extensions.RelatesTo,
            RelatesToSender = extensions.RelatesToSender,
            Reactions = extensions.Reactions,
            ChatState = extensions.ChatState,
            Encrypted = extensions.Encrypted,
            Attachments = extensions.Attachments,
        };
        RouteOutcome outcome = xmpp.Router.Route(routed);
        if (type != MessageType.Error && outcome is RouteOutcome.ServiceUnavailable or RouteOutcome.OfflineStoreFull or RouteOutcome.BadAddress
            or RouteOutcome.StorageFull or RouteOutcome.NotAcceptable)
        {
            string condition = outcome switch
            {
                RouteOutcome.BadAddress => "jid-malformed",
                RouteOutcome.StorageFull => "resource-constraint",
                RouteOutcome.NotAcceptable => "not-acceptable",
                _ => "service-unavailable",
            };
            service.ReplyError("message"u8, from, to, id, condition, null);
        }
    }

    private void DeliverPresence(XmlElement presence, byte[] from, byte[] to, ReadOnlySpan<byte> xml)
    {
        if (!StanzaTypes.TryPresence(presence, out PresenceType type))
        {
            return;
        }

        string fromBare = PresenceService.BareOf(Encoding.UTF8.GetString(from));
        string toBare = PresenceService.BareOf(Encoding.UTF8.GetString(to));
        if (type is not (PresenceType.Available or PresenceType.Unavailable) && !IsAccount(toBare))
        {
            // A participant without an account (a device, the node): it answers subscriptions and probes itself,
            // by its own access list.
            xmpp.Router.Route(RoutedStanza.Presence(type, from, to, xml) with { Origin = StanzaOrigin.Remote });
            return;
        }

        switch (type)
        {
            case PresenceType.Subscribe or PresenceType.Subscribed or PresenceType.Unsubscribe or PresenceType.Unsubscribed:
                if (toBare.Contains('@', StringComparison.Ordinal))
                {
                    xmpp.RosterService.HandleInboundRemote(type, fromBare, toBare);
                }

                return;
            case PresenceType.Probe:
                AnswerProbe(fromBare, Encoding.UTF8.GetString(from), toBare);
                return;
            default:
                xmpp.Router.Route(RoutedStanza.Presence(type, from, to, xml) with { Origin = StanzaOrigin.Remote });
                return;
        }
    }

    private bool IsAccount(string bare) =>
        Jid.TryParse(bare, out Jid jid) && jid.Local is not null && xmpp.Accounts.Exists(jid);

    /// <summary>RFC 6121 4.3.2: a contact with a subscription gets each available resource's presence, else unavailable.</summary>
    private void AnswerProbe(string remoteBare, string remoteFull, string localBare)
    {
        if (xmpp.Rosters.Find(localBare, remoteBare) is not { HasFrom: true })
        {
            return;
        }

        byte[] to = Encoding.UTF8.GetBytes(remoteFull);
        bool any = false;
        foreach (IRouteTarget target in xmpp.Router.TargetsOf(localBare))
        {
            if (target is C2sSession session && session.PresenceTemplate is { } template)
            {
                any = true;
                byte[] stanza = PresenceService.Addressed(template, to);
                xmpp.Router.Route(RoutedStanza.Presence(PresenceType.Available, session.FullAddress, to, stanza));
            }
        }

        if (xmpp.Presence.OtherProtocolView(localBare) is { } view)
        {
            // The account's presence on Matrix, as the extra resource <bare>/matrix.
            any = true;
            byte[] from = Encoding.UTF8.GetBytes(localBare + "/" + PresenceService.OtherProtocolResource);
            xmpp.Router.Route(RoutedStanza.Presence(PresenceType.Available, from, to, PresenceService.Addressed(view, to)));
        }

        if (!any)
        {
            byte[] unavailable = Encoding.UTF8.GetBytes(
                $"<presence xmlns='jabber:client' from='{S2sInbound.Escape(localBare)}' to='{S2sInbound.Escape(remoteFull)}' type='unavailable'/>");
            xmpp.Router.Route(RoutedStanza.Presence(PresenceType.Unavailable, Encoding.UTF8.GetBytes(localBare), to, unavailable));
        }
    }

    private void DeliverIq(XmlElement iq, byte[] from, byte[] to, byte[] id, ReadOnlySpan<byte> xml)
    {
        if (!StanzaTypes.TryIq(iq, out IqType type) || id.Length == 0)
        {
            return;
        }

        AddressClass target = xmpp.Router.Classify(to, out bool hasResource);
        if (target == AddressClass.Local && hasResource)
        {
            RouteOutcome outcome = xmpp.Router.Route(RoutedStanza.Iq(type, from, to, id, xml) with { Origin = StanzaOrigin.Remote });
            if (outcome == RouteOutcome.ServiceUnavailable && type is IqType.Get or IqType.Set)
            {
                service.ReplyError("iq"u8, from, to, id, "service-unavailable", null);
            }

            return;
        }

        if (type is IqType.Result or IqType.Error)
        {
            return;
        }

        XmlElement payload = default;
        bool hasPayload = false;
        foreach (XmlElement child in iq.Children)
        {
            payload = child;
            hasPayload = true;
            break;
        }

        if (!hasPayload)
        {
            service.ReplyError("iq"u8, from, to, id, "bad-request", null);
            return;
        }

        if (type == IqType.Get && payload.Is("ping"u8, "urn:xmpp:ping"u8))
        {
            service.SendRaw(Encoding.UTF8.GetBytes($"<iq xmlns='jabber:client' type='result' from='{Esc(to)}' to='{Esc(from)}' id='{Esc(id)}'/>"), to, from);
            return;
        }

        if (type == IqType.Get && target == AddressClass.Server && payload.Is("query"u8, "http://jabber.org/protocol/disco#info"u8))
        {
            service.SendRaw(Encoding.UTF8.GetBytes(
                $"<iq xmlns='jabber:client' type='result' from='{Esc(to)}' to='{Esc(from)}' id='{Esc(id)}'><query xmlns='http://jabber.org/protocol/disco#info'>" +
                "<identity category='server' type='im' name='EdgeNode'/><feature var='http://jabber.org/protocol/disco#info'/><feature var='urn:xmpp:ping'/></query></iq>"), to, from);
            return;
        }

        service.ReplyError("iq"u8, from, to, id, "service-unavailable", null);
    }

    private static string Esc(byte[] value) => S2sInbound.Escape(Encoding.UTF8.GetString(value));

    private static byte[] Bytes(XmlElement element, ReadOnlySpan<byte> name)
    {
        if (!element.TryGetAttribute(name, out XmlValue value))
        {
            return [];
        }

        return value.NeedsDecoding ? Encoding.UTF8.GetBytes(value.GetString()) : value.Raw.ToArray();
    }
}
