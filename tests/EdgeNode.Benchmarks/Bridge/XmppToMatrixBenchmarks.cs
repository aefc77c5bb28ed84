using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using EdgeNode.Core.Routing;

namespace EdgeNode.Benchmarks.Bridge;

/// <summary>
/// XMPP to Matrix, one message: alice's client sends a chat message to bob, who uses Matrix only. It is parsed from
/// the connection's bytes, routed, handed to the Matrix front-end, and written as an m.room.message event into the
/// two people's direct room (hashed, signed, stored in SQLite) on the front-end's own loop; each operation waits
/// until that event is committed (the stream position moves), so the time and the allocations (every thread's,
/// [MemoryDiagnoser] counts the whole process) are the whole cost of one message.
/// </summary>
[MemoryDiagnoser]
public class XmppToMatrixBenchmarks
{
    private const string Message =
        "<message to='bob@pi.example' type='chat' id='m1' xml:lang='en'>"
        + "<body>Wherefore art thou, Romeo? &lt;3</body><thread>t1</thread>"
        + "<active xmlns='http://jabber.org/protocol/chatstates'/></message>";

    private BridgeNode _node = null!;
    private ReadOnlySequence<byte> _message;

    [GlobalSetup]
    public void Setup()
    {
        _node = new BridgeNode();
        _message = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(Message));
        // First contact makes the direct room; that is not the steady state.
        RouteAndStore();
        _node.DirectRoom();
    }

    [GlobalCleanup]
    public void Cleanup() => _node.Dispose();

    [Benchmark]
    public long RouteAndStore()
    {
        long taken = _node.Reach.Taken;
        long position = _node.Server.Clock.Current;
        RouteOutcome outcome = _node.ParseAndRoute(_message);
        _node.DrainAlice();
        if (_node.Reach.Taken != taken && !BridgeNode.WaitUntil(() => _node.Server.Clock.Current > position, TimeSpan.FromSeconds(10)))
        {
            throw new InvalidOperationException("the Matrix front-end took the message but stored nothing within 10 s");
        }

        return (long)outcome + _node.Server.Clock.Current;
    }
}
