using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;
using EdgeNode.Xmpp.Offline;
using EdgeNode.Xmpp.Streams;

namespace EdgeNode.Xmpp.Tests.Offline;

public partial class OfflineDeliveryTests
{
    private const string Juliet = "juliet@pi.example";
    private const int OutboundCapacity = 16 * 1024;

    [Fact]
    public async Task RunAsync_MoreStoredThanTheOutboundBuffer_DeliversEveryMessageInOrderAndEmptiesTheStore()
    {
        using var fixture = new OfflineFixture();
        const int count = 300;
        for (int i = 1; i <= count; i++)
        {
            fixture.Keep(Juliet, $"note {i} " + new string('z', 400), i);
        }

        // About 150 KiB stored against a 16 KiB outbound buffer: all at once would overflow it.
        Assert.True(fixture.Offline.Usage(Juliet).Bytes > 8 * OutboundCapacity);
        var client = new PumpedSession(Juliet, "balcony", OutboundCapacity);
        client.Session.SetAvailable(0, "<presence/>"u8.ToArray());
        var delivery = new OfflineDelivery(fixture.Offline, "pi.example"u8.ToArray(), OutboundCapacity / 4);

        await delivery.RunAsync(client.Session);
        string received = await client.CloseAsync();

        Assert.Null(client.Owner.Closed);
        Assert.Equal(Enumerable.Range(1, count).Select(i => $"m{i}"), Ids().Matches(received).Select(m => m.Groups[1].Value));
        Assert.Equal(count, Delays().Count(received));
        Assert.Equal((0, 0L), fixture.Offline.Usage(Juliet));
    }

    [Fact]
    public async Task RunAsync_ConnectionStopsAfterTheFirstPage_KeepsEveryMessageNotFlushed()
    {
        using var fixture = new OfflineFixture();
        const int count = 100;
        for (int i = 1; i <= count; i++)
        {
            fixture.Keep(Juliet, $"note {i} " + new string('z', 400), i);
        }

        // The connection's side is played by hand: one page is written and flushed, then the connection stops.
        var session = new C2sSession(Juliet, "balcony", OutboundCapacity, new RecordingOwner());
        session.SetAvailable(0, "<presence/>"u8.ToArray());
        var delivery = new OfflineDelivery(fixture.Offline, "pi.example"u8.ToArray(), OutboundCapacity / 4);
        Task running = delivery.RunAsync(session);

        var socket = new ArrayBufferWriter<byte>();
        session.Outbound.TryDrainTo(socket, out int flushed);
        session.OnFlushed(flushed);
        session.OnOutputStopped();
        await running;

        string[] delivered = Ids().Matches(Encoding.UTF8.GetString(socket.WrittenSpan)).Select(m => m.Groups[1].Value).ToArray();
        string[] kept = fixture.Offline.ReadPage(Juliet, 0, 1000, int.MaxValue).Select(m => OfflineMessageStoreTests.IdOf(m.Stanza)).ToArray();
        Assert.NotEmpty(delivered);
        Assert.True(delivered.Length < count);
        Assert.Equal(Enumerable.Range(1, count).Select(i => $"m{i}"), delivered.Concat(kept));
    }

    [Fact]
    public async Task RunAsync_TwoResourcesAtOnce_OnlyOneGetsTheMessages()
    {
        using var fixture = new OfflineFixture();
        for (int i = 1; i <= 50; i++)
        {
            fixture.Keep(Juliet, $"note {i}", i);
        }

        var first = new PumpedSession(Juliet, "balcony", OutboundCapacity);
        var second = new PumpedSession(Juliet, "garden", OutboundCapacity);
        first.Session.SetAvailable(0, "<presence/>"u8.ToArray());
        second.Session.SetAvailable(0, "<presence/>"u8.ToArray());
        var delivery = new OfflineDelivery(fixture.Offline, "pi.example"u8.ToArray(), OutboundCapacity / 4);

        await Task.WhenAll(delivery.RunAsync(first.Session), delivery.RunAsync(second.Session));
        int total = Ids().Count(await first.CloseAsync()) + Ids().Count(await second.CloseAsync());

        Assert.Equal(50, total);
        Assert.Equal(0, fixture.Offline.Usage(Juliet).Messages);
    }

    [GeneratedRegex("<message [^>]*id='(m\\d+)'")]
    private static partial Regex Ids();

    [GeneratedRegex("<delay xmlns='urn:xmpp:delay' from='pi.example' stamp='")]
    private static partial Regex Delays();
}
