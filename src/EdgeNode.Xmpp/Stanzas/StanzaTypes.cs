using EdgeNode.Core.Routing;
using EdgeNode.Xmpp.Xml;

namespace EdgeNode.Xmpp.Stanzas;

/// <summary>Maps the type attribute of a stanza to the router's enums, byte for byte.</summary>
internal static class StanzaTypes
{
    public static bool TryMessage(XmlElement stanza, out MessageType type)
    {
        type = MessageType.Normal;
        if (!stanza.TryGetAttribute(XmppNames.Type, out XmlValue value))
        {
            return true;
        }

        ReadOnlySpan<byte> raw = value.Raw;
        if (raw.SequenceEqual("chat"u8)) type = MessageType.Chat;
        else if (raw.SequenceEqual("normal"u8)) type = MessageType.Normal;
        else if (raw.SequenceEqual("groupchat"u8)) type = MessageType.Groupchat;
        else if (raw.SequenceEqual("headline"u8)) type = MessageType.Headline;
        else if (raw.SequenceEqual("error"u8)) type = MessageType.Error;
        else return false;
        return true;
    }

    public static bool TryPresence(XmlElement stanza, out PresenceType type)
    {
        type = PresenceType.Available;
        if (!stanza.TryGetAttribute(XmppNames.Type, out XmlValue value))
        {
            return true;
        }

        ReadOnlySpan<byte> raw = value.Raw;
        if (raw.SequenceEqual("unavailable"u8)) type = PresenceType.Unavailable;
        else if (raw.SequenceEqual("subscribe"u8)) type = PresenceType.Subscribe;
        else if (raw.SequenceEqual("subscribed"u8)) type = PresenceType.Subscribed;
        else if (raw.SequenceEqual("unsubscribe"u8)) type = PresenceType.Unsubscribe;
        else if (raw.SequenceEqual("unsubscribed"u8)) type = PresenceType.Unsubscribed;
        else if (raw.SequenceEqual("probe"u8)) type = PresenceType.Probe;
        else if (raw.SequenceEqual("error"u8)) type = PresenceType.Error;
        else return false;
        return true;
    }

    public static bool TryIq(XmlElement stanza, out IqType type)
    {
        type = IqType.Get;
        if (!stanza.TryGetAttribute(XmppNames.Type, out XmlValue value))
        {
            return false;
        }

        ReadOnlySpan<byte> raw = value.Raw;
        if (raw.SequenceEqual("get"u8)) type = IqType.Get;
        else if (raw.SequenceEqual("set"u8)) type = IqType.Set;
        else if (raw.SequenceEqual("result"u8)) type = IqType.Result;
        else if (raw.SequenceEqual("error"u8)) type = IqType.Error;
        else return false;
        return true;
    }

    public static ReadOnlySpan<byte> Name(MessageType type) => type switch
    {
        MessageType.Chat => "chat"u8,
        MessageType.Groupchat => "groupchat"u8,
        MessageType.Headline => "headline"u8,
        MessageType.Error => "error"u8,
        _ => "normal"u8,
    };

    public static ReadOnlySpan<byte> Name(PresenceType type) => type switch
    {
        PresenceType.Unavailable => "unavailable"u8,
        PresenceType.Subscribe => "subscribe"u8,
        PresenceType.Subscribed => "subscribed"u8,
        PresenceType.Unsubscribe => "unsubscribe"u8,
        PresenceType.Unsubscribed => "unsubscribed"u8,
        PresenceType.Probe => "probe"u8,
        PresenceType.Error => "error"u8,
        _ => default,
    };
}
