using System.Buffers;
using System.Text;
using EdgeNode.Core.Routing;
using EdgeNode.Xmpp.Roster;
using EdgeNode.Xmpp.Stanzas;
using EdgeNode.Xmpp.Streams;
using EdgeNode.Xmpp.Xml;

namespace EdgeNode.Xmpp.Presence;

/// <summary>
/// RFC 6121 section 4: initial presence and its probes, broadcast to subscribers and the account's own resources,
/// directed presence, unavailable on leave. Every presence goes out through the router.
/// </summary>
public sealed class PresenceService(XmppServer server)
{
    /// <summary>A presence from the client without a subscription type: broadcast (no 'to') or directed.</summary>
    internal void HandleOutbound(XmlElement presence, PresenceType type, C2sSession session, ReadOnlySpan<byte> to, StanzaScratch scratch)
    {
        if (type == PresenceType.Probe)
        {
            if (!to.IsEmpty)
            {
                AnswerProbe(session, Encoding.UTF8.GetString(to));
            }

            return;
        }

        ArrayBufferWriter<byte> stamped = scratch.Stanza;
        stamped.ResetWrittenCount();
        if (!to.IsEmpty)
        {
            // Directed presence (RFC 6121 4.6) and presence errors: stamped and routed as they are.
            presence.WriteRawStamped(stamped, session.FullAddress, default, Ns.Client, dropTo: false);
            server.Router.Route(RoutedStanza.Presence(type, session.FullAddress, to, stamped.WrittenSpan), session);
            string target = Encoding.UTF8.GetString(to);
            if (type == PresenceType.Available)
            {
                session.AddDirected(target);
            }
            else if (type == PresenceType.Unavailable)
            {
                session.RemoveDirected(target);
            }

            return;
        }

        presence.WriteRawStamped(stamped, session.FullAddress, default, Ns.Client, dropTo: true);
        byte[] template = stamped.WrittenSpan.ToArray();
        if (type == PresenceType.Unavailable)
        {
            Leave(session, template);
            return;
        }

        if (type != PresenceType.Available)
        {
            return;
        }

        int priority = 0;
        if (presence.TryGetChild("priority"u8, Ns.Client, out XmlElement child))
        {
            priority = ParsePriority(child.Text.GetString());
        }

        bool initial = !session.IsAvailable;
        bool wasNegative = session.Priority < 0;
        session.SetAvailable(priority, template);
        Broadcast(session, template, PresenceType.Available);
        if (initial)
        {
            OnInitialPresence(session);
        }

        // XEP-0160: stored messages, in order, once the user is available with a non-negative priority.
        if (priority >= 0 && (initial || wasNegative))
        {
            DeliverOffline(session);
        }
    }

    /// <summary>The session goes away (unavailable presence, or the connection ended without one).</summary>
    public void Leave(C2sSession session, byte[]? unavailable = null)
    {
        bool wasAvailable = session.IsAvailable;
        session.SetUnavailable();
        byte[] template = unavailable ?? Unavailable(session);
        if (wasAvailable)
        {
            Broadcast(session, template, PresenceType.Unavailable);
        }

        foreach (string address in session.TakeDirected())
        {
            RouteTo(template, address, PresenceType.Unavailable, session);
        }
    }

    /// <summary>Sends the account's subscribers and its own available resources this presence.</summary>
    private void Broadcast(C2sSession session, byte[] template, PresenceType type)
    {
        foreach (RosterItem contact in server.Rosters.Subscribers(session.Bare))
        {
            RouteTo(template, contact.Contact, type, session);
            session.RemoveDirected(contact.Contact);
        }

        // The account's own available resources, this one included (RFC 6121 4.2.2, 4.4.2).
        RouteTo(template, session.Bare, type, session);
    }

    private void OnInitialPresence(C2sSession session)
    {
        // Probes (RFC 6121 4.3): the contacts we may see are all local, so their presence is answered at once.
        foreach (RosterItem contact in server.Rosters.Subscriptions(session.Bare))
        {
            SendPresenceOf(contact.Contact, session);
        }

        foreach (IRouteTarget own in server.Router.TargetsOf(session.Bare))
        {
            if (own is C2sSession other && !ReferenceEquals(other, session) && other.PresenceTemplate is { } theirs)
            {
                session.Send(Addressed(theirs, session.FullAddress));
            }
        }

        // Subscription requests that waited for the user (RFC 6121 3.1.3).
        foreach (RosterItem pending in server.Rosters.PendingRequests(session.Bare))
        {
            session.Send(Subscription(pending.Contact, session.Bare, PresenceType.Subscribe));
        }

    }

    internal void DeliverOffline(C2sSession session)
    {
        var messages = server.Offline.TakeAll(session.Bare);
        foreach (var (stanza, received) in messages)
        {
            session.Send(WithDelay(stanza, received));
        }
    }

