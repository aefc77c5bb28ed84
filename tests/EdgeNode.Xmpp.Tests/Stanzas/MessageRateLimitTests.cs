using System.Text;
using EdgeNode.Core.Routing;
using EdgeNode.Xmpp.Stanzas;
using EdgeNode.Xmpp.Streams;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EdgeNode.Xmpp.Tests.Stanzas;

/// <summary>Finding 7 of issue 14: one client flooding another, refused at the sender without a disconnect.</summary>
public class MessageRateLimitTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 7, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Handle_FloodBeyondTheBurst_RefusedWithResourceConstraintAndNotRouted()
    {
        var fixture = new RoutingFixture();
        var limit = new MessageRateLimit(10, 5, new PairRateTable(0, 1, _clock), _clock, NullLogger.Instance, "192.0.2.1");
        for (int i = 1; i <= 8; i++)
        {
            fixture.Route($"<message to='juliet@pi.example' type='chat' id='f{i}'><body>flood {i}</body></message>", fixture.Sender, limit);
        }

        string received = RoutingFixture.Drain(fixture.Recipient);
        Assert.Equal(5, Count(received, "<body>flood "));
        Assert.DoesNotContain("flood 6", received);
        string errors = RoutingFixture.Drain(fixture.Sender);
        Assert.Equal(3, Count(errors, "<error type='wait'><resource-constraint xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>"));
        Assert.Contains("id='f6'", errors);
        Assert.Equal(3, limit.Refused);

        // The bucket refills at the sustained rate: a second later, ten more pass.
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(RouteOutcome.Delivered, fixture.Route("<message to='juliet@pi.example' type='chat' id='later'><body>later</body></message>", fixture.Sender, limit));
    }

    [Fact]
    public void Handle_AnotherSenderWhileTheFloodIsRefused_IsDelivered()
    {
        var fixture = new RoutingFixture();
        var pairs = new PairRateTable(0, 1, _clock);
        var flood = new MessageRateLimit(10, 5, pairs, _clock, NullLogger.Instance, "192.0.2.1");
        for (int i = 0; i < 50; i++)
        {
            fixture.Route("<message to='juliet@pi.example' type='chat'><body>flood</body></message>", fixture.Sender, flood);
        }

        C2sSession nurse = fixture.Connect("nurse@pi.example", "kitchen");
        var honest = new MessageRateLimit(10, 5, pairs, _clock, NullLogger.Instance, "192.0.2.2");
        RoutingFixture.Drain(fixture.Recipient);
        Assert.Equal(RouteOutcome.Delivered, fixture.Route("<message to='juliet@pi.example' type='chat'><body>dinner</body></message>", nurse, honest));
        Assert.Contains("dinner", RoutingFixture.Drain(fixture.Recipient));
    }

    [Fact]
    public void TryTake_SessionsOfOneAccountToOneRecipient_ShareOnePairBucket()
    {
        var fixture = new RoutingFixture();
        var pairs = new PairRateTable(1, 3, _clock);
        C2sSession second = fixture.Connect("romeo@pi.example", "balcony-ladder");
        var first = new MessageRateLimit(1000, 1000, pairs, _clock, NullLogger.Instance, "192.0.2.1");
        var other = new MessageRateLimit(1000, 1000, pairs, _clock, NullLogger.Instance, "192.0.2.1");

        Assert.True(first.TryTake(fixture.Sender, "juliet@pi.example"u8));
        Assert.True(other.TryTake(second, "juliet@pi.example/balcony"u8));
        Assert.True(first.TryTake(fixture.Sender, "juliet@pi.example"u8));

        // The pair's burst is spent, however the recipient is spelt; other pairs are not touched.
        Assert.False(other.TryTake(second, "JULIET@pi.example"u8));
        Assert.False(first.TryTake(fixture.Sender, "juliet@pi.example/other"u8));
        Assert.True(first.TryTake(fixture.Sender, "nurse@pi.example"u8));
        C2sSession nurse = fixture.Connect("nurse@pi.example", "kitchen");
        Assert.True(new MessageRateLimit(1000, 1000, pairs, _clock, NullLogger.Instance, "192.0.2.2").TryTake(nurse, "juliet@pi.example"u8));

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(other.TryTake(second, "juliet@pi.example"u8));
    }

    [Fact]
    public void TryTake_LongFlood_LogsOncePerBurst()
    {
        var fixture = new RoutingFixture();
        var logger = new CountingLogger();
        var limit = new MessageRateLimit(10, 5, new PairRateTable(0, 1, _clock), _clock, logger, "192.0.2.1");
        for (int i = 0; i < 10_000; i++)
        {
            limit.TryTake(fixture.Sender, "juliet@pi.example"u8);
            if (i % 100 == 0)
            {
                _clock.Advance(TimeSpan.FromMilliseconds(50));
            }
        }

        Assert.Equal(1, logger.Count(XmppEventIds.MessagesRefused));

        // Quiet for longer than the gap, then a new flood: one more line.
        _clock.Advance(TimeSpan.FromSeconds(30));
        for (int i = 0; i < 1000; i++)
        {
            limit.TryTake(fixture.Sender, "juliet@pi.example"u8);
        }

        Assert.Equal(2, logger.Count(XmppEventIds.MessagesRefused));
    }

    /// <summary>The refused path of the hot path allocates nothing either: a flood costs the node no garbage.</summary>
    [Fact]
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void ParseAndRoute_RefusedFloodAfterWarmUp_AllocatesZeroBytes()
    {
        var fixture = new RoutingFixture();
        var limit = new MessageRateLimit(10, 5, new PairRateTable(10, 5, _clock), _clock, NullLogger.Instance, "192.0.2.1");
        var sink = new System.Buffers.ArrayBufferWriter<byte>(1024 * 1024);
        // A long warm-up: on a busy machine the methods of this path reach their final code late (failed once at 200).
        for (int i = 0; i < 5_000; i++)
        {
            fixture.ParseAndRoute(fixture.Single, limit);
            fixture.ParseAndRoute(fixture.Split, limit);
            fixture.DrainRecipient();
            RoutingFixture.Drain(fixture.Sender);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        int refused = 0;
        for (int i = 0; i < 5_000; i++)
        {
            refused += fixture.ParseAndRoute(fixture.Single, limit) == RouteOutcome.Ignored ? 1 : 0;
            refused += fixture.ParseAndRoute(fixture.Split, limit) == RouteOutcome.Ignored ? 1 : 0;
            fixture.DrainRecipient();
            fixture.Sender.Outbound.TryDrainTo(sink, out _);
            sink.ResetWrittenCount();
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(10_000, refused);
        Assert.Equal(0, allocated);
    }

    private static int Count(string text, string what)
    {
        int count = 0;
        for (int at = text.IndexOf(what, StringComparison.Ordinal); at >= 0; at = text.IndexOf(what, at + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
