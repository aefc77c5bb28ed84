using System.Buffers;
using System.Text;
using EdgeNode.Xmpp.Xml;

namespace EdgeNode.Xmpp.Tests.Xml;

public class XmlStanzaWriterTests
{
    [Fact]
    public void Write_MessageWithBody_ProducesGoldenBytes()
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new XmlStanzaWriter(output);
        writer.WriteStartElement("message"u8);
        writer.WriteAttribute("to"u8, "juliet@pi.example"u8);
        writer.WriteAttribute("type"u8, "chat"u8);
        writer.WriteAttribute("id"u8, "m1"u8);
        writer.WriteElementWithText("body"u8, "It's <3 & \"more\" > less"u8);
        writer.WriteEndElement("message"u8);

        Assert.Equal(0, writer.Depth);
        Assert.Equal(
            "<message to='juliet@pi.example' type='chat' id='m1'><body>It's &lt;3 &amp; \"more\" &gt; less</body></message>",
            Encoding.UTF8.GetString(output.WrittenSpan));
    }

    [Fact]
    public void Write_AttributeWithAllSpecialCharacters_EscapesAllFive()
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new XmlStanzaWriter(output);
        writer.WriteStartElement("x"u8);
        writer.WriteAttribute("v"u8, "a&b<c>d\"e'f"u8);
        writer.WriteEndElement("x"u8);

        Assert.Equal("<x v='a&amp;b&lt;c&gt;d&quot;e&apos;f'/>", Encoding.UTF8.GetString(output.WrittenSpan));
    }

    [Fact]
    public void Write_IqWithNamespacedEmptyChild_SelfClosesChild()
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new XmlStanzaWriter(output);
        writer.WriteStartElement("iq"u8);
        writer.WriteAttribute("type"u8, "get"u8);
        writer.WriteAttribute("id"u8, "r1"u8);
        writer.WriteStartElement("query"u8, "jabber:iq:roster"u8);
        writer.WriteEndElement("query"u8);
        writer.WriteEndElement("iq"u8);

        Assert.Equal("<iq type='get' id='r1'><query xmlns='jabber:iq:roster'/></iq>", Encoding.UTF8.GetString(output.WrittenSpan));
    }

    [Fact]
    public void Write_StreamHeaderAndEnd_LeavesHeaderOpen()
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new XmlStanzaWriter(output);
        writer.WriteRaw("<?xml version='1.0'?>"u8);
        writer.WriteStartElement("stream:stream"u8, "jabber:client"u8);
        writer.WriteAttribute("xmlns:stream"u8, "http://etherx.jabber.org/streams"u8);
        writer.WriteAttribute("from"u8, "pi.example"u8);
        writer.WriteAttribute("version"u8, "1.0"u8);
        writer.CloseStartTagAndForget();
        writer.WriteStartElement("presence"u8);
        writer.WriteEndElement("presence"u8);
        writer.WriteRaw("</stream:stream>"u8);

        Assert.Equal(
            "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' from='pi.example' version='1.0'><presence/></stream:stream>",
            Encoding.UTF8.GetString(output.WrittenSpan));
    }

    [Fact]
    public void Write_Utf16Values_TranscodeIncludingSurrogatePairs()
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new XmlStanzaWriter(output);
        writer.WriteStartElement("body"u8);
        writer.WriteAttribute("xml:lang"u8, "fr".AsSpan());
        writer.WriteText("Caf\u00e9 \U0001F600 & co".AsSpan());
        writer.WriteEndElement("body"u8);

        Assert.Equal("<body xml:lang='fr'>Caf\u00e9 \U0001F600 &amp; co</body>", Encoding.UTF8.GetString(output.WrittenSpan));
    }

    [Fact]
    public void Write_LongUtf16Text_CrossesChunksIntact()
    {
        string text = string.Concat(Enumerable.Repeat("\u00e9\U0001F600<", 400));
        var output = new ArrayBufferWriter<byte>();
        var writer = new XmlStanzaWriter(output);
        writer.WriteStartElement("body"u8);
        writer.WriteText(text.AsSpan());
        writer.WriteEndElement("body"u8);

        Assert.Equal("<body>" + text.Replace("<", "&lt;") + "</body>", Encoding.UTF8.GetString(output.WrittenSpan));
    }

    [Theory]
    [InlineData(new byte[] { 0x00 })]
    [InlineData(new byte[] { 0x01 })]
    [InlineData(new byte[] { 0x08 })]
    [InlineData(new byte[] { 0x0C })]
    [InlineData(new byte[] { 0x1F })]
    [InlineData(new byte[] { 0xEF, 0xBF, 0xBE })]
    [InlineData(new byte[] { 0xEF, 0xBF, 0xBF })]
    [InlineData(new byte[] { 0xFF })]
    [InlineData(new byte[] { 0xC3 })]
    public void WriteText_CharacterXmlCannotCarry_ThrowsArgumentException(byte[] bad)
    {
        var output = new ArrayBufferWriter<byte>();
        Assert.Throws<ArgumentException>(() =>
        {
            var writer = new XmlStanzaWriter(output);
            writer.WriteStartElement("body"u8);
            writer.WriteText(bad);
        });
        Assert.Throws<ArgumentException>(() =>
        {
            var writer = new XmlStanzaWriter(output);
            writer.WriteStartElement("x"u8);
            writer.WriteAttribute("id"u8, bad);
        });
    }

    [Fact]
    public void WriteText_LoneSurrogate_ThrowsArgumentException()
    {
        Assert.Throws<ArgumentException>(() =>
        {
            var writer = new XmlStanzaWriter(new ArrayBufferWriter<byte>());
            writer.WriteStartElement("body"u8);
            writer.WriteText("a\uD800b".AsSpan());
        });
    }

    [Fact]
    public void WriteTextReplacingInvalid_ForbiddenAndInvalid_BecomeReplacementCharacters()
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new XmlStanzaWriter(output);
        writer.WriteStartElement("a"u8);
        writer.WriteAttributeReplacingInvalid("v"u8, [(byte)'\'', 0x01, 0xEF, 0xBF, 0xBE, 0xC0, 0xAF]);
        writer.WriteTextReplacingInvalid([0x00, (byte)'<', 0x7F, 0xEF, 0xBF, 0xBD, 0xE2, 0x82]);
        writer.WriteTextReplacingInvalid("x\ud800y\u001F\ufffe\ud83d\ude00".AsSpan());
        writer.WriteEndElement("a"u8);
        Assert.Equal("<a v='&apos;\uFFFD\uFFFD\uFFFD\uFFFD'>\uFFFD&lt;\u007F\uFFFD\uFFFDx\uFFFDy\uFFFD\uFFFD\U0001F600</a>",
            Encoding.UTF8.GetString(output.WrittenSpan));
    }

    [Fact]
    public void WriteText_TabNewlineAndPrivateUse_AreWrittenAsIs()
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new XmlStanzaWriter(output);
        writer.WriteStartElement("body"u8);
        writer.WriteText("a\tb\nc\uEFFFd"u8);
        writer.WriteEndElement("body"u8);

        Assert.Equal("<body>a\tb\nc\uEFFFd</body>", Encoding.UTF8.GetString(output.WrittenSpan));
    }

    [Fact]
    public void Write_InvalidNameOrOrder_Throws()
    {
        Assert.Throws<ArgumentException>(() => new XmlStanzaWriter(new ArrayBufferWriter<byte>()).WriteStartElement("a b"u8));
        Assert.Throws<ArgumentException>(() => new XmlStanzaWriter(new ArrayBufferWriter<byte>()).WriteStartElement("1a"u8));
        Assert.Throws<ArgumentException>(() => new XmlStanzaWriter(new ArrayBufferWriter<byte>()).WriteStartElement(""u8));
        Assert.Throws<InvalidOperationException>(() => new XmlStanzaWriter(new ArrayBufferWriter<byte>()).WriteAttribute("a"u8, "b"u8));
        Assert.Throws<InvalidOperationException>(() => new XmlStanzaWriter(new ArrayBufferWriter<byte>()).WriteText("b"u8));
        Assert.Throws<InvalidOperationException>(() => new XmlStanzaWriter(new ArrayBufferWriter<byte>()).WriteEndElement("a"u8));
        Assert.Throws<InvalidOperationException>(() =>
        {
            var writer = new XmlStanzaWriter(new ArrayBufferWriter<byte>());
            writer.WriteStartElement("a"u8);
            writer.WriteText("x"u8);
            writer.WriteAttribute("b"u8, "c"u8);
        });
    }

    [Fact]
    public void Write_WrittenStanza_ParsesBackToSameValues()
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new XmlStanzaWriter(output);
        writer.WriteStartElement("message"u8);
        writer.WriteAttribute("to"u8, "a&b@pi.example"u8);
        writer.WriteElementWithText("body"u8, "<&>\"' ]]> done"u8);
        writer.WriteEndElement("message"u8);

        XmlStreamReaderTests.Parse(Encoding.UTF8.GetString(output.WrittenSpan), (ref XmlStreamReader reader) =>
        {
            Assert.True(reader.Element.TryGetAttribute("to"u8, out XmlValue to));
            Assert.True(to.ValueEquals("a&b@pi.example"u8));
            Assert.True(reader.Element.TryGetChild("body"u8, "jabber:client"u8, out XmlElement body));
            Assert.True(body.Text.ValueEquals("<&>\"' ]]> done"u8));
        });
    }

    [Fact]
    public void Write_Steady_AllocatesNothing()
    {
        var output = new ArrayBufferWriter<byte>(4096);
        WriteSample(output);
        output.ResetWrittenCount();

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            WriteSample(output);
            output.ResetWrittenCount();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static void WriteSample(IBufferWriter<byte> output)
    {
        var writer = new XmlStanzaWriter(output);
        writer.WriteStartElement("message"u8);
        writer.WriteAttribute("to"u8, "juliet@pi.example"u8);
        writer.WriteAttribute("from"u8, "romeo@pi.example/orchard".AsSpan());
        writer.WriteElementWithText("body"u8, "Hello & <goodbye>"u8);
        writer.WriteEndElement("message"u8);
    }
}
