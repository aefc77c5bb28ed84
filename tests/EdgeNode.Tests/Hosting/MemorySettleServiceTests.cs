using EdgeNode.Hosting;

namespace EdgeNode.Tests.Hosting;

public class MemorySettleServiceTests
{
    private const long MiB = 1024 * 1024;

    private sealed class Counter
    {
        public long Allocated;
        public int Collections;
    }

    private static (MemorySettleService Service, Counter Counter) Create()
    {
        var counter = new Counter();
        var service = new MemorySettleService(TimeSpan.FromSeconds(2), () => counter.Allocated, () =>
        {
            counter.Collections++;
            counter.Allocated += 1024; // a collection allocates a little itself
        });
        return (service, counter);
    }

    [Fact]
    public void Tick_StartUpThenQuiet_SettlesOnce()
    {
        var (service, counter) = Create();
        Assert.True(service.Tick());
        Assert.False(service.Tick());
        Assert.False(service.Tick());
        Assert.Equal(1, counter.Collections);
    }

    [Fact]
    public void Tick_WhileBusy_NeverSettles_ThenSettlesOnTheFirstQuietTick()
    {
        var (service, counter) = Create();
        service.Tick();
        for (int i = 0; i < 10; i++)
        {
            counter.Allocated += 8 * MiB;
            Assert.False(service.Tick());
        }
        counter.Allocated += 100 * 1024; // quiet: under the 256 KiB a tick may allocate
        Assert.True(service.Tick());
        Assert.Equal(2, counter.Collections);
    }

    [Fact]
    public void Tick_SmallBurstBelowTheThreshold_IsNotWorthAPause()
    {
        var (service, counter) = Create();
        service.Tick();
        counter.Allocated += 10 * MiB;
        Assert.False(service.Tick()); // busy
        Assert.False(service.Tick()); // quiet, but 10 MiB since the last settle is under 16 MiB
        counter.Allocated += 7 * MiB;
        Assert.False(service.Tick());
        Assert.True(service.Tick());
        Assert.Equal(2, service.Settles);
    }
}
