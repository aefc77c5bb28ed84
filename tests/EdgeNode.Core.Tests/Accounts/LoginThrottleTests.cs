using EdgeNode.Core.Accounts;
using EdgeNode.Core.Configuration;
using Microsoft.Extensions.Time.Testing;

namespace EdgeNode.Core.Tests.Accounts;

public class LoginThrottleTests
{
    private const string Alice = "alice@pi.example";
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 21, 12, 0, 0, TimeSpan.Zero));

    private LoginThrottle Throttle() => new(new LoginOptions
    {
        FailuresPerAccount = 3,
        FailuresPerAddress = 5,
        Window = TimeSpan.FromMinutes(10),
        Lockout = TimeSpan.FromMinutes(15),
    }, _clock);

    [Fact]
    public void RecordFailure_NthFromOneAddress_LocksThatPairUntilTheLockoutEnds()
    {
        var throttle = Throttle();
        for (int i = 0; i < 2; i++) throttle.RecordFailure(Alice, "10.0.0.1");
        Assert.Null(throttle.RetryAfter(Alice, "10.0.0.1"));

        throttle.RecordFailure(Alice, "10.0.0.1");
        Assert.Equal(TimeSpan.FromMinutes(15), throttle.RetryAfter(Alice, "10.0.0.1"));
        Assert.False(throttle.IsLockedOut(Alice, "10.0.0.2"));
        Assert.False(throttle.IsLockedOut("bob@pi.example", "10.0.0.1"));

        _clock.Advance(TimeSpan.FromMinutes(16));
        Assert.False(throttle.IsLockedOut(Alice, "10.0.0.1"));
    }

    [Fact]
    public void RecordFailure_SpreadOverManyAddresses_LocksTheAccountOnlyForAddressesItNeverUsed()
    {
        var throttle = Throttle();
        throttle.RecordSuccess(Alice, "192.168.1.20");
        for (int i = 0; i < 12; i++) throttle.RecordFailure(Alice, "10.0.0." + i);

        Assert.True(throttle.IsLockedOut(Alice, "10.0.1.99"));
        Assert.False(throttle.IsLockedOut(Alice, "192.168.1.20"));
        Assert.False(throttle.IsLockedOut("bob@pi.example", "10.0.1.99"));
    }

    [Fact]
    public void RecordFailure_SpreadBeyondTheWindow_DoesNotLock()
    {
        var throttle = Throttle();
        for (int i = 0; i < 6; i++)
        {
            throttle.RecordFailure(Alice, "10.0.0.1");
            _clock.Advance(TimeSpan.FromMinutes(6));
        }

        Assert.False(throttle.IsLockedOut(Alice, "10.0.0.1"));
    }

    [Fact]
    public void RecordFailure_ManyAccountsFromOneAddress_LocksTheAddressForEveryAccount()
    {
        var throttle = Throttle();
        for (int i = 0; i < 5; i++) throttle.RecordFailure($"user{i}@pi.example", "10.0.0.1");
        Assert.True(throttle.IsLockedOut("someone@pi.example", "10.0.0.1"));
        Assert.True(throttle.IsLockedOut(null, "10.0.0.1"));
        Assert.False(throttle.IsLockedOut("someone@pi.example", "10.0.0.2"));
    }

    [Fact]
    public void RecordFailure_Ipv6_CountsTheWhole64AsOneAddress()
    {
        var throttle = Throttle();
        for (int i = 1; i <= 5; i++) throttle.RecordFailure($"user{i}@pi.example", $"2001:db8:1:2::{i:x}");
        Assert.True(throttle.IsLockedOut(null, "2001:db8:1:2:ffff::1"));
        Assert.False(throttle.IsLockedOut(null, "2001:db8:1:3::1"));
    }

    [Fact]
    public void RecordSuccess_ClearsThePairCount()
    {
        var throttle = Throttle();
        throttle.RecordFailure(Alice, "10.0.0.1");
        throttle.RecordFailure(Alice, "10.0.0.1");
        throttle.RecordSuccess(Alice, "10.0.0.1");
        throttle.RecordFailure(Alice, "10.0.0.1");
        Assert.False(throttle.IsLockedOut(Alice, "10.0.0.1"));
    }

    [Fact]
    public void RecordFailure_SprayOfNames_KeepsTheTableBoundedAndTheLocksInForce()
    {
        var throttle = Throttle();
        for (int i = 0; i < 5; i++) throttle.RecordFailure(Alice, "10.9.9.9");
        Assert.True(throttle.IsLockedOut(null, "10.9.9.9"));

        for (int i = 0; i < LoginThrottle.MaxEntries; i++)
        {
            throttle.RecordFailure($"u{i}@pi.example", $"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}");
        }

        Assert.True(throttle.Count() <= LoginThrottle.MaxEntries);
        Assert.True(throttle.IsLockedOut(null, "10.9.9.9"));
        Assert.True(throttle.IsLockedOut(Alice, "10.9.9.9"));
    }
}
