using System.Collections.Concurrent;
using EdgeNode.Core.Routing;

namespace EdgeNode.Xmpp.Presence;

/// <summary>
/// The XMPP side as an account-wide front-end of the router, for presence only: another protocol's view of a local
/// account (a Matrix user's presence) is shown to the account's XMPP subscribers as the extra resource
/// &lt;bare&gt;/matrix (<see cref="PresenceService.ShowOtherView"/>). Messages reach XMPP through the sessions, so
/// <see cref="Deliver"/> does nothing; views of devices and the node are theirs to show (they send XMPP presence
/// themselves). Views are shown one after another on a work item of their own, never on the publisher's thread,
/// since showing one reads the roster.
/// </summary>
public sealed class XmppPresenceFrontEnd : IAccountFrontEnd
{
    private readonly XmppServer _server;
    private readonly Action<Action> _schedule;
    private readonly ConcurrentQueue<AccountPresence> _pending = new();
    private int _draining;

    public XmppPresenceFrontEnd(XmppServer server)
        : this(server, static work => ThreadPool.UnsafeQueueUserWorkItem(static w => w(), work, preferLocal: false))
    {
    }

    /// <summary>With the caller's way of running the showing work (tests run it at once).</summary>
    internal XmppPresenceFrontEnd(XmppServer server, Action<Action> schedule)
    {
        ArgumentNullException.ThrowIfNull(server);
        _server = server;
        _schedule = schedule;
    }

    public StanzaOrigin Protocol => StanzaOrigin.Xmpp;

    public AccountReach Deliver(in RoutedStanza stanza, ReadOnlySpan<char> fromBare, ReadOnlySpan<char> toBare) => AccountReach.NotUsed;

    public void ShowPresence(AccountPresence presence)
    {
        if (presence.Source != StanzaOrigin.Matrix || !presence.Bare.EndsWith("@" + _server.Domain, StringComparison.Ordinal))
        {
            return;
        }

        _pending.Enqueue(presence);
        if (Interlocked.CompareExchange(ref _draining, 1, 0) == 0)
        {
            _schedule(Drain);
        }
    }

    public bool ShareConversation(string bareA, string bareB) => false;

    private void Drain()
    {
        while (true)
        {
            while (_pending.TryDequeue(out AccountPresence? presence))
            {
                try
                {
                    _server.Presence.ShowOtherView(presence);
                }
                catch (Exception e)
                {
                    XmppLog.OtherViewFailed(_server.Logger, presence.Bare, e);
                }
            }

            Volatile.Write(ref _draining, 0);
            if (_pending.IsEmpty || Interlocked.CompareExchange(ref _draining, 1, 0) != 0)
            {
                return;
            }
        }
    }
}
