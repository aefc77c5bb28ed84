using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using EdgeNode.Core.Routing;
using EdgeNode.Xmpp.Routing;
using EdgeNode.Xmpp.Stanzas;
using EdgeNode.Xmpp.Streams;
using EdgeNode.Xmpp.Xml;

namespace EdgeNode.Benchmarks.Xmpp;

/// <summary>
/// The c2s hot path: one typical &lt;message&gt; parsed from the connection's bytes (whole, and split across two
/// segments), stamped with the sender's address and routed through the core router into an online local session's
/// outbound buffer, which is drained as its connection's pump would. Steady state must show "Allocated: 0 B".
/// </summary>
[MemoryDiagnoser]
public class XmppParseAndRouteBenchmarks
{
    private const string Header =
        "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='pi.example' version='1.0'>";

    private const string Message =
        "<message to='juliet@pi.example' type='chat' id='m1' xml:lang='en'>"
        + "<body>Wherefore art thou, Romeo? &lt;3</body><thread>t1</thread>"
        + "<active xmlns='http://jabber.org/protocol/chatstates'/></message>";

    private readonly XmlStreamContext _context = new();
    private readonly StanzaScratch _scratch = new();
    private readonly ArrayBufferWriter<byte> _sink = new(64 * 1024);
    private Router _router = null!;
    private C2sSession _sender = null!;
    private C2sSession _recipient = null!;
    private XmlStreamState _state;
    private ReadOnlySequence<byte> _single;
    private ReadOnlySequence<byte> _split;

    [GlobalSetup]
    public void Setup()
    {
        _router = new Router("pi.example");
        _router.UseSessionRules(new XmppSessionRules());
        _sender = new C2sSession("romeo@pi.example", "orchard", 1024 * 1024, new Owner());
        _recipient = new C2sSession("juliet@pi.example", "balcony", 1024 * 1024, new Owner());
        _sender.SetAvailable(0, "<presence/>"u8.ToArray());
        _recipient.SetAvailable(0, "<presence/>"u8.ToArray());
        _router.Register(_sender);
        _router.Register(_recipient);

        var reader = new XmlStreamReader(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(Header)), default, _context);
        reader.Read();
        _state = reader.State;
        byte[] message = Encoding.UTF8.GetBytes(Message);
        _single = new ReadOnlySequence<byte>(message);
        _split = Split(message, message.Length / 2);
    }

    [Benchmark(Baseline = true)]
    public int SingleSegment() => ParseAndRoute(_single);

    [Benchmark]
    public int TwoSegments() => ParseAndRoute(_split);

    private int ParseAndRoute(in ReadOnlySequence<byte> data)
    {
        var reader = new XmlStreamReader(data, _state, _context);
        reader.Read();
        RouteOutcome outcome = MessageHandler.Handle(reader.Element, _sender, _router, _scratch);
        _sink.ResetWrittenCount();
        _recipient.Outbound.TryDrainTo(_sink, out int written);
        return (int)outcome + written;
    }

    private static ReadOnlySequence<byte> Split(byte[] data, int at)
    {
        var first = new Segment(data.AsMemory(0, at), 0);
        var second = new Segment(data.AsMemory(at), at);
        first.SetNext(second);
        return new ReadOnlySequence<byte>(first, 0, second, second.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public void SetNext(Segment next) => Next = next;
    }

    private sealed class Owner : ISessionOwner
    {
        public void RequestClose(TargetCloseReason reason)
        {
        }
    }
}
