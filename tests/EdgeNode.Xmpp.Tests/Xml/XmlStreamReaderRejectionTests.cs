using System.Buffers;
using EdgeNode.Xmpp.Xml;
using static EdgeNode.Xmpp.Tests.Xml.XmlSamples;

namespace EdgeNode.Xmpp.Tests.Xml;

public class XmlStreamReaderRejectionTests
{
    [Theory]
    [InlineData("<!DOCTYPE stream>" + Header, XmlStreamErrorCondition.RestrictedXml)]
    [InlineData("<?xml version='1.0'?><!DOCTYPE stream [<!ENTITY x 'y'>]>", XmlStreamErrorCondition.RestrictedXml)]
    [InlineData("<!-- hello -->" + Header, XmlStreamErrorCondition.RestrictedXml)]
    [InlineData("<?xml-stylesheet href='a'?>" + Header, XmlStreamErrorCondition.RestrictedXml)]
    [InlineData(" <?xml version='1.0'?>" + Header, XmlStreamErrorCondition.RestrictedXml)]
    [InlineData(Declaration + Declaration + Header, XmlStreamErrorCondition.RestrictedXml)]
    [InlineData("<?xml version='1.0' encoding='ISO-8859-1'?>" + Header, XmlStreamErrorCondition.UnsupportedEncoding)]
    [InlineData("<?xml version='2.0'?>" + Header, XmlStreamErrorCondition.NotWellFormed)]
    [InlineData("<?xml encoding='UTF-8'?>" + Header, XmlStreamErrorCondition.NotWellFormed)]
    [InlineData("hello" + Header, XmlStreamErrorCondition.NotWellFormed)]
    [InlineData("<stream:stream xmlns:stream='urn:wrong'>", XmlStreamErrorCondition.InvalidNamespace)]
    [InlineData("<stream xmlns='jabber:client'>", XmlStreamErrorCondition.InvalidNamespace)]
    [InlineData("<stream:stream xmlns='http://etherx.jabber.org/streams' xmlns:stream='http://etherx.jabber.org/streams'>", XmlStreamErrorCondition.InvalidNamespace)]
    [InlineData("<stream:stream>", XmlStreamErrorCondition.NotWellFormed)]
    [InlineData("<stream:features xmlns:stream='http://etherx.jabber.org/streams'>", XmlStreamErrorCondition.BadFormat)]
    [InlineData("<stream:stream xmlns:stream='http://etherx.jabber.org/streams'/>", XmlStreamErrorCondition.BadFormat)]
    [InlineData("<stream:stream xmlns:stream='http://etherx.jabber.org/streams' a='1' a='2'>", XmlStreamErrorCondition.NotWellFormed)]
    public void Read_BadProlog_ThrowsCondition(string stream, XmlStreamErrorCondition expected)
    {
        Assert.Equal(expected, ReadUntilError(Utf8(stream)));
    }

