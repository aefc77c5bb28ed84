using EdgeNode.Xmpp.S2s;

namespace EdgeNode.Xmpp.Tests.S2s;

public class StanzaRateLimitTests
{
    [Fact]
    public void Pause_WithinBurst_IsZero()
    {
        var limit = new StanzaRateLimit(perSecond: 10, burst: 5);
        for (int i = 0; i < 5; i++)
        {
            limit.Take(1000);
        }

        Assert.Equal(TimeSpan.Zero, limit.Pause(1000));
    }

    [Fact]
    public void Pause_OverBurst_LastsUntilTheBucketRefills()
    {
        var limit = new StanzaRateLimit(perSecond: 10, burst: 5);
        for (int i = 0; i < 8; i++)
        {
            limit.Take(1000);
        }

        // Three stanzas over at 10 a second: 300 ms.
        Assert.Equal(TimeSpan.FromMilliseconds(300), limit.Pause(1000));
        Assert.Equal(TimeSpan.FromMilliseconds(100), limit.Pause(1200));
        Assert.Equal(TimeSpan.Zero, limit.Pause(1300));
    }

    [Fact]
    public void Take_AfterLongQuiet_RefillsOnlyToTheBurst()
    {
        var limit = new StanzaRateLimit(perSecond: 10, burst: 5);
        limit.Take(0);
        for (int i = 0; i < 6; i++)
        {
            limit.Take(60_000);
        }

        Assert.Equal(TimeSpan.FromMilliseconds(100), limit.Pause(60_000));
    }
}
