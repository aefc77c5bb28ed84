namespace EdgeNode.Xmpp.Extensions;

/// <summary>What the server's disco#info lists (XEP-0030): the features this build implements, and no others.</summary>
public static class ServerFeatures
{
    public static IReadOnlyList<string> For(bool registration) =>
    [
        "http://jabber.org/protocol/disco#info",
        "http://jabber.org/protocol/disco#items",
        "urn:xmpp:ping",
        "jabber:iq:version",
        "urn:xmpp:time",
        "vcard-temp",
        "urn:xmpp:carbons:2",
        "msgoffline",
        .. registration ? (string[])["jabber:iq:register"] : [],
    ];
}
