using EdgeNode.Xmpp.Sasl;

namespace EdgeNode.Xmpp.Tests.Sasl;

public class AuthThrottleTests
{
    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private readonly ManualClock _clock = new();

    private AuthThrottle Throttle() => new(accountLimit: 3, addressLimit: 5, TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(15), _clock);

    [Fact]
    public void RecordFailure_NthInWindow_LocksTheAccountUntilTheLockoutEnds()
    {
        var throttle = Throttle();
        throttle.RecordFailure("alice@pi.example", "10.0.0.1");
        throttle.RecordFailure("alice@pi.example", "10.0.0.2");
        Assert.False(throttle.IsLockedOut("alice@pi.example", "10.0.0.3"));
        throttle.RecordFailure("alice@pi.example", "10.0.0.3");
        Assert.True(throttle.IsLockedOut("alice@pi.example", "10.0.0.4"));
        Assert.False(throttle.IsLockedOut("bob@pi.example", "10.0.0.4"));

        _clock.Now += TimeSpan.FromMinutes(16);
        Assert.False(throttle.IsLockedOut("alice@pi.example", "10.0.0.4"));
    }

    [Fact]
    public void RecordFailure_SpreadBeyondTheWindow_DoesNotLock()
    {
        var throttle = Throttle();
        for (int i = 0; i < 6; i++)
        {
            throttle.RecordFailure("alice@pi.example", "10.0.0." + i);
            _clock.Now += TimeSpan.FromMinutes(6);
        }

        Assert.False(throttle.IsLockedOut("alice@pi.example", "10.0.0.9"));
    }

    [Fact]
    public void RecordFailure_ManyAccountsFromOneAddress_LocksTheAddress()
    {
        var throttle = Throttle();
        for (int i = 0; i < 5; i++) throttle.RecordFailure($"user{i}@pi.example", "10.0.0.1");
        Assert.True(throttle.IsLockedOut("someone@pi.example", "10.0.0.1"));
        Assert.False(throttle.IsLockedOut("someone@pi.example", "10.0.0.2"));
    }

    [Fact]
    public void RecordSuccess_ClearsTheAccountCount()
    {
        var throttle = Throttle();
        throttle.RecordFailure("alice@pi.example", "10.0.0.1");
        throttle.RecordFailure("alice@pi.example", "10.0.0.1");
        throttle.RecordSuccess("alice@pi.example");
        throttle.RecordFailure("alice@pi.example", "10.0.0.1");
        Assert.False(throttle.IsLockedOut("alice@pi.example", "10.0.0.2"));
    }
}
