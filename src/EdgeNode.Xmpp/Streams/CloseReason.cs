namespace EdgeNode.Xmpp.Streams;

/// <summary>Why a c2s connection ends, and so which stream error (if any) it sends first.</summary>
internal enum CloseReason
{
    None,
    PeerClosed,
    StreamEnded,
    Replaced,
    Overflow,
    Shutdown,
    NegotiationTimeout,
    StanzaTimeout,
    Dead,
    AccountRemoved,
    TlsFailed,
    StreamError,
}

/// <summary>How a close reads in the log: "connection lost" only when the peer vanished; a close the node made says so and why.</summary>
internal static class CloseReasons
{
    public static string Describe(CloseReason reason) => reason switch
    {
        CloseReason.PeerClosed => "connection lost",
        CloseReason.StreamEnded => "the client ended its stream",
        CloseReason.TlsFailed => "the TLS handshake failed",
        CloseReason.Replaced => "closed by the node: a new login to the same resource replaced it",
        CloseReason.Overflow => "closed by the node: it did not read what was sent to it (Xmpp:MaxOutboundBytes)",
        CloseReason.Shutdown => "closed by the node: the node is shutting down",
        CloseReason.NegotiationTimeout => "closed by the node: no login within the negotiation time",
        CloseReason.StanzaTimeout => "closed by the node: a stanza began and was not finished in time",
        CloseReason.Dead => "closed by the node: no answer to a ping",
        CloseReason.AccountRemoved => "closed by the node: the account was removed",
        CloseReason.StreamError => "closed by the node: a stream error (protocol violation)",
        _ => reason.ToString(),
    };
}
