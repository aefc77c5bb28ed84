using EdgeNode.Matrix.Users;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EdgeNode.Matrix.Tests.Users;

public class SendRateLimitTests
{
    private const string Alice = "@alice:hs.test";
    private const string Bob = "@bob:hs.test";

    [Fact]
    public void TryTake_BurstThenRefill_OneEventPerIntervalAndTheWaitUntilIt()
    {
        var time = new FakeTimeProvider();
        var limit = new SendRateLimit(0.2, 10, time, NullLogger.Instance);
        for (var i = 0; i < 10; i++) Assert.Null(limit.TryTake(Alice));

        Assert.Equal(TimeSpan.FromSeconds(5), limit.TryTake(Alice));
        time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(1, limit.TryTake(Alice)!.Value.TotalSeconds, precision: 6);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(limit.TryTake(Alice));
        Assert.NotNull(limit.TryTake(Alice));
    }

    [Fact]
    public void TryTake_OneUserExhausted_OthersHaveTheirOwnBurst()
    {
        var time = new FakeTimeProvider();
        var limit = new SendRateLimit(0.2, 3, time, NullLogger.Instance);
        for (var i = 0; i < 3; i++) Assert.Null(limit.TryTake(Alice));
        Assert.NotNull(limit.TryTake(Alice));

        for (var i = 0; i < 3; i++) Assert.Null(limit.TryTake(Bob));
        Assert.NotNull(limit.TryTake(Bob));
    }

    [Fact]
    public void TryTake_LongIdle_RefillsToTheBurstOnly()
    {
        var time = new FakeTimeProvider();
        var limit = new SendRateLimit(1, 2, time, NullLogger.Instance);
        Assert.Null(limit.TryTake(Alice));
        time.Advance(TimeSpan.FromHours(1));

        Assert.Null(limit.TryTake(Alice));
        Assert.Null(limit.TryTake(Alice));
        Assert.NotNull(limit.TryTake(Alice));
    }

    [Fact]
    public void TryTake_RateZero_NeverLimits()
    {
        var limit = new SendRateLimit(0, 1, new FakeTimeProvider(), NullLogger.Instance);
        for (var i = 0; i < 1000; i++) Assert.Null(limit.TryTake(Alice));
    }

    [Fact]
    public void TryTake_ManyUsersOnce_FullBucketsPrunedAndRestartedFull()
    {
        var time = new FakeTimeProvider();
        var limit = new SendRateLimit(1, 2, time, NullLogger.Instance);
        for (var i = 0; i < 5000; i++) Assert.Null(limit.TryTake($"@u{i}:hs.test"));
        time.Advance(TimeSpan.FromSeconds(2));
        for (var i = 5000; i < 10000; i++) Assert.Null(limit.TryTake($"@u{i}:hs.test"));

        // A pruned user comes back with a full burst, exactly as a kept one would have.
        Assert.Null(limit.TryTake("@u1:hs.test"));
        Assert.Null(limit.TryTake("@u1:hs.test"));
        Assert.NotNull(limit.TryTake("@u1:hs.test"));
        Assert.InRange(limit.Count, 1, 6000);
    }
}
