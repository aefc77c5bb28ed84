using System.Collections.Concurrent;

namespace EdgeNode.Core.Routing;

/// <summary>
/// The one router of the node (DESIGN.md "The one idea"): every front-end hands it messages, presences and iqs in
/// the neutral model (<see cref="RoutedStanza"/>), and it delivers them to targets of every kind: the sessions
/// registered here (XMPP client resources, devices, the node participant), the account-wide front-ends
/// (<see cref="IAccountFrontEnd"/>: a Matrix user's devices through a direct room) and the remote router
/// (federation). Which of a participant's sessions get a stanza, and what becomes of one that reaches none, is the
/// business of the session rules a front-end supplies (<see cref="ISessionRules"/>: XMPP's priority, carbons and
/// offline store). It knows addresses, never a wire format. Lookups go from UTF-8 address bytes through a case-folded
/// key on the stack to the registry, so routing to an online session allocates nothing.
/// </summary>
public sealed class Router
{
    private readonly ConcurrentDictionary<string, Participant> _participants = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Participant>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly Lock _gate = new();
    private ISessionRules _rules = AvailableSessionRules.Instance;
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

    /// <summary>
    /// How stanzas for a local participant are handed to its sessions (the XMPP library's RFC 6121 rules: priority,
    /// carbons, the offline store); until a front-end sets them, every available session gets them.
    /// </summary>
    public void UseSessionRules(ISessionRules rules) => _rules = rules ?? throw new ArgumentNullException(nameof(rules));

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

        IRouteTarget[] targets = _lookup.TryGetValue(bare, out Participant? participant) ? participant.Targets : [];
        var delivery = new LocalDelivery
        {
            Bare = bare,
            Resource = resource,
            Targets = targets,
            Sender = sender,
            AllowCopies = allowCopies,
            Reach = reach,
        };
        return _rules.Deliver(this, stanza, delivery);
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

    /// <summary>The sessions of one participant by its case-folded bare address (a snapshot; empty when none).</summary>
    public IRouteTarget[] SessionsOf(ReadOnlySpan<char> bare) =>
        _lookup.TryGetValue(bare, out Participant? participant) ? participant.Targets : [];

    private sealed class Participant(string bare)
    {
        public readonly string Bare = bare;

        // Replaced as a whole under the router's gate; readers take the reference once and need no lock.
        public volatile IRouteTarget[] Targets = [];
    }
}
