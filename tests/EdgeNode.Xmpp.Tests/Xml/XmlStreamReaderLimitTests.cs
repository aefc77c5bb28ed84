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

    [Theory]
    [InlineData(16, false)]
    [InlineData(17, true)]
    public void Read_NamespaceDeclarations_PolicyViolationOnlyPastLimit(int count, bool rejected)
    {
        // Spread over nested elements: the limit is per stanza, not per element or per scope.
        var builder = new StringBuilder("<message>");
        for (int i = 0; i < count; i++)
        {
            builder.Append("<e xmlns:p").Append(i).Append("='urn:").Append(i).Append("'>");
        }

        builder.Insert(builder.Length - 1, "/");
        for (int i = 0; i < count - 1; i++)
        {
            builder.Append("</e>");
        }

        builder.Append("</message>");
        byte[] stream = Utf8(Header + builder);
        if (rejected)
        {
            Assert.Equal(XmlStreamErrorCondition.PolicyViolation, XmlStreamReaderRejectionTests.ReadUntilError(stream));
        }
        else
        {
            using var feeder = new StreamFeeder();
            feeder.Feed(stream);
            Assert.Equal(2, feeder.Events.Count);
        }
    }

    [Fact]
    public void Read_HeaderWithTooManyNamespaceDeclarations_ThrowsPolicyViolation()
    {
        string declarations = string.Concat(Enumerable.Range(0, 17).Select(i => $" xmlns:p{i}='urn:{i}'"));
        string header = "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'" + declarations + ">";
        Assert.Equal(XmlStreamErrorCondition.PolicyViolation, XmlStreamReaderRejectionTests.ReadUntilError(Utf8(header)));
    }

    [Fact]
    public void Read_AfterStanzaWithLongEscapedNamespaces_TrimsDecodedNameBuffer()
    {
        // Every '&amp;' is decoded into the scratch buffer: about 45 KiB of namespace names in one 225 KiB stanza.
        string uri = "urn:" + string.Concat(Enumerable.Repeat("&amp;", 3000));
        string children = string.Concat(Enumerable.Range(0, 15).Select(i => $"<x xmlns='{uri}'/>"));
        using var context = new XmlStreamContext();
        var header = new XmlStreamReader(new ReadOnlySequence<byte>(Utf8(Header)), default, context);
        Assert.True(header.Read());

        var big = new XmlStreamReader(new ReadOnlySequence<byte>(Utf8($"<message>{children}</message>")), header.State, context);
        Assert.True(big.Read());
        Assert.True(context.ScratchCapacity >= 45_000, $"scratch held {context.ScratchCapacity} bytes");

        var small = new XmlStreamReader(new ReadOnlySequence<byte>(Utf8("<message/>")), big.State, context);
        Assert.True(small.Read());
        Assert.True(context.ScratchCapacity <= 4096, $"scratch kept {context.ScratchCapacity} bytes");
    }

    [Fact]
    public void Read_AfterStanzaWithManyScopedDeclarations_TrimsScopeStack()
    {
        string declarations = string.Concat(Enumerable.Range(0, 500).Select(i => $"<e{i} xmlns:p='urn:{i}'>"));
        string ends = string.Concat(Enumerable.Range(0, 500).Reverse().Select(i => $"</e{i}>"));
        using var context = new XmlStreamContext(new XmlStreamOptions { MaxNamespaceDeclarations = 1000, MaxDepth = 1000 });
        var header = new XmlStreamReader(new ReadOnlySequence<byte>(Utf8(Header)), default, context);
        Assert.True(header.Read());

        var big = new XmlStreamReader(new ReadOnlySequence<byte>(Utf8($"<message>{declarations}{ends}</message>")), header.State, context);
        Assert.True(big.Read());
        Assert.True(context.ScopeCapacity >= 500);

        var small = new XmlStreamReader(new ReadOnlySequence<byte>(Utf8("<message/>")), big.State, context);
        Assert.True(small.Read());
        Assert.True(context.ScopeCapacity <= 64, $"scope kept {context.ScopeCapacity} entries");
    }

    [Fact]
    public void Options_DefaultContext_RequiresJabberClient()
    {
        string header = "<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams'>";
        Assert.Equal(XmlStreamErrorCondition.InvalidNamespace, XmlStreamReaderRejectionTests.ReadUntilError(Utf8(header)));
        Assert.True(XmlStreamOptions.ClientToServer.ContentNamespace.Span.SequenceEqual(XmlNamespaces.Client));
        Assert.True(XmlStreamOptions.ServerToServer.ContentNamespace.Span.SequenceEqual(XmlNamespaces.Server));
    }

    [Fact]
    public void Options_ServerToServer_RejectsClientContentNamespace()
    {
        Assert.Equal(
            XmlStreamErrorCondition.InvalidNamespace,
            XmlStreamReaderRejectionTests.ReadUntilError(Utf8(Header), XmlStreamOptions.ServerToServer));
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
