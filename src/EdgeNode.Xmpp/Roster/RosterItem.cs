namespace EdgeNode.Xmpp.Roster;

/// <summary>RFC 6121 subscription states, as two bits: "to" (I see the contact) and "from" (the contact sees me).</summary>
[Flags]
public enum Subscription
{
    None = 0,
    To = 1,
    From = 2,
    Both = To | From,
}

/// <summary>
/// One contact of one account. <see cref="PendingIn"/> is a subscription request from the contact not yet answered,
/// kept even for a contact that is not in the roster (<see cref="InRoster"/> false: the user never sees it as an
/// item); <see cref="Approved"/> is a pre-approval (RFC 6121 3.4); <see cref="Ask"/> is our request not yet answered.
/// </summary>
public sealed record RosterItem(string Contact)
{
    public string? Name { get; init; }
    public IReadOnlyList<string> Groups { get; init; } = [];
    public Subscription Subscription { get; init; }
    public bool Ask { get; init; }
    public bool Approved { get; init; }
    public bool PendingIn { get; init; }
    public bool InRoster { get; init; } = true;

    public bool HasTo => (Subscription & Subscription.To) != 0;
    public bool HasFrom => (Subscription & Subscription.From) != 0;

    /// <summary>An item that records nothing any more can be deleted.</summary>
    public bool IsEmpty => !InRoster && Subscription == Subscription.None && !Ask && !Approved && !PendingIn;

    public static string SubscriptionName(Subscription subscription) => subscription switch
    {
        Subscription.To => "to",
        Subscription.From => "from",
        Subscription.Both => "both",
        _ => "none",
    };
}
