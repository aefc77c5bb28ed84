using System.Buffers;
using EdgeNode.Xmpp.Xml;

namespace EdgeNode.Xmpp.Tests.Xml;

/// <summary>
/// Plays the part of a connection's PipeReader: bytes arrive in chunks, the reader runs over everything
/// buffered, and consumed bytes are released. Segment boundaries of unconsumed bytes are kept, so split
/// units reach the reader as multi-segment sequences.
/// </summary>
internal sealed class StreamFeeder : IDisposable
{
    private readonly List<ReadOnlyMemory<byte>> _buffered = new();

    public StreamFeeder(XmlStreamOptions? options = null)
    {
        Context = new XmlStreamContext(options);
    }

    public XmlStreamContext Context { get; }

    public XmlStreamState State { get; set; }

    public List<string> Events { get; } = new();

    public long BufferedBytes => _buffered.Sum(part => (long)part.Length);

    public long TotalConsumed { get; private set; }

    public void Feed(ReadOnlySpan<byte> chunk)
    {
        if (!chunk.IsEmpty)
        {
            _buffered.Add(chunk.ToArray());
        }

        Pump();
    }

    /// <summary>Feeds all of <paramref name="data"/>, in pieces of the given sizes (the last one repeats).</summary>
    public void FeedInChunks(ReadOnlySpan<byte> data, Random random, int maxChunk)
    {
        while (!data.IsEmpty)
        {
            int size = Math.Min(data.Length, random.Next(1, maxChunk + 1));
            Feed(data.Slice(0, size));
            data = data.Slice(size);
        }
    }

    public void Dispose() => Context.Dispose();

    private void Pump()
    {
        ReadOnlySequence<byte> buffer = TestSequence.Create(_buffered);
        var reader = new XmlStreamReader(buffer, State, Context);
        bool needMore = false;
        while (!needMore)
        {
            if (reader.Read())
            {
                Events.Add(XmlDescribe.Event(ref reader));
            }
            else
            {
                needMore = true;
            }
        }

        Assert.Equal(buffer.End, reader.Examined);
        State = reader.State;
        long consumed = buffer.Slice(0, reader.Consumed).Length;
        TotalConsumed += consumed;
        Release(consumed);
    }

    private void Release(long consumed)
    {
        while (consumed > 0)
        {
            ReadOnlyMemory<byte> first = _buffered[0];
            if (first.Length <= consumed)
            {
                consumed -= first.Length;
                _buffered.RemoveAt(0);
            }
            else
            {
                _buffered[0] = first.Slice((int)consumed);
                consumed = 0;
            }
        }
    }
}
