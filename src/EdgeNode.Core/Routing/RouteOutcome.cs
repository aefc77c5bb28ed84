namespace EdgeNode.Core.Routing;

/// <summary>What became of a routed stanza; the sending front-end turns the error outcomes into its protocol's errors.</summary>
public enum RouteOutcome : byte
{
    /// <summary>Written to at least one session.</summary>
    Delivered,

    /// <summary>Kept in the recipient's offline store.</summary>
    StoredOffline,

    /// <summary>Dropped on purpose, as the rules say for this type (RFC 6121 section 8).</summary>
    Ignored,

    /// <summary>The sender is told service-unavailable (no such account, or a type that must not be kept).</summary>
    ServiceUnavailable,

    /// <summary>The recipient's offline store is full; the sender is told.</summary>
    OfflineStoreFull,

    /// <summary>The node's disk is full and the message had to be stored; the sender is told resource-constraint (wait).</summary>
    StorageFull,

    /// <summary>The address is malformed; the sender is told jid-malformed.</summary>
    BadAddress,

    /// <summary>Addressed to the node itself, or an iq to a bare account address: the front-end answers it.</summary>
    ForServer,

    /// <summary>Another domain, and federation does not carry it; the sender is told remote-server-not-found.</summary>
    RemoteDomain,

    /// <summary>
    /// One of the recipient's protocols cannot carry this message (too large for Matrix, say), so it was delivered
    /// nowhere; the sender is told not-acceptable.
    /// </summary>
    NotAcceptable,
}
