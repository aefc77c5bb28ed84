namespace EdgeNode.Core.Routing;

/// <summary>
/// A stanza on its way to one local participant's sessions, after the router found them and heard from the
/// account-wide front-ends: what <see cref="ISessionRules"/> decides on.
/// </summary>
public readonly ref struct LocalDelivery
{
    /// <summary>The participant's bare address, case-folded.</summary>
    public ReadOnlySpan<char> Bare { get; init; }

    /// <summary>The addressed resource (UTF-8); empty for the bare address.</summary>
    public ReadOnlySpan<byte> Resource { get; init; }

    /// <summary>The participant's sessions now (a snapshot; empty when none).</summary>
    public IRouteTarget[] Targets { get; init; }

    /// <summary>The sending session when it is one of the node's.</summary>
    public IRouteTarget? Sender { get; init; }

    /// <summary>False when the sender asked that no copies be made (XEP-0280 &lt;private/&gt;).</summary>
    public bool AllowCopies { get; init; }

    /// <summary>How far the account-wide front-ends and the sender's own front-end got with the person.</summary>
    public AccountReach Reach { get; init; }
}

/// <summary>
/// How a stanza addressed to a local participant is handed to that participant's sessions: which of them, copies to
/// the participant's other sessions, and what happens when none takes it. The XMPP library supplies RFC 6121's rules
/// (resource priority, XEP-0280 carbons, the offline store); the router itself knows none of them.
/// </summary>
public interface ISessionRules
{
    RouteOutcome Deliver(Router router, in RoutedStanza stanza, in LocalDelivery delivery);
}

/// <summary>
/// The rules a router follows until a front-end supplies its own: a full address reaches that session; a bare one,
/// every available session; what reached none is delivered if a front-end kept it, else refused.
/// </summary>
public sealed class AvailableSessionRules : ISessionRules
{
    public static readonly AvailableSessionRules Instance = new();

    private AvailableSessionRules()
    {
    }

    public RouteOutcome Deliver(Router router, in RoutedStanza stanza, in LocalDelivery delivery)
    {
        IRouteTarget[] targets = delivery.Targets;
        bool any = false;
        for (int i = 0; i < targets.Length; i++)
        {
            IRouteTarget target = targets[i];
            bool addressed = delivery.Resource.IsEmpty ? target.IsAvailable : target.Resource.SequenceEqual(delivery.Resource);
            if (addressed && (stanza.Kind != StanzaKind.Iq || !delivery.Resource.IsEmpty))
            {
                target.Deliver(stanza);
                any = true;
            }
        }

        if (any || delivery.Reach >= AccountReach.Kept)
        {
            return RouteOutcome.Delivered;
        }

        return stanza.Kind switch
        {
            StanzaKind.Iq when delivery.Resource.IsEmpty => RouteOutcome.ForServer,
            StanzaKind.Iq => stanza.IqType is IqType.Get or IqType.Set ? RouteOutcome.ServiceUnavailable : RouteOutcome.Ignored,
            StanzaKind.Message when stanza.MessageType is MessageType.Chat or MessageType.Normal or MessageType.Groupchat => RouteOutcome.ServiceUnavailable,
            _ => RouteOutcome.Ignored,
        };
    }
}
