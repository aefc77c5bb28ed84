using EdgeNode.Core.Accounts;
using EdgeNode.Core.Configuration;
using Microsoft.Extensions.Time.Testing;

namespace EdgeNode.Core.Tests.Accounts;

public class LoginThrottleTests
{
    private sealed class Unlocks : ILoginUnlocks
    {
        public Dictionary<string, DateTimeOffset> At { get; } = [];
        public int Asked { get; private set; }

        public DateTimeOffset? UnlockedAt(string account)
        {
            Asked++;
            return At.TryGetValue(account, out var at) ? at : null;
        }
    }

    private const string Alice = "alice@pi.example";
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 21, 12, 0, 0, TimeSpan.Zero));
    private readonly Unlocks _unlocks = new();

    private LoginThrottle Throttle(int perAccount = 3, int perAddress = 5) => new(new LoginOptions
    {
        FailuresPerAccount = perAccount,
        FailuresPerAddress = perAddress,
        Window = TimeSpan.FromMinutes(10),
        MaxDelay = TimeSpan.FromMinutes(15),
    }, _clock, _unlocks);

    [Theory]
    [InlineData(3, 0)]
    [InlineData(4, 1)]
    [InlineData(5, 2)]
    [InlineData(6, 4)]
    [InlineData(13, 512)]
    [InlineData(14, 900)]
    [InlineData(1000, 900)]
    public void Delay_AfterTheFreeFailures_DoublesFromOneSecondUpToTheCap(int failures, int seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), GuessCounter.Delay(failures, 3, TimeSpan.FromMinutes(15)));
    }

    [Fact]
    public void RecordFailure_PastTheFreeOnes_WaitsGrowWithPersistence()
    {
        var throttle = Throttle();
        for (int i = 0; i < 3; i++) throttle.RecordFailure(Alice, "10.0.0.1", "guess" + i);
        Assert.Null(throttle.RetryAfter(Alice, "10.0.0.1"));

        throttle.RecordFailure(Alice, "10.0.0.1", "guess3");
        Assert.Equal(TimeSpan.FromSeconds(1), throttle.RetryAfter(Alice, "10.0.0.1"));
        Assert.Null(throttle.RetryAfter(Alice, "10.0.0.2"));
        Assert.Null(throttle.RetryAfter("bob@pi.example", "10.0.0.1"));

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(throttle.RetryAfter(Alice, "10.0.0.1"));
        throttle.RecordFailure(Alice, "10.0.0.1", "guess4");
        Assert.Equal(TimeSpan.FromSeconds(2), throttle.RetryAfter(Alice, "10.0.0.1"));
        _clock.Advance(TimeSpan.FromSeconds(2));
        throttle.RecordFailure(Alice, "10.0.0.1", "guess5");
        Assert.Equal(TimeSpan.FromSeconds(4), throttle.RetryAfter(Alice, "10.0.0.1"));
    }

    [Fact]
    public void RecordFailure_SameWrongPasswordAgain_CountsOnce()
    {
        var throttle = Throttle();
        for (int i = 0; i < 20; i++)
        {
            Assert.Equal(i == 0, throttle.RecordFailure(Alice, "10.0.0.1", "typo"));
        }

        Assert.Null(throttle.RetryAfter(Alice, "10.0.0.1"));
        Assert.True(throttle.RecordFailure(Alice, "10.0.0.1", "another typo"));
        Assert.True(throttle.RecordFailure(Alice, "10.0.0.1", "a third"));
        Assert.True(throttle.RecordFailure(Alice, "10.0.0.1", "a fourth"));
        Assert.Equal(TimeSpan.FromSeconds(1), throttle.RetryAfter(Alice, "10.0.0.1"));
    }

    [Fact]
    public void RecordFailure_SamePasswordForAnotherAccountOrAddress_CountsThere()
    {
        var throttle = Throttle();
        Assert.True(throttle.RecordFailure(Alice, "10.0.0.1", "typo"));
        Assert.True(throttle.RecordFailure("bob@pi.example", "10.0.0.1", "typo"));
        Assert.True(throttle.RecordFailure(Alice, "10.0.0.2", "typo"));
    }

    [Fact]
    public void RecordFailure_ClientRetryingItsNextMechanismOnOneConnection_CountsOnce()
    {
        var throttle = Throttle();
        for (int connection = 0; connection < 3; connection++)
        {
            var charges = new LoginCharges();
            Assert.True(throttle.RecordFailure(Alice, "10.0.0.1", null, charges));     // SCRAM-SHA-256
            Assert.False(throttle.RecordFailure(Alice, "10.0.0.1", null, charges));    // SCRAM-SHA-1
            Assert.False(throttle.RecordFailure(Alice, "10.0.0.1", "typo", charges));  // PLAIN, the same password
        }

        Assert.Null(throttle.RetryAfter(Alice, "10.0.0.1"));
        throttle.RecordSuccess(Alice, "10.0.0.1");
        Assert.Null(throttle.RetryAfter(Alice, "10.0.0.1"));
    }

    [Fact]
    public void RecordFailure_SecondDistinctPasswordOnOneConnection_Counts()
    {
        var throttle = Throttle();
        var charges = new LoginCharges();
        Assert.True(throttle.RecordFailure(Alice, "10.0.0.1", "first", charges));
        Assert.True(throttle.RecordFailure(Alice, "10.0.0.1", "second", charges));
        var scramFirst = new LoginCharges();
        Assert.True(throttle.RecordFailure(Alice, "10.0.0.1", null, scramFirst));
        Assert.False(throttle.RecordFailure(Alice, "10.0.0.1", "third", scramFirst));
        Assert.True(throttle.RecordFailure(Alice, "10.0.0.1", "fourth", scramFirst));
    }

    [Fact]
    public void RecordFailure_QuietForTheWindowAfterTheWait_IsForgotten()
    {
        var throttle = Throttle();
        for (int i = 0; i < 5; i++) throttle.RecordFailure(Alice, "10.0.0.1", "guess" + i);
        Assert.Equal(TimeSpan.FromSeconds(2), throttle.RetryAfter(Alice, "10.0.0.1"));

        _clock.Advance(TimeSpan.FromMinutes(11));
        throttle.RecordFailure(Alice, "10.0.0.1", "guess5");
        Assert.Null(throttle.RetryAfter(Alice, "10.0.0.1"));
    }

    [Fact]
    public void RecordFailure_MadeUpNamesFromOneAddress_SlowThatAddressGraduallyAndNeverItsOwnAccounts()
    {
        var throttle = Throttle(perAddress: 20);
        throttle.RecordSuccess(Alice, "10.0.0.1");
        for (int i = 0; i < 20; i++) throttle.RecordFailure($"nobody{i}@pi.example", "10.0.0.1", "x");
        Assert.Null(throttle.RetryAfter("bob@pi.example", "10.0.0.1"));

        for (int i = 20; i < 22; i++) throttle.RecordFailure($"nobody{i}@pi.example", "10.0.0.1", "x");
        Assert.Equal(TimeSpan.FromSeconds(2), throttle.RetryAfter("bob@pi.example", "10.0.0.1"));
        Assert.Equal(TimeSpan.FromSeconds(2), throttle.RetryAfter(null, "10.0.0.1"));
        Assert.Null(throttle.RetryAfter(Alice, "10.0.0.1"));
        Assert.Null(throttle.RetryAfter("bob@pi.example", "10.0.0.2"));

        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Null(throttle.RetryAfter("bob@pi.example", "10.0.0.1"));
    }

    [Fact]
    public void RecordFailure_SpreadOverManyAddresses_SlowsTheAccountOnlyForAddressesItNeverUsed()
    {
        var throttle = Throttle();
        throttle.RecordSuccess(Alice, "192.168.1.20");
        for (int i = 0; i < 14; i++) throttle.RecordFailure(Alice, "10.0.0." + i, "guess" + i);

        Assert.Equal(TimeSpan.FromSeconds(2), throttle.RetryAfter(Alice, "10.0.1.99"));
        Assert.Null(throttle.RetryAfter(Alice, "192.168.1.20"));
        Assert.Null(throttle.RetryAfter("bob@pi.example", "10.0.1.99"));
    }

    [Fact]
    public void RecordFailure_Ipv6_CountsTheWhole64AsOneAddress()
    {
        var throttle = Throttle();
        for (int i = 1; i <= 6; i++) throttle.RecordFailure($"user{i}@pi.example", $"2001:db8:1:2::{i:x}");
        Assert.NotNull(throttle.RetryAfter(null, "2001:db8:1:2:ffff::1"));
        Assert.Null(throttle.RetryAfter(null, "2001:db8:1:3::1"));
    }

    [Fact]
    public void RecordSuccess_ClearsThePairCount()
    {
        var throttle = Throttle();
        throttle.RecordFailure(Alice, "10.0.0.1", "a");
        throttle.RecordFailure(Alice, "10.0.0.1", "b");
        throttle.RecordFailure(Alice, "10.0.0.1", "c");
        throttle.RecordSuccess(Alice, "10.0.0.1");
        throttle.RecordFailure(Alice, "10.0.0.1", "d");
        Assert.Null(throttle.RetryAfter(Alice, "10.0.0.1"));
    }

    [Fact]
    public void Unlock_ForgetsTheAccountsCountsAndTheAddressesItFailedFrom()
    {
        var throttle = Throttle(perAddress: 4);
        for (int i = 0; i < 10; i++) throttle.RecordFailure(Alice, "10.0.0.1", "guess" + i);
        for (int i = 0; i < 14; i++) throttle.RecordFailure(Alice, "10.0.1." + i, "guess" + i);
        throttle.RecordFailure("bob@pi.example", "10.0.2.1", "x");
        Assert.NotNull(throttle.RetryAfter(Alice, "10.0.0.1"));
        Assert.NotNull(throttle.RetryAfter(Alice, "10.0.9.9"));

        Assert.True(throttle.Unlock(Alice) > 0);
        Assert.Null(throttle.RetryAfter(Alice, "10.0.0.1"));
        Assert.Null(throttle.RetryAfter(Alice, "10.0.9.9"));
        Assert.Equal(0, throttle.Unlock(Alice));
    }

    [Fact]
    public void RetryAfter_UnlockRequestedSinceTheWaitStarted_AppliesItOnce()
    {
        var throttle = Throttle();
        Assert.Null(throttle.RetryAfter(Alice, "10.0.0.1"));
        Assert.Equal(0, _unlocks.Asked);

        for (int i = 0; i < 8; i++) throttle.RecordFailure(Alice, "10.0.0.1", "guess" + i);
        Assert.NotNull(throttle.RetryAfter(Alice, "10.0.0.1"));

        _clock.Advance(TimeSpan.FromSeconds(1));
        _unlocks.At[Alice] = _clock.GetUtcNow();
        Assert.Null(throttle.RetryAfter(Alice, "10.0.0.1"));

        // The same request does not undo failures counted after it.
        for (int i = 8; i < 16; i++) throttle.RecordFailure(Alice, "10.0.0.1", "guess" + i);
        Assert.NotNull(throttle.RetryAfter(Alice, "10.0.0.1"));
    }

    [Fact]
    public void RetryAfter_UnlockFromBeforeTheNodeStarted_IsIgnored()
    {
        _unlocks.At[Alice] = _clock.GetUtcNow() - TimeSpan.FromDays(1);
        var throttle = Throttle();
        for (int i = 0; i < 8; i++) throttle.RecordFailure(Alice, "10.0.0.1", "guess" + i);
        Assert.NotNull(throttle.RetryAfter(Alice, "10.0.0.1"));
    }

    [Fact]
    public void RecordFailure_SprayOfNames_KeepsTheTableBoundedAndTheWaitsInForce()
    {
        var throttle = Throttle();
        for (int i = 0; i < 12; i++) throttle.RecordFailure(Alice, "10.9.9.9", "guess" + i);
        Assert.NotNull(throttle.RetryAfter(null, "10.9.9.9"));

        for (int i = 0; i < LoginThrottle.MaxEntries; i++)
        {
            throttle.RecordFailure($"u{i}@pi.example", $"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}");
        }

        Assert.True(throttle.Count() <= LoginThrottle.MaxEntries);
        Assert.NotNull(throttle.RetryAfter(null, "10.9.9.9"));
        Assert.NotNull(throttle.RetryAfter(Alice, "10.9.9.9"));
    }

    [Theory]
    [InlineData(0.2, "Too many failed logins; try again in 1 second.")]
    [InlineData(7.5, "Too many failed logins; try again in 8 seconds.")]
    [InlineData(900, "Too many failed logins; try again in 15 minutes.")]
    public void LoginWait_TooMany_SaysHowLong(double seconds, string expected)
    {
        Assert.Equal(expected, LoginWait.TooMany(TimeSpan.FromSeconds(seconds)));
    }
}
