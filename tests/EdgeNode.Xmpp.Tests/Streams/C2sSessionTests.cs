using EdgeNode.Xmpp.Streams;
using EdgeNode.Xmpp.Tests.Offline;

namespace EdgeNode.Xmpp.Tests.Streams;

public class C2sSessionTests
{
    [Fact]
    public void TryAddDirected_BeyondTheBound_RefusesNewAddressesOnly()
    {
        var session = new C2sSession("alice@pi.example", "phone", 64 * 1024, new RecordingOwner());
        for (int i = 0; i < C2sSession.MaxDirectedPresence; i++)
        {
            Assert.True(session.TryAddDirected($"watcher{i}@pi.example"));
        }

        Assert.False(session.TryAddDirected("one-more@pi.example"));
        Assert.True(session.TryAddDirected("watcher7@pi.example"));
        Assert.Equal(C2sSession.MaxDirectedPresence, session.DirectedCount);

        session.RemoveDirected("watcher7@pi.example");
        Assert.True(session.TryAddDirected("one-more@pi.example"));
        Assert.Equal(C2sSession.MaxDirectedPresence, session.TakeDirected().Length);
        Assert.Equal(0, session.DirectedCount);
    }

    [Fact]
    public async Task WhenFlushedAsync_CompletesAtThePositionOrWithFalseWhenOutputStops()
    {
        var session = new C2sSession("alice@pi.example", "phone", 64 * 1024, new RecordingOwner());
        Assert.True(session.Send("<a/>"u8, out long first));
        Assert.True(session.Send("<bb/>"u8, out long second));
        Assert.Equal((4L, 9L), (first, second));

        Task<bool> waiting = session.WhenFlushedAsync(second);
        session.OnFlushed(4);
        Assert.False(waiting.IsCompleted);
        session.OnFlushed(5);
        Assert.True(await waiting);

        Assert.True(session.Send("<c/>"u8, out long third));
        Task<bool> stopped = session.WhenFlushedAsync(third);
        session.OnOutputStopped();
        Assert.False(await stopped);
        Assert.False(await session.WhenFlushedAsync(third));
    }
}
