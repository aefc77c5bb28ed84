namespace EdgeNode.Core.Routing;

/// <summary>
/// Carries stanzas for other domains (XMPP federation). The router hands it every stanza whose addressee is on a
/// domain other than the node's; without one, such stanzas come back as <see cref="RouteOutcome.RemoteDomain"/>.
/// Called from any thread; must not block or throw.
/// </summary>
public interface IRemoteRouter
{
    /// <summary>
    /// Takes the stanza for <paramref name="domain"/> (lower case, no trailing dot). <see cref="RouteOutcome.Delivered"/>
    /// means queued for the remote server; <see cref="RouteOutcome.Ignored"/> means it was dealt with (an error already
    /// went back to the sender); <see cref="RouteOutcome.RemoteDomain"/> lets the sender's front-end answer
    /// remote-server-not-found.
    /// </summary>
    RouteOutcome RouteRemote(in RoutedStanza stanza, ReadOnlySpan<char> domain);
}