    [Theory]
    [InlineData("<!-- keepalive -->", XmlStreamErrorCondition.RestrictedXml)]
    [InlineData("<?pi data?>", XmlStreamErrorCondition.RestrictedXml)]
    [InlineData("<?xml version='1.0'?>", XmlStreamErrorCondition.RestrictedXml)]
    [InlineData("<!DOCTYPE x>", XmlStreamErrorCondition.RestrictedXml)]
    [InlineData("<![CDATA[x]]>", XmlStreamErrorCondition.BadFormat)]
    [InlineData("hello", XmlStreamErrorCondition.BadFormat)]
    [InlineData("</stream:features>", XmlStreamErrorCondition.NotWellFormed)]
    [InlineData("</stream:stream x='1'>", XmlStreamErrorCondition.NotWellFormed)]
    [InlineData("<message><!-- c --></message>", XmlStreamErrorCondition.RestrictedXml)]
    [InlineData("<message><?pi x?></message>", XmlStreamErrorCondition.RestrictedXml)]
    [InlineData("<message><!DOCTYPE x></message>", XmlStreamErrorCondition.RestrictedXml)]
    [InlineData("<message><!ENTITY x 'y'></message>", XmlStreamErrorCondition.RestrictedXml)]
    [InlineData("<message><body>&nbsp;</body></message>", XmlStreamErrorCondition.RestrictedXml)]
    [InlineData("<message><body>&#65;</body></message>", XmlStreamErrorCondition.RestrictedXml)]
    [InlineData("<message><body>&#x41;</body></message>", XmlStreamErrorCondition.RestrictedXml)]
    [InlineData("<message to='&ent;'/>", XmlStreamErrorCondition.RestrictedXml)]
    [InlineData("<message to='&#60;'/>", XmlStreamErrorCondition.RestrictedXml)]
    [InlineData("<message><body>a & b</body></message>", XmlStreamErrorCondition.NotWellFormed)]
    [InlineData("<message><body>a &amp b</body></message>", XmlStreamErrorCondition.NotWellFormed)]
    [InlineData("<message><body>a ]]> b</body></message>", XmlStreamErrorCondition.NotWellFormed)]
    [InlineData("<message><body></message></body>", XmlStreamErrorCondition.NotWellFormed)]
    [InlineData("<message><body></bodx></message>", XmlStreamErrorCondition.NotWellFormed)]
    [InlineData("<message id='1' id='2'/>", XmlStreamErrorCondition.NotWellFormed)]
    [InlineData("<message xmlns:a='urn:x' xmlns:b='urn:x' a:k='1' b:k='2'/>", XmlStreamErrorCondition.NotWellFormed)]
    [InlineData("<message id=1/>", XmlStreamErrorCondition.NotWellFormed)]
    [InlineData("<message id='1'type='chat'/>", XmlStreamErrorCondition.NotWellFormed)]
    [InlineData("<message id='<'/>", XmlStreamErrorCondition.NotWellFormed)]
    [InlineData("<message id='1' / >", XmlStreamErrorCondition.NotWellFormed)]
    [InlineData("< message/>", XmlStreamErrorCondition.NotWellFormed)]
    [InlineData("<message><1/></message>", XmlStreamErrorCondition.NotWellFormed)]
    [InlineData("<a:b:c/>", XmlStreamErrorCondition.NotWellFormed)]
    [InlineData("<message><![CDATX[x]]></message>", XmlStreamErrorCondition.NotWellFormed)]
    [InlineData("<foo:message/>", XmlStreamErrorCondition.NotWellFormed)]
    [InlineData("<message><foo:body/></message>", XmlStreamErrorCondition.NotWellFormed)]
    [InlineData("<message foo:id='1'/>", XmlStreamErrorCondition.NotWellFormed)]
    [InlineData("<message><x xmlns:p='urn:p'/><p:y/></message>", XmlStreamErrorCondition.NotWellFormed)]
    [InlineData("<message xmlns:p=''/>", XmlStreamErrorCondition.NotWellFormed)]
    [InlineData("<message xmlns:xml='urn:other'/>", XmlStreamErrorCondition.NotWellFormed)]
    [InlineData("<xmlns:message/>", XmlStreamErrorCondition.NotWellFormed)]
    public void Read_BadStanza_ThrowsCondition(string stanza, XmlStreamErrorCondition expected)
    {
        Assert.Equal(expected, ReadUntilError(Utf8(Header + stanza)));
    }

