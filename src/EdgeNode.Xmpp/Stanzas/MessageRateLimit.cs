using Microsoft.Extensions.Logging;

namespace EdgeNode.Xmpp.Stanzas;

/// <summary>
/// How fast one client session may send messages: a token bucket of <c>Xmpp:MessageBurst</c> refilled at
/// <c>Xmpp:MessagesPerSecond</c> (an honest burst, a pasted list or a client catching up, passes whole), and the node's
/// bucket for the pair of this account and the recipient. Used by the session's read loop only; a message over
/// either limit is refused before any work. The refusals of one burst are logged once, when the burst begins.
/// </summary>
public sealed class MessageRateLimit
{
    // A burst of refusals ends when none came for this long; the next refusal is logged as a new burst.
    private static readonly TimeSpan BurstGap = TimeSpan.FromSeconds(10);

    private readonly double _perSecond;
    private readonly double _burst;
    private readonly PairRateTable _pairs;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _remote;
    private TokenBucket _bucket;
    private long _lastRefusal;
    private long _refusedInBurst;

    public MessageRateLimit(int perSecond, int burst, PairRateTable pairs, TimeProvider time, ILogger logger, string remote)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(perSecond);
        ArgumentOutOfRangeException.ThrowIfLessThan(burst, 1);
        _perSecond = perSecond;
        _burst = burst;
        _pairs = pairs;
        _time = time;
        _logger = logger;
        _remote = remote;
        _bucket = new TokenBucket(burst, time.GetTimestamp());
    }

    /// <summary>Messages refused since the session began.</summary>
    public long Refused { get; private set; }

    /// <summary>Takes one message from <paramref name="sender"/> to <paramref name="recipient"/>; false when it must be refused.</summary>
    public bool TryTake(Streams.C2sSession sender, ReadOnlySpan<byte> recipient)
    {
        long now = _time.GetTimestamp();
        if (_perSecond > 0 && !_bucket.Refill(now, _perSecond, _burst, _time.TimestampFrequency))
        {
            Refuse(sender, now, toOne: false);
            return false;
        }

        if (!_pairs.TryTake(sender.BareUtf8, recipient))
        {
            Refuse(sender, now, toOne: true);
            return false;
        }

        if (_perSecond > 0)
        {
            _bucket.Take();
        }

        return true;
    }

    private void Refuse(Streams.C2sSession sender, long now, bool toOne)
    {
        Refused++;
        bool newBurst = _refusedInBurst == 0 || _time.GetElapsedTime(_lastRefusal, now) > BurstGap;
        _lastRefusal = now;
        if (!newBurst)
        {
            _refusedInBurst++;
            return;
        }

        long previous = _refusedInBurst;
        _refusedInBurst = 1;
        XmppLog.MessagesRefused(_logger, sender.FullJid, _remote,
            toOne ? "Xmpp:MessagesPerSecondToOneRecipient to one recipient" : "Xmpp:MessagesPerSecond", previous);
    }
}