    /// <summary>Answers a probe of <paramref name="contact"/> from the session when its roster allows it.</summary>
    private void AnswerProbe(C2sSession session, string contact)
    {
        string bare = BareOf(contact);
        if (bare == session.Bare || server.Rosters.Find(session.Bare, bare) is { HasTo: true })
        {
            SendPresenceOf(bare, session);
        }
    }

    /// <summary>Every available resource's presence of a local account, addressed to the session.</summary>
    internal void SendPresenceOf(string bare, C2sSession to)
    {
        foreach (IRouteTarget target in server.Router.TargetsOf(bare))
        {
            if (target is C2sSession contact)
            {
                if (contact.PresenceTemplate is { } template)
                {
                    to.Send(Addressed(template, to.FullAddress));
                }
            }
            else
            {
                // A participant that is not an XMPP session (a device) keeps its own presence: it is probed and
                // answers through the router to the session's full address.
                target.Deliver(RoutedStanza.Presence(PresenceType.Probe, to.FullAddress, Encoding.UTF8.GetBytes(bare), default));
            }
        }
    }

    /// <summary>Sends the session's owner's presence (all resources) to one contact, as after a new subscription.</summary>
    internal void SendPresenceTo(string ownerBare, string contact)
    {
        foreach (IRouteTarget target in server.Router.TargetsOf(ownerBare))
        {
            if (target is C2sSession session && session.PresenceTemplate is { } template)
            {
                RouteTo(template, contact, PresenceType.Available, session);
            }
        }
    }

    /// <summary>Sends unavailable from each of the owner's available resources to a contact whose subscription ended.</summary>
    internal void SendUnavailableTo(string ownerBare, string contact)
    {
        foreach (IRouteTarget target in server.Router.TargetsOf(ownerBare))
        {
            if (target is C2sSession session && session.IsAvailable)
            {
                RouteTo(Unavailable(session), contact, PresenceType.Unavailable, session);
            }
        }
    }

    private void RouteTo(byte[] template, string address, PresenceType type, C2sSession from)
    {
        byte[] to = Encoding.UTF8.GetBytes(address);
        byte[] stanza = Addressed(template, to);
        server.Router.Route(RoutedStanza.Presence(type, from.FullAddress, to, stanza), from);
    }

    /// <summary>Inserts a 'to' after the element name of a stored presence (which has no 'to').</summary>
    internal static byte[] Addressed(byte[] template, ReadOnlySpan<byte> to)
    {
        int nameEnd = 1 + template.AsSpan(1).IndexOfAny(" />"u8);
        var buffer = new ArrayBufferWriter<byte>(template.Length + to.Length + 8);
        buffer.Write(template.AsSpan(0, nameEnd));
        buffer.Write(" to='"u8);
        XmlEscaping.WriteEscaped(buffer, to, attribute: true, nameof(to));
        buffer.Write("'"u8);
        buffer.Write(template.AsSpan(nameEnd));
        return buffer.WrittenSpan.ToArray();
    }

    internal static byte[] Subscription(string from, string to, PresenceType type)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        var writer = new XmlStanzaWriter(buffer);
        writer.WriteStartElement("presence"u8, Ns.Client);
        writer.WriteAttribute("from"u8, from.AsSpan());
        writer.WriteAttribute("to"u8, to.AsSpan());
        writer.WriteAttribute("type"u8, StanzaTypes.Name(type));
        writer.WriteEndElement("presence"u8);
        return buffer.WrittenSpan.ToArray();
    }

    private static byte[] Unavailable(C2sSession session)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        var writer = new XmlStanzaWriter(buffer);
        writer.WriteStartElement("presence"u8, Ns.Client);
        writer.WriteAttribute("from"u8, session.FullAddress);
        writer.WriteAttribute("type"u8, "unavailable"u8);
        writer.WriteEndElement("presence"u8);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>XEP-0203: the time the server received a stored message, inserted as the message's last child.</summary>
    internal byte[] WithDelay(byte[] stanza, DateTimeOffset received)
    {
        int close = stanza.AsSpan().LastIndexOf("</"u8);
        if (close < 0)
        {
            return stanza;
        }

        var buffer = new ArrayBufferWriter<byte>(stanza.Length + 128);
        buffer.Write(stanza.AsSpan(0, close));
        var writer = new XmlStanzaWriter(buffer);
        writer.WriteStartElement("delay"u8, Ns.Delay);
        writer.WriteAttribute("from"u8, server.DomainUtf8);
        writer.WriteAttribute("stamp"u8, received.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture).AsSpan());
        writer.WriteEndElement("delay"u8);
        buffer.Write(stanza.AsSpan(close));
        return buffer.WrittenSpan.ToArray();
    }

    private static int ParsePriority(string text) =>
        int.TryParse(text.Trim(), System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out int value)
            ? Math.Clamp(value, -128, 127)
            : 0;

    internal static string BareOf(string address)
    {
        int slash = address.IndexOf('/');
        string bare = slash < 0 ? address : address[..slash];
        return Core.Addressing.Jid.TryParse(bare, out var jid) ? jid.ToString() : bare;
    }
}
