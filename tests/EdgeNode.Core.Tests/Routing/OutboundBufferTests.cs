using System.Buffers;
using EdgeNode.Core.Routing;

namespace EdgeNode.Core.Tests.Routing;

public class OutboundBufferTests
{
    [Fact]
    public async Task TryWrite_ThenDrain_KeepsOrderAndWakesTheWaiter()
    {
        var buffer = new OutboundBuffer(4096);
        var wait = buffer.WaitAsync();
        Assert.False(wait.IsCompleted);
        Assert.True(buffer.TryWrite("<a/>"u8));
        Assert.True(buffer.TryWrite("<b/>"u8, "<c/>"u8, default));
        Assert.True(await wait);
        var output = new ArrayBufferWriter<byte>();
        Assert.True(buffer.TryDrainTo(output, out int drained));
        Assert.Equal(12, drained);
        Assert.Equal("<a/><b/><c/>"u8.ToArray(), output.WrittenSpan.ToArray());
    }

    [Fact]
    public void Idle_HoldsNoMemory_WritesGrowPastTheFirstBlock_DrainGivesItBack()
    {
        var buffer = new OutboundBuffer(256 * 1024);
        Assert.Equal(0, buffer.HeldBytes);
        byte[] large = new byte[10_000];
        Random.Shared.NextBytes(large);
        Assert.True(buffer.TryWrite("<a/>"u8));
        Assert.True(buffer.TryWrite(large));
        Assert.True(buffer.HeldBytes >= 10_004);
        var output = new ArrayBufferWriter<byte>();
        Assert.True(buffer.TryDrainTo(output, out int drained));
        Assert.Equal(10_004, drained);
        Assert.Equal([.. "<a/>"u8.ToArray(), .. large], output.WrittenSpan.ToArray());
        Assert.Equal(0, buffer.HeldBytes);
    }

    [Fact]
    public void TryWrite_PastTheCap_OverflowsAndRefusesEverythingAfter()
    {
        var buffer = new OutboundBuffer(1024);
        Assert.True(buffer.TryWrite(new byte[1000]));
        Assert.False(buffer.TryWrite(new byte[100]));
        Assert.True(buffer.Overflowed);
        Assert.False(buffer.TryWrite(new byte[1]));
        Assert.Equal(1000, buffer.Length);
    }

    [Fact]
    public async Task Complete_WithNothingLeft_EndsThePump()
    {
        var buffer = new OutboundBuffer(1024);
        buffer.TryWrite("x"u8);
        buffer.Complete();
        Assert.False(buffer.TryWrite("y"u8));
        Assert.True(await buffer.WaitAsync());
        var output = new ArrayBufferWriter<byte>();
        Assert.True(buffer.TryDrainTo(output, out _));
        Assert.False(buffer.TryDrainTo(output, out _));
    }
}
