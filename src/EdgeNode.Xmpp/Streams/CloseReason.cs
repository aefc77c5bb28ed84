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
