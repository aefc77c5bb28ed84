using System.Collections.Concurrent;

namespace EdgeNode.Core.Routing;

/// <summary>
/// The one router of the node (DESIGN.md "The one idea"): every front-end hands it messages, presences and iqs in
/// the neutral model (<see cref="RoutedStanza"/>), and it delivers them to targets of every kind: the sessions
/// registered here (XMPP client resources, devices, the node participant), the account-wide front-ends
/// (<see cref="IAccountFrontEnd"/>: a Matrix user's devices through a direct room), the remote router (federation)
/// and the offline store. It knows addresses, availability and priority, never a wire format. Lookups go from UTF-8
/// address bytes through a case-folded key on the stack to the registry, so routing to an online session allocates
/// nothing.
/// </summary>
public sealed class Router
{
    private readonly ConcurrentDictionary<string, Participant> _participants = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Participant>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly Lock _gate = new();
    private IOfflineStore? _offline;
    private IAccountDirectory? _accounts;
    private IRemoteRouter? _remote;
    private volatile string[] _hosted = [];
    private volatile IAccountFrontEnd[] _frontEnds = [];
    private readonly ConcurrentDictionary<string, AccountPresence[]> _presence = new(StringComparer.Ordinal);

    public Router(string domain)
    {
        ArgumentException.ThrowIfNullOrEmpty(domain);
        Domain = domain.ToLowerInvariant();
        _lookup = _participants.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The node's domain, lower case.</summary>
    public string Domain { get; }

    /// <summary>
    /// Makes <paramref name="domain"/> (a subdomain such as devices.pi.example, Devices:Subdomain) local as well: its
    /// addresses are routed to participants registered here instead of to federation.
    /// </summary>
    public void HostDomain(string domain)
    {
        ArgumentException.ThrowIfNullOrEmpty(domain);
        lock (_gate)
        {
            _hosted = [.. _hosted, domain.ToLowerInvariant()];
        }
    }

    /// <summary>Where messages for participants without an available session go; none means service-unavailable.</summary>
    public void UseOfflineStore(IOfflineStore store) => _offline = store;

    /// <summary>Tells which bare addresses are accounts when they have no session; none means every local address is.</summary>
    public void UseAccountDirectory(IAccountDirectory accounts) => _accounts = accounts;

    /// <summary>Where stanzas for other domains go (federation); none means they come back as RemoteDomain.</summary>
    public void UseRemoteRouter(IRemoteRouter remote) => _remote = remote;

    /// <summary>Adds a front-end that reaches accounts as a whole (Matrix); it is handed every message between participants.</summary>
    public void AddFrontEnd(IAccountFrontEnd frontEnd)
    {
        ArgumentNullException.ThrowIfNull(frontEnd);
        lock (_gate)
        {
            _frontEnds = [.. _frontEnds, frontEnd];
        }
    }

    /// <summary>
    /// Records one front-end's view of an account's availability and tells the other front-ends, which show the
    /// union of all views to those allowed to see it. Views are kept until replaced; an unavailable one stays so
    /// that its last-active time is known.
    /// </summary>
    public void PublishPresence(AccountPresence presence)
    {
        ArgumentNullException.ThrowIfNull(presence);
        _presence.AddOrUpdate(presence.Bare, static (_, p) => [p], static (_, current, p) =>
        {
            for (int i = 0; i < current.Length; i++)
            {
                if (current[i].Source == p.Source)
                {
                    var replaced = (AccountPresence[])current.Clone();
                    replaced[i] = p;
                    return replaced;
                }
            }

            return [.. current, p];
        }, presence);
        IAccountFrontEnd[] frontEnds = _frontEnds;
        for (int i = 0; i < frontEnds.Length; i++)
        {
            if (frontEnds[i].Protocol != presence.Source)
            {
                frontEnds[i].ShowPresence(presence);
            }
        }
    }

    /// <summary>Every front-end's latest view of the account's availability (empty when none published one).</summary>
    public AccountPresence[] PresenceOf(string bare) => _presence.TryGetValue(bare, out AccountPresence[]? views) ? views : [];

    /// <summary>Whether the two accounts share a conversation on any account-wide front-end (a Matrix room both are in).</summary>
    public bool ShareConversation(string bareA, string bareB)
    {
        IAccountFrontEnd[] frontEnds = _frontEnds;
        for (int i = 0; i < frontEnds.Length; i++)
        {
            if (frontEnds[i].ShareConversation(bareA, bareB))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Adds a session. A session already registered under the same full address is returned (and removed):
    /// the caller decides what happens to it (RFC 6120 7.7.2.2: the new one wins).
    /// </summary>
    public IRouteTarget? Register(IRouteTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        lock (_gate)
        {
            Participant participant = _participants.GetOrAdd(target.Bare, static bare => new Participant(bare));
            IRouteTarget[] current = participant.Targets;
            for (int i = 0; i < current.Length; i++)
            {
                if (current[i].Resource.SequenceEqual(target.Resource))
                {
                    IRouteTarget replaced = current[i];
                    IRouteTarget[] swapped = (IRouteTarget[])current.Clone();
                    swapped[i] = target;
                    participant.Targets = swapped;
                    return replaced;
                }
            }

            participant.Targets = [.. current, target];
            return null;
        }
    }

    /// <summary>Removes a session; false when it was not registered (already replaced).</summary>
    public bool Unregister(IRouteTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        lock (_gate)
        {
            if (!_participants.TryGetValue(target.Bare, out Participant? participant))
            {
                return false;
            }

            IRouteTarget[] current = participant.Targets;
            int index = Array.IndexOf(current, target);
            if (index < 0)
            {
                return false;
            }

            if (current.Length == 1)
            {
                participant.Targets = [];
                _participants.TryRemove(participant.Bare, out _);
                return true;
            }

            var remaining = new IRouteTarget[current.Length - 1];
            current.AsSpan(0, index).CopyTo(remaining);
            current.AsSpan(index + 1).CopyTo(remaining.AsSpan(index));
            participant.Targets = remaining;
            return true;
        }
    }

    /// <summary>The sessions of one participant now (a snapshot; empty when none).</summary>
    public IRouteTarget[] TargetsOf(string bare) =>
        _participants.TryGetValue(bare, out Participant? participant) ? participant.Targets : [];

    /// <summary>The sessions of one participant, looked up from a UTF-8 address (a resource, if any, is ignored).</summary>
    public IRouteTarget[] TargetsOf(ReadOnlySpan<byte> address)
    {
        Span<char> key = stackalloc char[Address.MaxBareChars];
        if (!Address.TrySplit(address, key, out int length, out _, out _))
        {
            return [];
        }

        return _lookup.TryGetValue(key.Slice(0, length), out Participant? participant) ? participant.Targets : [];
    }

    /// <summary>Classifies a UTF-8 address against the node's domain.</summary>
    public AddressClass Classify(ReadOnlySpan<byte> address, out bool hasResource)
    {
        Span<char> key = stackalloc char[Address.MaxBareChars];
        hasResource = false;
        if (!Address.TrySplit(address, key, out int length, out int at, out ReadOnlySpan<byte> resource))
        {
            return AddressClass.Invalid;
        }

        hasResource = !resource.IsEmpty;
        return ClassifyBare(key.Slice(0, length), at);
    }

    /// <summary>True when the UTF-8 address's bare part is <paramref name="bare"/> (case-folded comparison).</summary>
    public static bool IsBareOf(ReadOnlySpan<byte> address, string bare)
    {
        Span<char> key = stackalloc char[Address.MaxBareChars];
        return Address.TrySplit(address, key, out int length, out _, out _) && key.Slice(0, length).SequenceEqual(bare);
    }

    /// <summary>
    /// Routes one stanza to its addressee. <paramref name="sender"/> is the sending session when it is one of ours
    /// (its other sessions may get a copy of a chat message); <paramref name="allowCopies"/> false keeps a message
    /// private to the addressed sessions (XEP-0280 &lt;private/&gt;). A message to a local account is first handed
    /// to the account-wide front-ends (a refusal there stops it everywhere), then to the sessions; it goes to the
    /// offline store only when it reached none of the person's clients.
    /// </summary>
    public RouteOutcome Route(in RoutedStanza stanza, IRouteTarget? sender = null, bool allowCopies = true)
    {
        Span<char> key = stackalloc char[Address.MaxBareChars];
        if (!Address.TrySplit(stanza.To, key, out int length, out int at, out ReadOnlySpan<byte> resource))
        {
            return RouteOutcome.BadAddress;
        }

        ReadOnlySpan<char> bare = key.Slice(0, length);
        switch (ClassifyBare(bare, at))
        {
            case AddressClass.Server:
                return RouteOutcome.ForServer;
            case AddressClass.Remote:
                return _remote is { } remote ? remote.RouteRemote(stanza, at < 0 ? bare : bare.Slice(at + 1)) : RouteOutcome.RemoteDomain;
            case AddressClass.Invalid:
                return RouteOutcome.BadAddress;
        }

        AccountReach reach = stanza.OriginReach == AccountReach.Refused ? AccountReach.NotUsed : stanza.OriginReach;
        if (stanza.Kind == StanzaKind.Message && stanza.MessageType is MessageType.Chat or MessageType.Normal or MessageType.Headline
            && _frontEnds.Length > 0)
        {
            AccountReach elsewhere = DeliverToFrontEnds(stanza, bare);
            if (elsewhere == AccountReach.Refused)
            {
                return RouteOutcome.NotAcceptable;
            }

            if (elsewhere > reach)
            {
                reach = elsewhere;
            }
        }

        bool copies = allowCopies && stanza.Kind == StanzaKind.Message && stanza.MessageType == MessageType.Chat;
        if (copies && sender is not null)
        {
            CopyToOtherSessions(sender.Bare, sender, stanza, CopyKind.Sent);
        }
        else if (copies && stanza.Origin is not StanzaOrigin.Xmpp and not StanzaOrigin.Remote)
        {
            // Written on another protocol (a Matrix client): the sender's XMPP clients get it as their own, sent elsewhere.
            Span<char> fromKey = stackalloc char[Address.MaxBareChars];
            if (Address.TrySplit(stanza.From, fromKey, out int fromLength, out _, out _))
            {
                CopyToOtherSessions(fromKey.Slice(0, fromLength), null, stanza, CopyKind.Sent);
            }
        }

        IRouteTarget[] targets = _lookup.TryGetValue(bare, out Participant? participant) ? participant.Targets : [];
        if (!resource.IsEmpty)
        {
            for (int i = 0; i < targets.Length; i++)
            {
                IRouteTarget target = targets[i];
                if (target.Resource.SequenceEqual(resource))
                {
                    target.Deliver(stanza);
                    if (copies)
                    {
                        CopyToOthers(targets, target, stanza);
                    }

                    return RouteOutcome.Delivered;
                }
            }

            return RouteToMissingResource(stanza, bare, targets, copies, reach);
        }

        return stanza.Kind switch
        {
            StanzaKind.Message => RouteMessageToBare(stanza, bare, targets, copies, reach),
            StanzaKind.Presence => RoutePresenceToBare(stanza, targets),
            _ => RouteOutcome.ForServer,
        };
    }

    private AddressClass ClassifyBare(ReadOnlySpan<char> bare, int at)
    {
        AddressClass result = Address.Classify(bare, at, Domain);
        if (result != AddressClass.Remote)
        {
            return result;
        }

        foreach (string hosted in _hosted)
        {
            AddressClass inHosted = Address.Classify(bare, at, hosted);
            if (inHosted != AddressClass.Remote)
            {
                return inHosted;
            }
        }

        return result;
    }

    // Every account-wide front-end but the sender's own gets the message; the furthest any of them got is the answer.
    private AccountReach DeliverToFrontEnds(in RoutedStanza stanza, ReadOnlySpan<char> toBare)
    {
        Span<char> fromKey = stackalloc char[Address.MaxBareChars];
        ReadOnlySpan<char> fromBare = Address.TrySplit(stanza.From, fromKey, out int fromLength, out _, out _)
            ? fromKey.Slice(0, fromLength)
            : default;
        AccountReach reach = AccountReach.NotUsed;
        IAccountFrontEnd[] frontEnds = _frontEnds;
        for (int i = 0; i < frontEnds.Length; i++)
        {
            if (frontEnds[i].Protocol == stanza.Origin)
            {
                continue;
            }

            AccountReach one = frontEnds[i].Deliver(stanza, fromBare, toBare);
            if (one == AccountReach.Refused)
            {
                return one;
            }

            if (one > reach)
            {
                reach = one;
            }
        }

        return reach;
    }

    // RFC 6121 8.5.3.2: no session has the addressed resource.
    private RouteOutcome RouteToMissingResource(in RoutedStanza stanza, ReadOnlySpan<char> bare, IRouteTarget[] targets, bool copies,
        AccountReach reach)
    {
        switch (stanza.Kind)
        {
            case StanzaKind.Message:
                return stanza.MessageType switch
                {
                    MessageType.Chat => RouteMessageToBare(stanza, bare, targets, copies, reach),
                    MessageType.Normal or MessageType.Groupchat when reach >= AccountReach.Kept => RouteOutcome.Delivered,
                    MessageType.Normal or MessageType.Groupchat => RouteOutcome.ServiceUnavailable,
                    _ => RouteOutcome.Ignored,
                };
            case StanzaKind.Iq:
                return stanza.IqType is IqType.Get or IqType.Set ? RouteOutcome.ServiceUnavailable : RouteOutcome.Ignored;
            default:
                return RouteOutcome.Ignored;
        }
    }

    // RFC 6121 8.5.2: a message to a bare address. What an account-wide front-end kept for the person (reach) counts
    // as delivered: the offline store is for messages that reached none of the person's clients.
    private RouteOutcome RouteMessageToBare(in RoutedStanza stanza, ReadOnlySpan<char> bare, IRouteTarget[] targets, bool copies,
        AccountReach reach)
    {
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

            return any || reach >= AccountReach.Kept ? RouteOutcome.Delivered : RouteOutcome.Ignored;
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
            if (reach == AccountReach.Reached)
            {
                return RouteOutcome.Delivered;
            }

            RouteOutcome stored = StoreOffline(stanza, bare, targets);
            return reach == AccountReach.Kept && stored != RouteOutcome.StoredOffline ? RouteOutcome.Delivered : stored;
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
    private static RouteOutcome RoutePresenceToBare(in RoutedStanza stanza, IRouteTarget[] targets)
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
        if (!AccountExists(bare, targets))
        {
            return RouteOutcome.ServiceUnavailable;
        }

        IOfflineStore? offline = _offline;
        if (offline is null)
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

    private bool AccountExists(ReadOnlySpan<char> bare, IRouteTarget[] targets)
    {
        if (targets.Length > 0)
        {
            return true;
        }

        IAccountDirectory? accounts = _accounts;
        return accounts is null || accounts.Exists(bare.ToString());
    }

    private void CopyToOtherSessions(ReadOnlySpan<char> bare, IRouteTarget? except, in RoutedStanza stanza, CopyKind kind)
    {
        if (!_lookup.TryGetValue(bare, out Participant? participant))
        {
            return;
        }

        IRouteTarget[] targets = participant.Targets;
        for (int i = 0; i < targets.Length; i++)
        {
            if (!ReferenceEquals(targets[i], except) && targets[i].IsAvailable)
            {
                targets[i].DeliverCopy(stanza, kind);
            }
        }
    }

    private static void CopyToOthers(IRouteTarget[] targets, IRouteTarget except, in RoutedStanza stanza)
    {
        for (int i = 0; i < targets.Length; i++)
        {
            if (!ReferenceEquals(targets[i], except) && targets[i].IsAvailable)
            {
                targets[i].DeliverCopy(stanza, CopyKind.Received);
            }
        }
    }

    private sealed class Participant(string bare)
    {
        public readonly string Bare = bare;

        // Replaced as a whole under the router's gate; readers take the reference once and need no lock.
        public volatile IRouteTarget[] Targets = [];
    }
}