    [Theory]
    [InlineData(new byte[] { 0xFF })]
    [InlineData(new byte[] { 0xC0, 0x80 })]
    [InlineData(new byte[] { 0xE2, 0x82 })]
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })]
    [InlineData(new byte[] { 0xF4, 0x90, 0x80, 0x80 })]
    public void Read_InvalidUtf8InStanza_ThrowsUnsupportedEncoding(byte[] bad)
    {
        byte[] stream = [.. Utf8(Header + "<message><body>"), .. bad, .. Utf8("</body></message>")];
        Assert.Equal(XmlStreamErrorCondition.UnsupportedEncoding, ReadUntilError(stream));
    }

    [Fact]
    public void Read_InvalidUtf8InHeader_ThrowsUnsupportedEncoding()
    {
        byte[] stream = [.. Utf8("<stream:stream xmlns:stream='http://etherx.jabber.org/streams' to='"), 0xC3, .. Utf8("'>")];
        Assert.Equal(XmlStreamErrorCondition.UnsupportedEncoding, ReadUntilError(stream));
    }

    [Theory]
    [InlineData(new byte[] { 0x00 })]
    [InlineData(new byte[] { 0x01 })]
    [InlineData(new byte[] { 0x08 })]
    [InlineData(new byte[] { 0x0B })]
    [InlineData(new byte[] { 0x1F })]
    [InlineData(new byte[] { 0xEF, 0xBF, 0xBE })]
    [InlineData(new byte[] { 0xEF, 0xBF, 0xBF })]
    public void Read_CharacterNotAllowedInXml_ThrowsNotWellFormed(byte[] bad)
    {
        byte[] stream = [.. Utf8(Header + "<message id='"), .. bad, .. Utf8("'/>")];
        Assert.Equal(XmlStreamErrorCondition.NotWellFormed, ReadUntilError(stream));
    }

    [Fact]
    public void Read_AllowedNonAsciiAndWhitespaceCharacters_AreAccepted()
    {
        using var feeder = new StreamFeeder();
        feeder.Feed(Utf8(Header + "<message><body>\t\u00e9\u20ac\uFFFD\U0001F600\uEFFF\r\n</body></message>"));
        Assert.Equal(2, feeder.Events.Count);
    }

    [Fact]
    public void Read_ContentNamespaceNotTheExpectedOne_ThrowsInvalidNamespace()
    {
        var options = new XmlStreamOptions { ContentNamespace = Utf8("jabber:server") };
        Assert.Equal(XmlStreamErrorCondition.InvalidNamespace, ReadUntilError(Utf8(Header), options));
        Assert.Equal(
            XmlStreamErrorCondition.InvalidNamespace,
            ReadUntilError(Utf8("<stream:stream xmlns:stream='http://etherx.jabber.org/streams'>"), options));
    }

    [Fact]
    public void Read_ContentNamespaceAsExpected_IsAccepted()
    {
        var options = new XmlStreamOptions { ContentNamespace = Utf8("jabber:client") };
        using var feeder = new StreamFeeder(options);
        feeder.Feed(Utf8(Header));
        Assert.Single(feeder.Events);
    }

    [Theory]
    [InlineData("<message xmlns:x='http://www.w3.org/2000/xmlns/'/>")]
    [InlineData("<message><x xmlns='http://www.w3.org/2000/xmlns/'/></message>")]
    [InlineData("<message><x xmlns='http://www.w3.org/XML/1998/namespace'/></message>")]
    [InlineData("<message xmlns:x='http://www.w3.org/XML/1998/namespace'/>")]
    public void Read_ReservedNamespaceDeclared_ThrowsNotWellFormed(string stanza)
    {
        Assert.Equal(XmlStreamErrorCondition.NotWellFormed, ReadUntilError(Utf8(Header + stanza)));
    }

    [Fact]
    public void Read_XmlPrefixBoundToXmlNamespace_IsAccepted()
    {
        using var feeder = new StreamFeeder();
        feeder.Feed(Utf8(Header + "<message xmlns:xml='http://www.w3.org/XML/1998/namespace' xml:lang='en'/>"));
        Assert.Equal(2, feeder.Events.Count);
    }

    [Fact]
    public void Read_DataAfterStreamEnd_ThrowsNotWellFormed()
    {
        Assert.Equal(XmlStreamErrorCondition.NotWellFormed, ReadUntilError(Utf8(Header + End + "<message/>")));
    }

    [Fact]
    public void ConditionName_EveryCondition_IsTheRfcElementName()
    {
        Assert.True(XmlStreamErrorConditions.GetName(XmlStreamErrorCondition.RestrictedXml).SequenceEqual("restricted-xml"u8));
        Assert.True(XmlStreamErrorConditions.GetName(XmlStreamErrorCondition.NotWellFormed).SequenceEqual("not-well-formed"u8));
        Assert.True(XmlStreamErrorConditions.GetName(XmlStreamErrorCondition.PolicyViolation).SequenceEqual("policy-violation"u8));
        Assert.True(XmlStreamErrorConditions.GetName(XmlStreamErrorCondition.InvalidNamespace).SequenceEqual("invalid-namespace"u8));
        Assert.True(XmlStreamErrorConditions.GetName(XmlStreamErrorCondition.UnsupportedEncoding).SequenceEqual("unsupported-encoding"u8));
        Assert.True(XmlStreamErrorConditions.GetName(XmlStreamErrorCondition.BadFormat).SequenceEqual("bad-format"u8));
    }

    /// <summary>
    /// Reads the stream whole and byte by byte; both must fail with the same condition, so rejection does
    /// not depend on how the bytes arrive.
    /// </summary>
    internal static XmlStreamErrorCondition ReadUntilError(byte[] stream, XmlStreamOptions? options = null)
    {
        XmlStreamErrorCondition whole = ReadWhole(stream, options);
        using var feeder = new StreamFeeder(options);
        var error = Assert.Throws<XmlStreamException>(() =>
        {
            foreach (byte b in stream)
            {
                feeder.Feed([b]);
            }
        });
        Assert.Equal(whole, error.Condition);
        return whole;
    }

    private static XmlStreamErrorCondition ReadWhole(byte[] stream, XmlStreamOptions? options)
    {
        using var context = new XmlStreamContext(options);
        var error = Assert.Throws<XmlStreamException>(() =>
        {
            var reader = new XmlStreamReader(new ReadOnlySequence<byte>(stream), default, context);
            while (reader.Read())
            {
            }
        });
        return error.Condition;
    }
}
