using EdgeNode.Core.Routing;
using EdgeNode.Xmpp.Streams;
using EdgeNode.Xmpp.Xml;

namespace EdgeNode.Xmpp.Stanzas;

/// <summary>Which XEP-0280 copies a message gets.</summary>
internal enum CarbonCopies : byte
{
    /// <summary>No copies (private, not instant messaging, or a group chat).</summary>
    None,

    /// <summary>Only "sent" copies to the sender's other resources: a private message to a MUC occupant.</summary>
    SentOnly,

    /// <summary>"Sent" copies to the sender's other resources and "received" copies to the recipient's.</summary>
    All,
}

/// <summary>
/// XEP-0280 Message Carbons for messages that clients send: which messages are eligible (section 6, with its rules for
/// MUC-related messages), and the copies to the sender's and the recipient's other carbons-enabled resources, which are
/// sent once the router has delivered the original. Allocation-free: it runs on the message hot path.
/// </summary>
internal static class Carbons
{
    private static ReadOnlySpan<byte> MucUser => "http://jabber.org/protocol/muc#user"u8;
    private static ReadOnlySpan<byte> Conference => "jabber:x:conference"u8;
    private static ReadOnlySpan<byte> Receipts => "urn:xmpp:receipts"u8;
    private static ReadOnlySpan<byte> ChatStates => "http://jabber.org/protocol/chatstates"u8;
    private static ReadOnlySpan<byte> ChatMarkers => "urn:xmpp:chat-markers:0"u8;
    private static ReadOnlySpan<byte> Correction => "urn:xmpp:message-correct:0"u8;

    /// <summary>
    /// The section 6 rules: a message marked &lt;private/&gt; (or hinted &lt;no-copy/&gt;) is never copied, nor is a
    /// groupchat or headline message, nor an error (its eligibility would need the server to remember what it answers,
    /// which XEP-0280 itself calls unlikely to be appropriate). A chat message, a normal message with a body, an
    /// invitation (XEP-0249 direct or XEP-0045 mediated) and a message carrying instant-messaging payloads (XEP-0184
    /// receipts, XEP-0085 chat states, XEP-0333 markers, XEP-0308 corrections) are. A private message within a MUC
    /// (marked with the muc#user &lt;x/&gt;) is copied to the sender's resources only: the room itself sends it to every
    /// resource of the recipient that joined.
    /// </summary>
    public static CarbonCopies Classify(XmlElement message, MessageType type)
    {
        if (type is MessageType.Groupchat or MessageType.Headline or MessageType.Error)
        {
            return CarbonCopies.None;
        }

        bool body = false;
        bool imPayload = false;
        bool invitation = false;
        bool mucPrivate = false;
        foreach (XmlElement child in message.Children)
        {
            ReadOnlySpan<byte> ns = child.NamespaceUri;
            ReadOnlySpan<byte> name = child.LocalName;
            if ((name.SequenceEqual("private"u8) && ns.SequenceEqual(Ns.Carbons)) || (name.SequenceEqual("no-copy"u8) && ns.SequenceEqual(Ns.Hints)))
            {
                return CarbonCopies.None;
            }

            if (ns.SequenceEqual(Ns.Client))
            {
                body |= name.SequenceEqual(XmppNames.Body);
            }
            else if (ns.SequenceEqual(MucUser) && name.SequenceEqual("x"u8))
            {
                if (child.TryGetChild("invite"u8, MucUser, out _))
                {
                    invitation = true;
                }
                else
                {
                    mucPrivate = true;
                }
            }
            else if (ns.SequenceEqual(Conference) && name.SequenceEqual("x"u8))
            {
                invitation = true;
            }
            else if (ns.SequenceEqual(Receipts) || ns.SequenceEqual(ChatStates) || ns.SequenceEqual(ChatMarkers) || ns.SequenceEqual(Correction))
            {
                imPayload = true;
            }
        }

        if (invitation)
        {
            return CarbonCopies.All;
        }

        bool eligible = type == MessageType.Chat || (type == MessageType.Normal && body) || imPayload;
        if (!eligible)
        {
            return CarbonCopies.None;
        }

        return mucPrivate ? CarbonCopies.SentOnly : CarbonCopies.All;
    }

    /// <summary>
    /// Routes a message from a client session with the router's own copying off, and sends the XEP-0280 copies here:
    /// "sent" to the sender's other resources, and, when it was delivered, "received" to the recipient's resources
    /// that did not get the original under RFC 6121 rules. Each resource gets the message once, as original or copy.
    /// </summary>
    public static RouteOutcome Route(Router router, in RoutedStanza stanza, C2sSession sender, CarbonCopies copies)
    {
        if (copies == CarbonCopies.None)
        {
            return router.Route(stanza, sender, allowCopies: false);
        }

        RouteOutcome outcome;
        DeliveryWitness.Begin();
        try
        {
            outcome = router.Route(stanza, sender, allowCopies: false);
            if (outcome is RouteOutcome.BadAddress or RouteOutcome.ForServer)
            {
                return outcome;
            }

            if (copies == CarbonCopies.All && outcome == RouteOutcome.Delivered)
            {
                CopyTo(router.TargetsOf(stanza.To), sender, stanza, CopyKind.Received);
            }

            CopyTo(router.TargetsOf(sender.Bare), sender, stanza, CopyKind.Sent);
        }
        finally
        {
            DeliveryWitness.End();
        }

        return outcome;
    }

    private static void CopyTo(IRouteTarget[] targets, C2sSession sender, in RoutedStanza stanza, CopyKind kind)
    {
        for (int i = 0; i < targets.Length; i++)
        {
            // Only XMPP resources know carbons; a resource that got the original (or already a copy) gets nothing more.
            if (targets[i] is C2sSession session && !ReferenceEquals(session, sender) && session.IsAvailable && !DeliveryWitness.Saw(session))
            {
                session.DeliverCopy(stanza, kind);
                DeliveryWitness.Record(session);
            }
        }
    }
}
