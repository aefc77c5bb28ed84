namespace EdgeNode.Xmpp.S2s;

/// <summary>
/// A token bucket for the stanzas one inbound server stream may send: <see cref="Burst"/> at once, then
/// <see cref="PerSecond"/>. A stream over its rate is not cut off (one busy server carries many users): its reads
/// pause for the time the bucket needs to refill, so TCP pushes back on the sender.
/// </summary>
public sealed class StanzaRateLimit(int perSecond, int burst)
{
    private double _tokens = burst;
    private long _last = long.MinValue;

    public int PerSecond => perSecond;
    public int Burst => burst;

    /// <summary>Counts one stanza at <paramref name="nowMilliseconds"/>.</summary>
    public void Take(long nowMilliseconds)
    {
        Refill(nowMilliseconds);
        _tokens -= 1;
    }

    /// <summary>How long reading should pause now for the bucket to be back at zero; zero when within the rate.</summary>
    public TimeSpan Pause(long nowMilliseconds)
    {
        Refill(nowMilliseconds);
        return _tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromMilliseconds(Math.Ceiling(-_tokens * 1000 / perSecond));
    }

    private void Refill(long now)
    {
        if (_last != long.MinValue && now > _last)
        {
            _tokens = Math.Min(burst, _tokens + ((now - _last) * (double)perSecond / 1000));
        }

        _last = Math.Max(_last, now);
    }
}
