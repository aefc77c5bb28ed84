using System.Buffers;
using System.Text;
using EdgeNode.Xmpp.Xml;
using static EdgeNode.Xmpp.Tests.Xml.XmlSamples;

namespace EdgeNode.Xmpp.Tests.Xml;

public class XmlStreamReaderLimitTests
{
    [Fact]
    public void Read_StanzaExactlyAtSizeLimit_IsAccepted()
    {
        var options = new XmlStreamOptions { MaxStanzaBytes = 1024 };
        byte[] stanza = StanzaOfSize(1024);
        using var feeder = new StreamFeeder(options);
        feeder.Feed(Utf8(Header));
        feeder.Feed(stanza);
        Assert.Equal(2, feeder.Events.Count);
    }

    [Fact]
    public void Read_StanzaOneByteOverSizeLimit_ThrowsPolicyViolation()
    {
        var options = new XmlStreamOptions { MaxStanzaBytes = 1024 };
        byte[] stream = [.. Utf8(Header), .. StanzaOfSize(1025)];
        Assert.Equal(XmlStreamErrorCondition.PolicyViolation, XmlStreamReaderRejectionTests.ReadUntilError(stream, options));
    }

    [Fact]
    public void Read_ManyTinyElementsWithinSizeLimit_ThrowsPolicyViolationAtNodeLimit()
    {
        // 20,000 empty children fit in 256 KiB but would grow the node table to megabytes.
        string children = string.Concat(Enumerable.Repeat("<a/>", 20_000));
        using var context = new XmlStreamContext();
        var header = new XmlStreamReader(new ReadOnlySequence<byte>(Utf8(Header)), default, context);
        Assert.True(header.Read());
        XmlStreamState state = header.State;
        var error = Assert.Throws<XmlStreamException>(() =>
        {
            var reader = new XmlStreamReader(new ReadOnlySequence<byte>(Utf8($"<message>{children}</message>")), state, context);
            reader.Read();
        });
        Assert.Equal(XmlStreamErrorCondition.PolicyViolation, error.Condition);
        Assert.True(context.NodeCapacity <= XmlStreamOptions.ClientToServer.MaxNodes);
    }

    [Fact]
    public void Read_ManyAttributesAcrossElements_ThrowsPolicyViolationAtNodeLimit()
    {
        var options = new XmlStreamOptions { MaxNodes = 32 };
        string children = string.Concat(Enumerable.Repeat("<a b='1' c='2'/>", 20));
        byte[] stream = [.. Utf8(Header), .. Utf8($"<message>{children}</message>")];
        Assert.Equal(XmlStreamErrorCondition.PolicyViolation, XmlStreamReaderRejectionTests.ReadUntilError(stream, options));
    }

    [Fact]
    public void Read_StanzaAtNodeLimit_IsAccepted()
    {
        var options = new XmlStreamOptions { MaxNodes = 64 };
        string children = string.Concat(Enumerable.Repeat("<a/>", 63));
        using var feeder = new StreamFeeder(options);
        feeder.Feed(Utf8(Header));
        feeder.Feed(Utf8($"<message>{children}</message>"));
        Assert.Equal(2, feeder.Events.Count);
    }

    [Fact]
    public void Read_OneMebibyteStanza_RejectedBeforeItIsBuffered()
    {
        const int chunk = 4096;
        byte[] stanza = StanzaOfSize(1024 * 1024);
        using var feeder = new StreamFeeder();
        feeder.Feed(Utf8(Header));
        long peak = 0;
        var error = Assert.Throws<XmlStreamException>(() =>
        {
            for (int offset = 0; offset < stanza.Length; offset += chunk)
            {
                feeder.Feed(stanza.AsSpan(offset, chunk));
                peak = Math.Max(peak, feeder.BufferedBytes);
            }
        });

        Assert.Equal(XmlStreamErrorCondition.PolicyViolation, error.Condition);
        int limit = XmlStreamOptions.ClientToServer.MaxStanzaBytes;
        Assert.True(peak < limit, $"buffered {peak} bytes before rejecting");
        Assert.True(feeder.BufferedBytes <= limit + chunk, $"rejected only at {feeder.BufferedBytes} bytes");
    }

