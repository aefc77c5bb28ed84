using EdgeNode.Core.Logging;
using Microsoft.Extensions.Time.Testing;

namespace EdgeNode.Core.Tests.Logging;

public class BurstLogTests
{
    [Fact]
    public void Count_ABurst_IsOneLineThenOneLineWithTheCountPerInterval()
    {
        var time = new FakeTimeProvider();
        var log = new BurstLog(time, TimeSpan.FromSeconds(10));

        Assert.True(log.Count(out int first));
        Assert.Equal(1, first);
        for (int i = 0; i < 500; i++) Assert.False(log.Count(out _));

        time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(log.Count(out int later));
        // The 500 held back and this one.
        Assert.Equal(501, later);
        Assert.False(log.Count(out _));
    }
}
