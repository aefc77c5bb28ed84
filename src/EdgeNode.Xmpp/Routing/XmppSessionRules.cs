using EdgeNode.Core.Routing;

namespace EdgeNode.Xmpp.Routing;

/// <summary>
/// RFC 6121 section 8 as the router's session rules: which of a participant's sessions get a stanza (resource,
/// availability, priority), XEP-0280 copies to the other sessions of both parties, and the offline store for messages
/// that reached none of the person's clients (what an account-wide front-end kept for them counts: see
/// <see cref="LocalDelivery.Reach"/>). Works on the router's snapshots and the caller's spans; allocates nothing.
/// </summary>
public sealed class XmppSessionRules(IOfflineStore? offline = null, IAccountDirectory? accounts = null) : ISessionRules
{
    public RouteOutcome Deliver(Router router, in RoutedStanza stanza, in LocalDelivery delivery)
    {
        ArgumentNullException.ThrowIfNull(router);
        IRouteTarget[] targets = delivery.Targets;
        bool copies = delivery.AllowCopies && stanza.Kind == StanzaKind.Message && stanza.MessageType == MessageType.Chat;
        if (copies && delivery.Sender is { } sender)
        {
            CopyToOthers(router.SessionsOf(sender.Bare), sender, stanza, CopyKind.Sent);
        }
        else if (copies && stanza.Origin is not StanzaOrigin.Xmpp and not StanzaOrigin.Remote)
        {
            // Written on another protocol (a Matrix client): the sender's XMPP clients get it as their own, sent elsewhere.
            Span<char> fromKey = stackalloc char[Address.MaxBareChars];
            if (Address.TrySplit(stanza.From, fromKey, out int fromLength, out _, out _))
            {
                CopyToOthers(router.SessionsOf(fromKey.Slice(0, fromLength)), null, stanza, CopyKind.Sent);
            }
        }

        if (!delivery.Resource.IsEmpty)
        {
            for (int i = 0; i < targets.Length; i++)
            {
                IRouteTarget target = targets[i];
                if (target.Resource.SequenceEqual(delivery.Resource))
                {
                    target.Deliver(stanza);
                    if (copies)
                    {
                        CopyToOthers(targets, target, stanza, CopyKind.Received);
                    }

                    return RouteOutcome.Delivered;
                }
            }

            return ToMissingResource(stanza, delivery, copies);
        }

        return stanza.Kind switch
        {
            StanzaKind.Message => MessageToBare(stanza, delivery, copies),
            StanzaKind.Presence => PresenceToBare(stanza, targets),
            _ => RouteOutcome.ForServer,
        };
    }

    // RFC 6121 8.5.3.2: no session has the addressed resource.
    private RouteOutcome ToMissingResource(in RoutedStanza stanza, in LocalDelivery delivery, bool copies)
    {
        switch (stanza.Kind)
        {
            case StanzaKind.Message:
                return stanza.MessageType switch
                {
                    MessageType.Chat => MessageToBare(stanza, delivery, copies),
                    MessageType.Normal or MessageType.Groupchat when delivery.Reach >= AccountReach.Kept => RouteOutcome.Delivered,
                    MessageType.Normal or MessageType.Groupchat => RouteOutcome.ServiceUnavailable,
                    _ => RouteOutcome.Ignored,
                };
            case StanzaKind.Iq:
                return stanza.IqType is IqType.Get or IqType.Set ? RouteOutcome.ServiceUnavailable : RouteOutcome.Ignored;
            default:
                return RouteOutcome.Ignored;
        }
    }

    // RFC 6121 8.5.2: a message to a bare address. What an account-wide front-end kept for the person counts as
    // delivered: the offline store is for messages that reached none of the person's clients.
    private RouteOutcome MessageToBare(in RoutedStanza stanza, in LocalDelivery delivery, bool copies)
    {
        IRouteTarget[] targets = delivery.Targets;
        MessageType type = stanza.MessageType;
        if (type == MessageType.Groupchat)
        {
            return RouteOutcome.ServiceUnavailable;
        }

        if (type == MessageType.Error)
        {
            return RouteOutcome.Ignored;
        }

        if (type == MessageType.Headline)
        {
            bool any = false;
            for (int i = 0; i < targets.Length; i++)
            {
                IRouteTarget target = targets[i];
                if (target.IsAvailable && target.Priority >= 0)
                {
                    target.Deliver(stanza);
                    any = true;
                }
            }

            return any || delivery.Reach >= AccountReach.Kept ? RouteOutcome.Delivered : RouteOutcome.Ignored;
        }

        // Normal and chat: the available sessions of the highest non-negative priority, all of them when tied.
        int best = -1;
        for (int i = 0; i < targets.Length; i++)
        {
            IRouteTarget target = targets[i];
            if (target.IsAvailable && target.Priority > best)
            {
                best = target.Priority;
            }
        }

        if (best < 0)
        {
            if (delivery.Reach == AccountReach.Reached)
            {
                return RouteOutcome.Delivered;
            }

            RouteOutcome stored = StoreOffline(stanza, delivery.Bare, targets);
            return delivery.Reach == AccountReach.Kept && stored != RouteOutcome.StoredOffline ? RouteOutcome.Delivered : stored;
        }

        for (int i = 0; i < targets.Length; i++)
        {
            IRouteTarget target = targets[i];
            if (target.IsAvailable && target.Priority == best)
            {
                target.Deliver(stanza);
            }
            else if (copies && target.IsAvailable)
            {
                target.DeliverCopy(stanza, CopyKind.Received);
            }
        }

        return RouteOutcome.Delivered;
    }

    // RFC 6121 8.5.2.1.2 and 8.5.2.2.2: presence to a bare address goes to every available session.
    private static RouteOutcome PresenceToBare(in RoutedStanza stanza, IRouteTarget[] targets)
    {
        bool subscription = stanza.PresenceType is PresenceType.Subscribe or PresenceType.Subscribed
            or PresenceType.Unsubscribe or PresenceType.Unsubscribed;
        bool any = false;
        for (int i = 0; i < targets.Length; i++)
        {
            IRouteTarget target = targets[i];
            if (target.IsAvailable && (!subscription || target.Priority >= 0))
            {
                target.Deliver(stanza);
                any = true;
            }
        }

        return any ? RouteOutcome.Delivered : RouteOutcome.Ignored;
    }

    private RouteOutcome StoreOffline(in RoutedStanza stanza, ReadOnlySpan<char> bare, IRouteTarget[] targets)
    {
        if (!AccountExists(bare, targets) || offline is null)
        {
            return RouteOutcome.ServiceUnavailable;
        }

        return offline.Store(bare.ToString(), stanza) switch
        {
            OfflineResult.Stored => RouteOutcome.StoredOffline,
            OfflineResult.QuotaExceeded => RouteOutcome.OfflineStoreFull,
            OfflineResult.StorageFull => RouteOutcome.StorageFull,
            _ => RouteOutcome.Ignored,
        };
    }

    private bool AccountExists(ReadOnlySpan<char> bare, IRouteTarget[] targets) =>
        targets.Length > 0 || accounts is null || accounts.Exists(bare.ToString());

    private static void CopyToOthers(IRouteTarget[] targets, IRouteTarget? except, in RoutedStanza stanza, CopyKind kind)
    {
        for (int i = 0; i < targets.Length; i++)
        {
            if (!ReferenceEquals(targets[i], except) && targets[i].IsAvailable)
            {
                targets[i].DeliverCopy(stanza, kind);
            }
        }
    }
}
