using System.Buffers;
using System.Text;
using EdgeNode.Xmpp.S2s;

namespace EdgeNode.Xmpp.Tests.S2s;

public class ContentNamespaceTests
{
    private static string? Convert(string stanza, bool toServer)
    {
        var output = new ArrayBufferWriter<byte>();
        ReadOnlySpan<byte> from = toServer ? ContentNamespace.Client : ContentNamespace.Server;
        ReadOnlySpan<byte> to = toServer ? ContentNamespace.Server : ContentNamespace.Client;
        return ContentNamespace.TryWrite(Encoding.UTF8.GetBytes(stanza), from, to, output) ? Encoding.UTF8.GetString(output.WrittenSpan) : null;
    }

    [Fact]
    public void TryWrite_ClientStanzaToServer_ReplacesOnlyTheRootDeclaration()
    {
        Assert.Equal(
            "<message xmlns='jabber:server' to='bob@p.test' from='alice@n.test/x'><body>a &gt; b</body>"
            + "<forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client'/></forwarded></message>",
            Convert("<message xmlns='jabber:client' to='bob@p.test' from='alice@n.test/x'><body>a &gt; b</body>"
                + "<forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client'/></forwarded></message>", toServer: true));
    }

    [Fact]
    public void TryWrite_DeclarationAfterOtherAttributesWithQuotesAndAngles_IsFound()
    {
        Assert.Equal("<presence to=\"a@b\" id='x>y' xmlns=\"jabber:server\"/>",
            Convert("<presence to=\"a@b\" id='x>y' xmlns=\"jabber:client\"/>", toServer: true));
    }

    [Fact]
    public void TryWrite_NoDeclaration_AddsOneAfterTheName()
    {
        Assert.Equal("<iq xmlns='jabber:client' type='get' id='1'><ping xmlns='urn:xmpp:ping'/></iq>",
            Convert("<iq type='get' id='1'><ping xmlns='urn:xmpp:ping'/></iq>", toServer: false));
        Assert.Equal("<presence xmlns='jabber:client'/>", Convert("<presence/>", toServer: false));
    }

    [Fact]
    public void TryWrite_AlreadyInTarget_IsUnchanged()
    {
        Assert.Equal("<message xmlns='jabber:server'/>", Convert("<message xmlns='jabber:server'/>", toServer: true));
    }

    [Theory]
    [InlineData("<message xmlns='urn:other'/>")]
    [InlineData("<x:message xmlns:x='jabber:client'/>")]
    [InlineData("message/>")]
    [InlineData("<message to='unterminated/>")]
    public void TryWrite_NotAContentStanza_IsRefused(string stanza)
    {
        Assert.Null(Convert(stanza, toServer: true));
    }
}
