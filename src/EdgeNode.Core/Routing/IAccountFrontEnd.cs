namespace EdgeNode.Core.Routing;

/// <summary>How far a front-end got with a message for one of its users (<see cref="IAccountFrontEnd.Deliver"/>).</summary>
public enum AccountReach : byte
{
    /// <summary>Neither party of the conversation uses this front-end: nothing was done.</summary>
    NotUsed,

    /// <summary>Kept where the recipient's clients on this protocol will find it, but none of them is connected now.</summary>
    Kept,

    /// <summary>Kept, and at least one of the recipient's clients on this protocol is connected and will have it at once.</summary>
    Reached,

    /// <summary>
    /// The message cannot be carried on this protocol (too large for it, say): the router delivers it nowhere and
    /// the sender is told (<see cref="RouteOutcome.NotAcceptable"/>), so the conversation never differs by protocol.
    /// </summary>
    Refused,
}

/// <summary>
/// An account's availability as one front-end sees it: XMPP from the account's sessions, Matrix from its clients'
/// presence, a device from its own state. The router keeps the latest one per account and source, and tells the
/// other front-ends, which show the union to those allowed to see it.
/// </summary>
public sealed record AccountPresence(string Bare, StanzaOrigin Source, bool Available, PresenceShow Show = PresenceShow.None,
    string? Status = null, long LastActiveTs = 0);

/// <summary>
/// A front-end that reaches a local account as a whole rather than through one session on the router: Matrix (all of
/// a user's Matrix devices, through the direct room of the two people) and the XMPP side's view of accounts that are
/// present elsewhere. The router hands it every message between participants whatever its origin but its own, and
/// every account presence another front-end publishes. Called from any thread; must not block (queue the slow work)
/// and must not throw.
/// </summary>
public interface IAccountFrontEnd
{
    /// <summary>The origin of what this front-end itself routes; it is never handed that back.</summary>
    StanzaOrigin Protocol { get; }

    /// <summary>
    /// A message (chat, normal or headline, with a body, a relation or a chat state) from <paramref name="fromBare"/> to
    /// the local account <paramref name="toBare"/> (both case-folded, no resource). Returns what became of it here.
    /// </summary>
    AccountReach Deliver(in RoutedStanza stanza, ReadOnlySpan<char> fromBare, ReadOnlySpan<char> toBare);

    /// <summary>Another front-end's view of an account's availability changed (<see cref="Router.PublishPresence"/>).</summary>
    void ShowPresence(AccountPresence presence);

    /// <summary>
    /// Whether the two accounts already share a conversation on this protocol (Matrix: a room both are in), so that
    /// one may see the other's presence without asking.
    /// </summary>
    bool ShareConversation(string bareA, string bareB);
}
