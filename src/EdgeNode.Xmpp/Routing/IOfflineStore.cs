using EdgeNode.Core.Routing;

namespace EdgeNode.Xmpp.Routing;

public enum OfflineResult : byte
{
    Stored,

    /// <summary>The recipient's store is full; the sender is told (XEP-0160: an error, never a silent drop).</summary>
    QuotaExceeded,

    /// <summary>The node's disk is full: nothing can be kept now; the sender is told to try later (resource-constraint).</summary>
    StorageFull,

    /// <summary>This kind of stanza is not kept (no body, for instance); dropped silently.</summary>
    NotStored,
}

/// <summary>Keeps messages for a local participant who has no available session, in order, until the next one.</summary>
public interface IOfflineStore
{
    OfflineResult Store(string recipientBare, in RoutedStanza stanza);
}

/// <summary>Answers whether a local account exists, for addresses that have no session at the moment.</summary>
public interface IAccountDirectory
{
    bool Exists(string bare);
}