    [Fact]
    public void Read_OverLimitStanzaInOneRead_ThrowsWithoutScanningPastLimit()
    {
        var options = new XmlStreamOptions { MaxStanzaBytes = 100 };
        using var context = new XmlStreamContext(options);
        var header = new XmlStreamReader(new ReadOnlySequence<byte>(Utf8(Header)), default, context);
        Assert.True(header.Read());

        // Past the limit the bytes are garbage; rejecting for size shows the scan never looked at them.
        byte[] data = [.. StanzaOfSize(1000).AsSpan(0, 100), .. new byte[900]];
        XmlStreamState state = header.State;
        var error = Assert.Throws<XmlStreamException>(() =>
        {
            var reader = new XmlStreamReader(new ReadOnlySequence<byte>(data), state, context);
            reader.Read();
        });
        Assert.Equal(XmlStreamErrorCondition.PolicyViolation, error.Condition);
    }

    [Fact]
    public void Read_HeaderOverLimit_ThrowsPolicyViolation()
    {
        var options = new XmlStreamOptions { MaxHeaderBytes = 128 };
        string header = "<stream:stream xmlns:stream='http://etherx.jabber.org/streams' id='" + new string('x', 200) + "'>";
        Assert.Equal(XmlStreamErrorCondition.PolicyViolation, XmlStreamReaderRejectionTests.ReadUntilError(Utf8(header), options));
    }

    [Theory]
    [InlineData(4, false)]
    [InlineData(5, true)]
    public void Read_NestingDepth_PolicyViolationOnlyPastLimit(int depth, bool rejected)
    {
        var options = new XmlStreamOptions { MaxDepth = 4 };
        var builder = new StringBuilder();
        for (int i = 0; i < depth; i++)
        {
            builder.Append("<e").Append(i).Append('>');
        }

        for (int i = depth - 1; i >= 0; i--)
        {
            builder.Append("</e").Append(i).Append('>');
        }

        byte[] stream = Utf8(Header + builder);
        if (rejected)
        {
            Assert.Equal(XmlStreamErrorCondition.PolicyViolation, XmlStreamReaderRejectionTests.ReadUntilError(stream, options));
        }
        else
        {
            using var feeder = new StreamFeeder(options);
            feeder.Feed(stream);
            Assert.Equal(2, feeder.Events.Count);
        }
    }

    [Theory]
    [InlineData(5, false)]
    [InlineData(6, true)]
    public void Read_AttributeCount_PolicyViolationOnlyPastLimit(int count, bool rejected)
    {
        // Five, because the sample header carries five attributes (namespace declarations count).
        var options = new XmlStreamOptions { MaxAttributes = 5 };
        var builder = new StringBuilder("<message");
        for (int i = 0; i < count; i++)
        {
            builder.Append(" a").Append(i).Append("='v'");
        }

        builder.Append("/>");
        byte[] stream = Utf8(Header + builder);
        if (rejected)
        {
            Assert.Equal(XmlStreamErrorCondition.PolicyViolation, XmlStreamReaderRejectionTests.ReadUntilError(stream, options));
        }
        else
        {
            using var feeder = new StreamFeeder(options);
            feeder.Feed(stream);
            Assert.Equal(2, feeder.Events.Count);
        }
    }

    [Fact]
    public void Options_LimitTooSmall_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new XmlStreamContext(new XmlStreamOptions { MaxDepth = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new XmlStreamContext(new XmlStreamOptions { MaxStanzaBytes = 1 }));
    }

    /// <summary>A &lt;message&gt; whose body pads it to exactly <paramref name="size"/> bytes.</summary>
    internal static byte[] StanzaOfSize(int size)
    {
        const string open = "<message><body>";
        const string close = "</body></message>";
        return Utf8(open + new string('a', size - open.Length - close.Length) + close);
    }
}
