using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;

namespace EdgeNode.Benchmarks.Bridge;

/// <summary>
/// Matrix to XMPP, one message: bob (Matrix) sends an m.room.message through the room actions, as the client API's
/// send endpoint does (one write transaction: the event hashed, signed, stored), into his direct room with alice,
/// who uses XMPP; the Matrix front-end sees it in the write and routes it after the commit to alice's online session,
/// whose buffer is drained as her connection would. Each operation waits until alice's session has the message.
/// [MemoryDiagnoser] counts every thread. On a build whose front-end does not route people's messages yet, the
/// operation is the send alone (the setup says so on the console).
/// </summary>
[MemoryDiagnoser]
public class MatrixToXmppBenchmarks
{
    private BridgeNode _node = null!;
    private string _room = "";
    private bool _routes;
    private int _txn;

    [GlobalSetup]
    public void Setup()
    {
        _node = new BridgeNode();
        // Alice writes first (the front-end makes the pair's room), or bob opens the direct chat himself.
        _node.ParseAndRoute(new System.Buffers.ReadOnlySequence<byte>(
            "<message to='bob@pi.example' type='chat' id='hello'><body>hello</body></message>"u8.ToArray()));
        _room = _node.DirectRoom();
        _node.DrainAlice();
        Send();
        _routes = BridgeNode.WaitUntil(() => _node.AliceSession.Outbound.Length > 0, TimeSpan.FromSeconds(5));
        Console.WriteLine(_routes
            ? "// Matrix to XMPP: bob's events reach alice's XMPP session"
            : "// Matrix to XMPP: NOT ROUTED on this build (the person bridge is a placeholder): the send alone is measured");
        _node.DrainAlice();
    }

    [GlobalCleanup]
    public void Cleanup() => _node.Dispose();

    [Benchmark]
    public int SendAndRoute()
    {
        Send();
        if (_routes && !BridgeNode.WaitUntil(() => _node.AliceSession.Outbound.Length > 0, TimeSpan.FromSeconds(10)))
        {
            throw new InvalidOperationException("bob's event did not reach alice's XMPP session within 10 s");
        }

        return _node.DrainAlice();
    }

    private void Send()
    {
        string txn = "b" + _txn++;
        _node.Server.Write(db => _node.Server.Actions.Send(db, _room, _node.Bob, "m.room.message", null,
            new JsonObject { ["msgtype"] = "m.text", ["body"] = "Wherefore art thou, Romeo? <3" }, "BENCH", txn));
    }
}
