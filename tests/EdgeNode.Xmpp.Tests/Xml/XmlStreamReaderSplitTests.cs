using System.Buffers;
using EdgeNode.Xmpp.Xml;
using static EdgeNode.Xmpp.Tests.Xml.XmlSamples;

namespace EdgeNode.Xmpp.Tests.Xml;

public class XmlStreamReaderSplitTests
{
    private static readonly byte[] s_stream = FullStream();
    private static readonly List<string> s_expected = ReadWhole(s_stream);

    [Fact]
    public void Read_TruncatedAtEveryByte_NeedsMoreAndConsumesNoPartialUnit()
    {
        for (int cut = 0; cut <= s_stream.Length; cut++)
        {
            using var context = new XmlStreamContext();
            var prefix = new ReadOnlySequence<byte>(s_stream, 0, cut);
            var reader = new XmlStreamReader(prefix, default, context);
            int events = 0;
            while (reader.Read())
            {
                events++;
            }

            Assert.Equal(prefix.End, reader.Examined);
            long consumed = prefix.Slice(0, reader.Consumed).Length;
            Assert.Equal(CompleteUnitsWithin(cut), events);
            Assert.True(IsUnitBoundary(consumed), $"cut {cut}: consumed {consumed} is inside a unit");

            // The rest, given to the next reader with the carried state, yields exactly the remaining units.
            var restReader = new XmlStreamReader(new ReadOnlySequence<byte>(s_stream, (int)consumed, s_stream.Length - (int)consumed), reader.State, context);
            int restEvents = 0;
            while (restReader.Read())
            {
                restEvents++;
            }

            Assert.Equal(s_expected.Count, events + restEvents);
        }
    }

    [Fact]
    public void Read_StanzaTruncatedAtEveryByte_ConsumesNothing()
    {
        byte[] header = Utf8(Header);
        foreach (string stanza in XmlSamples.Stanzas)
        {
            byte[] bytes = Utf8(stanza);
            using var context = new XmlStreamContext();
            var headerReader = new XmlStreamReader(new ReadOnlySequence<byte>(header), default, context);
            Assert.True(headerReader.Read());
            XmlStreamState state = headerReader.State;

            for (int cut = 0; cut < bytes.Length; cut++)
            {
                var partial = new ReadOnlySequence<byte>(bytes, 0, cut);
                var reader = new XmlStreamReader(partial, state, context);
                Assert.False(reader.Read());
                Assert.Equal(partial.Start, reader.Consumed);
                Assert.Equal(partial.End, reader.Examined);
            }
        }
    }

    [Fact]
    public void Read_RandomTwoSegmentSplits_MatchContiguousRead()
    {
        var random = new Random(6120);
        for (int i = 0; i < 500; i++)
        {
            int point = random.Next(0, s_stream.Length + 1);
            Assert.Equal(s_expected, ReadSequence(TestSequence.Split(s_stream, point)));
        }
    }

    [Fact]
    public void Read_RandomThreeSegmentSplits_MatchContiguousRead()
    {
        var random = new Random(3920);
        for (int i = 0; i < 500; i++)
        {
            int a = random.Next(0, s_stream.Length + 1);
            int b = random.Next(0, s_stream.Length + 1);
            Assert.Equal(s_expected, ReadSequence(TestSequence.Split(s_stream, a, b)));
        }
    }

    [Fact]
    public void Read_RandomChunkArrivals_MatchContiguousRead()
    {
        var random = new Random(7622);
        for (int i = 0; i < 200; i++)
        {
            using var feeder = new StreamFeeder();
            feeder.FeedInChunks(s_stream, random, maxChunk: 1 + random.Next(40));
            Assert.Equal(s_expected, feeder.Events);
            Assert.Equal(0, feeder.BufferedBytes);
        }
    }

    [Fact]
    public void Read_ByteAtATime_MatchContiguousRead()
    {
        using var feeder = new StreamFeeder();
        foreach (byte b in s_stream)
        {
            feeder.Feed([b]);
        }

        Assert.Equal(s_expected, feeder.Events);
    }

    [Fact]
    public void Read_ResumedScan_DoesNotRescanFromUnitStart()
    {
        byte[] header = Utf8(Header);
        using var context = new XmlStreamContext();
        var headerReader = new XmlStreamReader(new ReadOnlySequence<byte>(header), default, context);
        Assert.True(headerReader.Read());
        XmlStreamState state = headerReader.State;

        byte[] bytes = Utf8(Message);
        var first = new XmlStreamReader(new ReadOnlySequence<byte>(bytes, 0, 40), state, context);
        Assert.False(first.Read());
        Assert.Equal(40, first.State.Offset);

        // The stanza's second read ends just after a '<', which needs one more byte to classify: the scan
        // stops before it and resumes there.
        int lt = Message.IndexOf("<body>", StringComparison.Ordinal);
        var second = new XmlStreamReader(new ReadOnlySequence<byte>(bytes, 0, lt + 1), first.State, context);
        Assert.False(second.Read());
        Assert.Equal(lt, second.State.Offset);

        var third = new XmlStreamReader(new ReadOnlySequence<byte>(bytes), second.State, context);
        Assert.True(third.Read());
        Assert.Equal(XmlStreamEvent.Stanza, third.Event);
        Assert.Equal(0, third.State.Offset);
    }

    private static List<string> ReadWhole(byte[] data) => ReadSequence(new ReadOnlySequence<byte>(data));

    private static List<string> ReadSequence(ReadOnlySequence<byte> data)
    {
        using var context = new XmlStreamContext();
        var reader = new XmlStreamReader(data, default, context);
        var events = new List<string>();
        while (reader.Read())
        {
            events.Add(XmlDescribe.Event(ref reader));
        }

        Assert.Equal(data.End, reader.Consumed);
        return events;
    }

    // Ends of the units in the sample stream: the header, each stanza, and the end tag.
    private static List<int> UnitEnds()
    {
        var ends = new List<int>();
        int offset = Declaration.Length + Header.Length;
        ends.Add(offset);
        foreach (string stanza in XmlSamples.Stanzas)
        {
            offset += Utf8(stanza).Length;
            ends.Add(offset);
            offset += 2;
        }

        ends.Add(offset + End.Length);
        return ends;
    }

    private static int CompleteUnitsWithin(int cut) => UnitEnds().Count(end => end <= cut);

    private static bool IsUnitBoundary(long consumed)
    {
        // Consumed may stop at the declaration's end, at a unit's end, or past whitespace after one.
        if (consumed == 0 || consumed == Declaration.Length)
        {
            return true;
        }

        foreach (int end in UnitEnds())
        {
            if (consumed >= end && consumed <= end + 2)
            {
                return true;
            }
        }

        return false;
    }
}
