using System.Text;

namespace EdgeNode.Xmpp.Tests.Xml;

internal static class XmlSamples
{
    public const string Declaration = "<?xml version='1.0'?>";

    /// <summary>Limits with no required content namespace, for tests of the reader itself on any stream.</summary>
    public static readonly EdgeNode.Xmpp.Xml.XmlStreamOptions AnyContentNamespace = new();

    public const string Header =
        "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' "
        + "to='pi.example' version='1.0' xml:lang='en'>";

    public const string Message =
        "<message to='juliet@pi.example' from='romeo@pi.example/orchard' type='chat' id='m1'>"
        + "<body>Wherefore art thou, Romeo? &lt;3 &amp; more</body><thread>t1</thread></message>";

    public const string Presence =
        "<presence><show>away</show><status xml:lang='en'>Out &apos;til 5</status><priority>5</priority></presence>";

    public const string Iq = "<iq type='get' id='r1'><query xmlns='jabber:iq:roster'/></iq>";

    public const string Features =
        "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features>";

    public const string XhtmlIm =
        "<message to='a@pi.example'><html xmlns='http://jabber.org/protocol/xhtml-im'>"
        + "<body xmlns='http://www.w3.org/1999/xhtml'><p style=\"font-weight:bold\">Hi <strong>there</strong>!</p></body></html></message>";

    public const string PrefixedChild =
        "<iq type='set' id='p1'><pubsub xmlns='http://jabber.org/protocol/pubsub'><publish node='n'>"
        + "<item><e:entry xmlns:e='urn:example:entry' e:kind='note'>x &quot;y&quot;</e:entry></item></publish></pubsub></iq>";

    public const string CData = "<message id='c'><body>a<![CDATA[<not markup> & ]]]>b</body></message>";

    public const string End = "</stream:stream>";

    public static readonly string[] Stanzas = [Message, Presence, Iq, Features, XhtmlIm, PrefixedChild, CData];

    /// <summary>A whole stream: declaration, header, every sample stanza with keepalives between, end.</summary>
    public static byte[] FullStream()
    {
        var builder = new StringBuilder();
        builder.Append(Declaration).Append(Header);
        foreach (string stanza in Stanzas)
        {
            builder.Append(stanza).Append("\n ");
        }

        builder.Append(End);
        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    public static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);
}
