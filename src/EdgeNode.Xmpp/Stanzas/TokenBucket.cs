namespace EdgeNode.Xmpp.Stanzas;

/// <summary>
/// A token bucket kept as two numbers, refilled from the time of its last look: at most <c>burst</c> tokens, gaining
/// <c>perSecond</c> a second. A struct so that a session and each slot of the pair table hold one inline.
/// </summary>
internal struct TokenBucket(double burst, long now)
{
    private double _tokens = burst;
    private long _last = now;

    /// <summary>Refills for the time since the last look; true when a whole token is there to take.</summary>
    public bool Refill(long now, double perSecond, double burst, long frequency)
    {
        if (now > _last)
        {
            _tokens = Math.Min(burst, _tokens + ((now - _last) * perSecond / frequency));
            _last = now;
        }

        return _tokens >= 1;
    }

    public void Take() => _tokens -= 1;
}
