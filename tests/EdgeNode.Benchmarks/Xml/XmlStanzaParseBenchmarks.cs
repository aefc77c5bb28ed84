using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using EdgeNode.Xmpp.Xml;

namespace EdgeNode.Benchmarks.Xml;

/// <summary>Parse of one typical &lt;message&gt; stanza on an open stream, whole and split in two segments.</summary>
[MemoryDiagnoser]
public class XmlStanzaParseBenchmarks
{
    private const string Header =
        "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='pi.example' version='1.0'>";

    private const string Message =
        "<message to='juliet@pi.example' from='romeo@pi.example/orchard' type='chat' id='m1' xml:lang='en'>"
        + "<body>Wherefore art thou, Romeo? &lt;3</body><thread>t1</thread>"
        + "<active xmlns='http://jabber.org/protocol/chatstates'/></message>";

    private readonly XmlStreamContext _context = new();
    private ReadOnlySequence<byte> _single;
    private ReadOnlySequence<byte> _split;
    private XmlStreamState _state;

    [GlobalSetup]
    public void Setup()
    {
        byte[] message = Encoding.UTF8.GetBytes(Message);
        _single = new ReadOnlySequence<byte>(message);
        _split = Split(message, message.Length / 2);

        var reader = new XmlStreamReader(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(Header)), default, _context);
        reader.Read();
        _state = reader.State;
    }

    [Benchmark(Baseline = true)]
    public int SingleSegment() => Parse(_single);

    [Benchmark]
    public int TwoSegments() => Parse(_split);

    // Reads the stanza and does what a router looks at: names, addresses and the body.
    private int Parse(ReadOnlySequence<byte> data)
    {
        var reader = new XmlStreamReader(data, _state, _context);
        reader.Read();
        XmlElement message = reader.Element;
        int result = message.Is("message"u8, "jabber:client"u8) ? 1 : 0;
        if (message.TryGetAttribute("to"u8, out XmlValue to) && to.ValueEquals("juliet@pi.example"u8))
        {
            result++;
        }

        if (message.TryGetChild("body"u8, "jabber:client"u8, out XmlElement body))
        {
            result += body.Text.GetDecodedLength();
        }

        return result;
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
}
