using System.Buffers;
using System.Collections.Concurrent;
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
    /// <summary>The resource under which an account's presence on another protocol (Matrix) is shown to XMPP contacts.</summary>
    public const string OtherProtocolResource = "matrix";

    /// <summary>The longest status text kept for the account's neutral view (the XMPP bytes keep the whole).</summary>
    private const int MaxStatusChars = 1024;

    private readonly Lock _publishGate = new();

    // The presence (without 'to') from <bare>/matrix of each local account available on another protocol now.
    private readonly ConcurrentDictionary<string, byte[]> _otherViews = new(StringComparer.Ordinal);

    /// <summary>
    /// A presence from the client without a subscription type: broadcast (no 'to') or directed. True when the session
    /// has just become able to receive its stored offline messages (XEP-0160), which the caller then delivers.
    /// </summary>
    internal bool HandleOutbound(XmlElement presence, PresenceType type, C2sSession session, ReadOnlySpan<byte> to, StanzaScratch scratch)
    {
        if (type == PresenceType.Probe)
        {
            if (!to.IsEmpty)
            {
                AnswerProbe(session, Encoding.UTF8.GetString(to));
            }

            return false;
        }

        lock (session.PresenceGate)
        {
            // A session that was replaced or is closing has said its last word (its unavailable went out).
            return !session.Retired && HandleOutboundLocked(presence, type, session, to, scratch);
        }
    }

    private bool HandleOutboundLocked(XmlElement presence, PresenceType type, C2sSession session, ReadOnlySpan<byte> to, StanzaScratch scratch)
    {
        ArrayBufferWriter<byte> stamped = scratch.Stanza;
        stamped.ResetWrittenCount();
        if (!to.IsEmpty)
        {
            // Directed presence (RFC 6121 4.6) and presence errors: stamped and routed as they are. Each address that
            // gets available presence is remembered for the unavailable at the end, so their number is bounded.
            string target = Encoding.UTF8.GetString(to);
            if (type == PresenceType.Available && !session.TryAddDirected(target))
            {
                ArrayBufferWriter<byte> reply = scratch.Reply;
                reply.ResetWrittenCount();
                presence.TryGetAttribute(XmppNames.Id, out XmlValue id);
                StanzaErrors.Write(reply, "presence"u8, to, session.FullAddress, id.NeedsDecoding ? default : id.Raw, "wait"u8,
                    "resource-constraint"u8, $"Directed presence is limited to {C2sSession.MaxDirectedPresence} addresses per session.");
                session.Send(reply.WrittenSpan);
                return false;
            }

            presence.WriteRawStamped(stamped, session.FullAddress, default, Ns.Client, dropTo: false);
            server.Router.Route(RoutedStanza.Presence(type, session.FullAddress, to, stamped.WrittenSpan), session);
            if (type == PresenceType.Unavailable)
            {
                session.RemoveDirected(target);
            }

            return false;
        }

        presence.WriteRawStamped(stamped, session.FullAddress, default, Ns.Client, dropTo: true);
        byte[] template = stamped.WrittenSpan.ToArray();
        if (type == PresenceType.Unavailable)
        {
            LeaveLocked(session, template);
            return false;
        }

        if (type != PresenceType.Available)
        {
            return false;
        }

        int priority = 0;
        if (presence.TryGetChild("priority"u8, Ns.Client, out XmlElement child))
        {
            priority = ParsePriority(child.Text.GetString());
        }

        bool initial = !session.IsAvailable;
        bool wasNegative = session.Priority < 0;
        session.SetAvailable(priority, template, ShowOf(presence), StatusOf(presence));
        Broadcast(session, template, PresenceType.Available);
        PublishAvailability(session.Bare);
        if (initial)
        {
            OnInitialPresence(session);
        }

        // XEP-0160: stored messages, in order, once the user is available with a non-negative priority.
        return priority >= 0 && (initial || wasNegative);
    }

    /// <summary>
    /// Registers a newly bound session with the router. A session it replaces (the same full address: RFC 6120 7.7.2.2,
    /// where this node's policy is that the new one wins) is retired at once, before the new session can send any
    /// presence (its bind is not answered yet), so that contacts see the old one leave and then the new one arrive,
    /// never the reverse; then the old one is told to close with a conflict stream error.
    /// </summary>
    internal void Register(C2sSession session)
    {
        IRouteTarget? replaced = server.Router.Register(session);
        if (replaced is null)
        {
            return;
        }

        XmppLog.Replaced(server.Logger, replaced.ToString() ?? session.FullJid);
        try
        {
            if (replaced is C2sSession old)
            {
                Retire(old);
            }
        }
        finally
        {
            replaced.Close(TargetCloseReason.Replaced);
        }
    }

    /// <summary>
    /// The session is gone for good (its connection closed, or a new login took its resource): its contacts, its
    /// account's other resources and everyone that got directed presence see it unavailable, once, and nothing it
    /// sends afterwards is broadcast.
    /// </summary>
    public void Retire(C2sSession session)
    {
        lock (session.PresenceGate)
        {
            if (session.Retired)
            {
                return;
            }

            session.Retired = true;
            LeaveLocked(session, null);
        }
    }

    /// <summary>The session becomes unavailable (unavailable presence, or it is retired). Under the session's presence gate.</summary>
    private void LeaveLocked(C2sSession session, byte[]? unavailable)
    {
        bool wasAvailable = session.IsAvailable;
        session.SetUnavailable();
        byte[] template = unavailable ?? Unavailable(session);
        if (wasAvailable)
        {
            Broadcast(session, template, PresenceType.Unavailable);
            PublishAvailability(session.Bare);
        }

        foreach (string address in session.TakeDirected())
        {
            RouteTo(template, address, PresenceType.Unavailable, session);
        }
    }

    /// <summary>
    /// Tells the router the account's availability on XMPP when it changed (first available session, last one gone,
    /// the best session's show or status), so that other protocols show it: the view of the available session of the
    /// highest priority.
    /// </summary>
    private void PublishAvailability(string bare)
    {
        lock (_publishGate)
        {
            C2sSession? best = null;
            foreach (IRouteTarget target in server.Router.TargetsOf(bare))
            {
                if (target is C2sSession session && session.IsAvailable && (best is null || session.Priority > best.Priority))
                {
                    best = session;
                }
            }

            AccountPresence? last = null;
            foreach (AccountPresence view in server.Router.PresenceOf(bare))
            {
                if (view.Source == StanzaOrigin.Xmpp)
                {
                    last = view;
                }
            }

            AccountPresence now = best is null
                ? new AccountPresence(bare, StanzaOrigin.Xmpp, false, LastActiveTs: server.Time.GetUtcNow().ToUnixTimeMilliseconds())
                : new AccountPresence(bare, StanzaOrigin.Xmpp, true, best.Show, best.Status);
            bool changed = last is null
                ? now.Available
                : last.Available != now.Available || last.Show != now.Show || !string.Equals(last.Status, now.Status, StringComparison.Ordinal);
            if (changed)
            {
                server.Router.PublishPresence(now);
            }
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
            byte[] address = Encoding.UTF8.GetBytes(contact.Contact);
            if (server.Router.Classify(address, out _) == AddressClass.Remote)
            {
                // A contact on another server (federation): its server answers a probe from the account (RFC 6121 4.3.1).
                byte[] probe = Subscription(session.Bare, contact.Contact, PresenceType.Probe);
                server.Router.Route(RoutedStanza.Presence(PresenceType.Probe, session.BareUtf8, address, probe));
                continue;
            }

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

        if (_otherViews.TryGetValue(bare, out byte[]? view))
        {
            to.Send(Addressed(view, to.FullAddress));
        }
    }

    /// <summary>The account's presence on another protocol (from &lt;bare&gt;/matrix, without 'to'), or null when it is not available there.</summary>
    internal byte[]? OtherProtocolView(string bare) => _otherViews.TryGetValue(bare, out byte[]? view) ? view : null;

    /// <summary>
    /// Shows another protocol's view of a local account (<see cref="XmppPresenceFrontEnd"/>) to the account's roster
    /// subscribers as presence from the extra resource &lt;bare&gt;/matrix, and keeps it to answer probes; an
    /// unavailable view that was shown is withdrawn with unavailable from that resource.
    /// </summary>
    internal void ShowOtherView(AccountPresence presence)
    {
        string bare = presence.Bare;
        byte[] from = Encoding.UTF8.GetBytes(bare + "/" + OtherProtocolResource);
        byte[] template;
        PresenceType type;
        if (presence.Available)
        {
            template = OtherViewTemplate(from, presence);
            type = PresenceType.Available;
            _otherViews[bare] = template;
        }
        else
        {
            if (!_otherViews.TryRemove(bare, out _))
            {
                return;
            }

            template = UnavailableFrom(from);
            type = PresenceType.Unavailable;
        }

        foreach (RosterItem contact in server.Rosters.Subscribers(bare))
        {
            byte[] to = Encoding.UTF8.GetBytes(contact.Contact);
            server.Router.Route(RoutedStanza.Presence(type, from, to, Addressed(template, to)));
        }
    }

    private static byte[] OtherViewTemplate(byte[] from, AccountPresence presence)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        var writer = new XmlStanzaWriter(buffer);
        writer.WriteStartElement("presence"u8, Ns.Client);
        writer.WriteAttribute("from"u8, from);
        ReadOnlySpan<byte> show = presence.Show switch
        {
            PresenceShow.Away => "away"u8,
            PresenceShow.Chat => "chat"u8,
            PresenceShow.DoNotDisturb => "dnd"u8,
            PresenceShow.ExtendedAway => "xa"u8,
            _ => default,
        };
        if (!show.IsEmpty)
        {
            writer.WriteElementWithText("show"u8, show);
        }

        if (!string.IsNullOrEmpty(presence.Status))
        {
            writer.WriteStartElement("status"u8);
            writer.WriteTextReplacingInvalid(presence.Status.AsSpan());
            writer.WriteEndElement("status"u8);
        }

        // Below any XMPP client of the account, so that messages to the bare address prefer those.
        writer.WriteElementWithText("priority"u8, "-1"u8);
        writer.WriteEndElement("presence"u8);
        return buffer.WrittenSpan.ToArray();
    }

    private static byte[] UnavailableFrom(byte[] from)
    {
        var buffer = new ArrayBufferWriter<byte>(96);
        var writer = new XmlStanzaWriter(buffer);
        writer.WriteStartElement("presence"u8, Ns.Client);
        writer.WriteAttribute("from"u8, from);
        writer.WriteAttribute("type"u8, "unavailable"u8);
        writer.WriteEndElement("presence"u8);
        return buffer.WrittenSpan.ToArray();
    }

    private static PresenceShow ShowOf(XmlElement presence)
    {
        if (!presence.TryGetChild("show"u8, Ns.Client, out XmlElement show))
        {
            return PresenceShow.None;
        }

        XmlText text = show.Text;
        return text.ValueEquals("away"u8) ? PresenceShow.Away
            : text.ValueEquals("chat"u8) ? PresenceShow.Chat
            : text.ValueEquals("dnd"u8) ? PresenceShow.DoNotDisturb
            : text.ValueEquals("xa"u8) ? PresenceShow.ExtendedAway
            : PresenceShow.None;
    }

    private static string? StatusOf(XmlElement presence)
    {
        if (!presence.TryGetChild("status"u8, Ns.Client, out XmlElement status))
        {
            return null;
        }

        string text = status.Text.GetString();
        if (text.Length <= MaxStatusChars)
        {
            return text.Length == 0 ? null : text;
        }

        return text[..(char.IsHighSurrogate(text[MaxStatusChars - 1]) ? MaxStatusChars - 1 : MaxStatusChars)];
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

        if (OtherProtocolView(ownerBare) is { } view)
        {
            byte[] to = Encoding.UTF8.GetBytes(contact);
            server.Router.Route(RoutedStanza.Presence(PresenceType.Available, Encoding.UTF8.GetBytes(ownerBare + "/" + OtherProtocolResource), to,
                Addressed(view, to)));
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
