using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using EdgeNode.Core.Routing;
using EdgeNode.Xmpp.Stanzas;
using EdgeNode.Xmpp.Streams;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace EdgeNode.Tests.Routing;

/// <summary>Counts every thread's allocations: nothing else may run in the process meanwhile.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationCollection
{
    public const string Name = "allocation gates (whole process)";
}

/// <summary>
/// The allocation gates of one node with both front-ends on the router (docs/BENCHMARKS.md): XMPP to XMPP and a
/// device reading to XMPP stay at 0 bytes with the Matrix front-end registered; a message to a Matrix user costs a
/// bounded number of bytes (its stored event). Each test is fully optimised from the start: as tier-0 code its
/// measured loop could be replaced on the stack (OSR) mid-run, an allocation of the runtime's own.
/// </summary>
[Collection(AllocationCollection.Name)]
public sealed class CrossProtocolAllocationTests(ITestOutputHelper output)
{
    private const string RomeoToJuliet =
        "<message to='juliet@pi.example' type='chat' id='m1' xml:lang='en'>"
        + "<body>Wherefore art thou, Romeo? &lt;3</body><thread>t1</thread>"
        + "<active xmlns='http://jabber.org/protocol/chatstates'/></message>";

    private const string AliceToBob =
        "<message to='bob@pi.example' type='chat' id='m1' xml:lang='en'>"
        + "<body>Wherefore art thou, Romeo? &lt;3</body><thread>t1</thread>"
        + "<active xmlns='http://jabber.org/protocol/chatstates'/></message>";

