using System.Buffers;
using System.Text;
using EdgeNode.Xmpp.Xml;

namespace EdgeNode.Xmpp.Tests.Xml;

public class XmlStreamHeaderBindingTests
{
    [Theory]
    [InlineData("<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>", true)]
    [InlineData("<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' xmlns:x='urn:x' version='1.0'>", false)]
    public void HeaderBindsOnlyStreamPrefix_ReportsExtraPrefixes(string header, bool expected)
    {
        using var context = new XmlStreamContext();
        var reader = new XmlStreamReader(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(header)), default, context);
        Assert.True(reader.Read());
        Assert.Equal(expected, context.HeaderBindsOnlyStreamPrefix());
    }
}