    /// <summary>
    /// The c2s gate of MessageRoutingTests again, with the Matrix front-end (a real homeserver on SQLite) registered
    /// on the router: neither party uses Matrix, so asking the front-end must cost nothing.
    /// </summary>
    [Fact]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void ParseAndRoute_XmppToXmppWithMatrixFrontEnd_AllocatesZeroBytes()
    {
        using var node = new OneNodeFixture("alice");
        C2sSession romeo = node.Connect("romeo@pi.example", "orchard");
        C2sSession juliet = node.Connect("juliet@pi.example", "balcony");
        ReadOnlySequence<byte> single = OneNodeFixture.Bytes(RomeoToJuliet);
        ReadOnlySequence<byte> split = OneNodeFixture.SplitBytes(RomeoToJuliet);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 8, 0, 0, 0, TimeSpan.Zero));
        var limit = new MessageRateLimit(1_000_000, 1_000_000, new PairRateTable(1_000_000, 1_000_000, clock), clock,
            NullLogger.Instance, "192.0.2.1");
        for (int i = 0; i < 200; i++)
        {
            node.ParseAndRoute(single, romeo, limit);
            node.ParseAndRoute(split, romeo, limit);
            node.Drain(juliet);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        int delivered = 0;
        int bytes = 0;
        for (int i = 0; i < 5_000; i++)
        {
            delivered += node.ParseAndRoute(single, romeo, limit) == RouteOutcome.Delivered ? 1 : 0;
            delivered += node.ParseAndRoute(split, romeo, limit) == RouteOutcome.Delivered ? 1 : 0;
            bytes += node.Drain(juliet).Length;
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(10_000, delivered);
        Assert.True(bytes >= 10_000 * RomeoToJuliet.Length, $"juliet's connection got {bytes} bytes");
        Assert.Equal(0, node.Reach.Taken);
        Assert.Equal(0, allocated);
    }

    /// <summary>
    /// A device reading (a headline from the device's participant with its readings as fields, as the device service
    /// routes it) to its owner's XMPP session: the element is written from the neutral fields into the session's
    /// buffer, with the Matrix front-end asked first (the owner does not use Matrix). 0 bytes after warm-up.
    /// </summary>
    [Fact]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Route_DeviceReadingToXmppSessionWithMatrixFrontEnd_AllocatesZeroBytes()
    {
        using var node = new OneNodeFixture("alice");
        C2sSession juliet = node.Connect("juliet@pi.example", "balcony");
        byte[] device = "kitchen-plug@pi.example/edgenode"u8.ToArray();
        byte[] owner = "juliet@pi.example"u8.ToArray();
        byte[] body = "Power 42 W, Energy today 0.31 kWh, Voltage 231 V"u8.ToArray();
        StanzaField[] fields = [new("Power", "42", "W"), new("EnergyToday", "0.31", "kWh"), new("Voltage", "231", "V")];

        RouteOutcome Reading() => node.Router.Route(RoutedStanza.Message(MessageType.Headline, device, owner, default, body, default) with
        {
            Origin = StanzaOrigin.Device,
            Fields = fields,
        });

        for (int i = 0; i < 200; i++)
        {
            Reading();
            node.Drain(juliet);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        int delivered = 0;
        int bytes = 0;
        for (int i = 0; i < 10_000; i++)
        {
            delivered += Reading() == RouteOutcome.Delivered ? 1 : 0;
            bytes += node.Drain(juliet).Length;
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(10_000, delivered);
        Reading();
        string written = Encoding.UTF8.GetString(node.Drain(juliet));
        Assert.Contains("<reading name='Power' value='42' unit='W'/>", written);
        Assert.Equal(10_000 * Encoding.UTF8.GetByteCount(written), bytes);
        Assert.Equal(0, allocated);
    }

    /// <summary>
    /// An XMPP message to an account that uses Matrix only: the Matrix front-end keeps it as an event in the two
    /// people's direct room, written on its own loop. Measured over the whole process until every message the
    /// front-end took is stored: what the routing thread allocates per message (the copy handed to the loop) and
    /// everything per message (the stored event: JSON, hashes, signature, SQLite parameters). Both are held under a
    /// fixed bound per message; the figures are printed for docs/BENCHMARKS.md.
    /// </summary>
    [Fact]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void ParseAndRoute_XmppToMatrixUser_AllocatesBoundedBytesPerMessage()
    {
        const int Messages = 500;
        using var node = new OneNodeFixture("bob");
        C2sSession alice = node.Connect("alice@pi.example", "phone");
        ReadOnlySequence<byte> message = OneNodeFixture.Bytes(AliceToBob);
        string sender = node.Server.UserId("alice");

        // Warm-up: the direct room is made on first contact, and every path runs once before measuring.
        for (int i = 0; i < 50; i++)
        {
            node.ParseAndRoute(message, alice);
        }

        WaitUntilStored(node, sender);

        long taken = node.Reach.Taken;
        long total = GC.GetTotalAllocatedBytes(precise: true);
        long thread = GC.GetAllocatedBytesForCurrentThread();
        int kept = 0;
        for (int i = 0; i < Messages; i++)
        {
            RouteOutcome outcome = node.ParseAndRoute(message, alice);
            kept += outcome == RouteOutcome.Delivered ? 1 : 0;
        }

        long routing = GC.GetAllocatedBytesForCurrentThread() - thread;
        long waiting = WaitUntilStored(node, sender);
        long everything = GC.GetTotalAllocatedBytes(precise: true) - total - waiting;
        long took = node.Reach.Taken - taken;

        output.WriteLine($"front-end took {took} of {Messages}; routing thread {routing / (double)Messages:F0} B/message; "
            + $"whole process {everything / (double)Messages:F0} B/message (stored events {node.EventsSentBy(sender)})");
        // The front-end takes every message, and every one counts as delivered, though bob has no XMPP client.
        Assert.Equal(Messages, took);
        Assert.Equal(took, kept);
        Assert.True(routing <= Messages * RoutingBytesPerMessage, $"routing thread: {routing / Messages} B per message");
        Assert.True(everything <= Messages * StoredBytesPerMessage, $"whole process: {everything / Messages} B per message");
    }

    // Bounds for this 35-character body, from the figures of 2026-12-08 (docs/BENCHMARKS.md) with headroom: the routing
    // thread's copy for the front-end's loop (486 B measured) and everything until the event is stored (70.1 KB).
    private const long RoutingBytesPerMessage = 1024;
    private const long StoredBytesPerMessage = 96 * 1024;

    // Waits until every message the front-end took is a stored event; returns what the waiting itself allocated.
    private static long WaitUntilStored(OneNodeFixture node, string sender)
    {
        long start = GC.GetAllocatedBytesForCurrentThread();
        DateTime deadline = DateTime.UtcNow.AddSeconds(60);
        while (node.EventsSentBy(sender) < node.Reach.Taken)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{node.EventsSentBy(sender)} of {node.Reach.Taken} messages stored after 60 s");
            Thread.Sleep(5);
        }

        return GC.GetAllocatedBytesForCurrentThread() - start;
    }
}
