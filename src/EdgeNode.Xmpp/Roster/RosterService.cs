using System.Buffers;
using System.Text;
using EdgeNode.Core.Addressing;
using EdgeNode.Core.Routing;
using EdgeNode.Xmpp.Presence;
using EdgeNode.Xmpp.Stanzas;
using EdgeNode.Xmpp.Streams;
using EdgeNode.Xmpp.Xml;

namespace EdgeNode.Xmpp.Roster;

/// <summary>
/// RFC 6121 sections 2 and 3: roster get/set/push with versioning, and the subscription state machine (Appendix A)
/// for both the user's side and, since every contact today is local, the contact's side too.
/// </summary>
public sealed class RosterService(XmppServer server)
{
    // Subscription changes read and write two rosters; one at a time keeps both sides consistent.
    private const int PageItems = 100;

    private readonly Lock _gate = new();
    private long _pushId;
    private long _fullLoggedAt;

    // ---- roster iq (RFC 6121 2.1) ----

    internal void HandleIq(IqType type, XmlElement query, C2sSession session, ReadOnlySpan<byte> id, StanzaScratch scratch)
    {
        if (type == IqType.Get)
        {
            session.InterestedInRoster = true;
            long version = server.Rosters.Version(session.Bare);
            string current = version.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (query.TryGetAttribute("ver"u8, out XmlValue ver) && ver.GetString() == current)
            {
                WriteResult(scratch.Reply, session, id);
                session.Send(scratch.Reply.WrittenSpan);
                return;
            }

            ArrayBufferWriter<byte> output = scratch.Reply;
            output.ResetWrittenCount();
            var writer = new XmlStanzaWriter(output);
            writer.WriteStartElement("iq"u8);
            writer.WriteAttribute("to"u8, session.FullAddress);
            writer.WriteAttribute("type"u8, "result"u8);
            writer.WriteAttribute("id"u8, id);
            writer.WriteStartElement("query"u8, Ns.Roster);
            writer.WriteAttribute("ver"u8, current.AsSpan());
            writer.CloseStartTagAndForget();

            // A roster too big to queue at once is written in pieces as the client reads (RFC 6121 2.1.3 still one result).
            int pieceBytes = LongRosterResult.PieceBytes(session);
            string after = "";
            IReadOnlyList<RosterItem> page;
            do
            {
                page = server.Rosters.ItemsAfter(session.Bare, after, PageItems);
                foreach (RosterItem item in page)
                {
                    WriteItem(output, item, remove: false);
                    after = item.Contact;
                    if (output.WrittenCount > pieceBytes)
                    {
                        LongRosterResult.Start(server.Rosters, session, output.WrittenSpan.ToArray(), after);
                        return;
                    }
                }
            }
            while (page.Count == PageItems);

            output.Write("</query></iq>"u8);
            session.Send(output.WrittenSpan);
            return;
        }

        lock (_gate)
        {
            SetItem(query, session, id, scratch);
        }
    }

    private void SetItem(XmlElement query, C2sSession session, ReadOnlySpan<byte> id, StanzaScratch scratch)
    {
        // set: exactly one item (RFC 6121 2.3.3)
        int count = 0;
        XmlElement itemElement = default;
        foreach (XmlElement child in query.Children)
        {
            if (child.Is("item"u8, Ns.Roster))
            {
                itemElement = child;
                count++;
            }
        }

        if (count != 1 || !itemElement.TryGetAttribute("jid"u8, out XmlValue jidValue)
            || !Jid.TryParse(jidValue.GetString(), out var contactJid) || !contactJid.IsBare)
        {
            Error(session, id, "bad-request"u8, scratch);
            return;
        }

        string contact = contactJid.ToString();
        if (itemElement.TryGetAttribute("subscription"u8, out XmlValue subscription) && subscription.ValueEquals("remove"u8))
        {
            RemoveItem(session.Bare, contact);
            WriteResult(scratch.Reply, session, id);
            session.Send(scratch.Reply.WrittenSpan);
            return;
        }

        // RFC 6121 2.3.3: a name or group over the limit, or an empty group, is not-acceptable; a repeated group is a
        // bad-request. The stanza is bounded already (Xmpp:MaxStanzaBytes), so measuring decoded lengths is cheap.
        int maxBytes = server.Options.MaxRosterNameBytes;
        var groups = new List<string>();
        foreach (XmlElement group in itemElement.Children)
        {
            if (group.Is("group"u8, Ns.Roster))
            {
                if (groups.Count == server.Options.MaxRosterGroups)
                {
                    Error(session, id, "not-acceptable"u8, scratch, $"An item may be in at most {server.Options.MaxRosterGroups} groups.");
                    return;
                }

                string name = group.Text.GetString();
                if (name.Length == 0 || Encoding.UTF8.GetByteCount(name) > maxBytes)
                {
                    Error(session, id, "not-acceptable"u8, scratch, name.Length == 0 ? "A group name may not be empty." : $"A group name may be at most {maxBytes} bytes.");
                    return;
                }

                if (groups.Contains(name))
                {
                    Error(session, id, "bad-request"u8, scratch);
                    return;
                }

                groups.Add(name);
            }
        }

        string? itemName = itemElement.TryGetAttribute("name"u8, out XmlValue nameValue) ? nameValue.GetString() : null;
        if (itemName is not null && Encoding.UTF8.GetByteCount(itemName) > maxBytes)
        {
            Error(session, id, "not-acceptable"u8, scratch, $"A name may be at most {maxBytes} bytes.");
            return;
        }

        RosterItem? known = server.Rosters.Find(session.Bare, contact);
        if (known is null && IsFull(session, contact))
        {
            Error(session, id, "not-allowed"u8, scratch, $"The roster is full ({server.Options.MaxRosterItems} items).");
            return;
        }

        RosterItem existing = known ?? new RosterItem(contact) { InRoster = false };
        Save(session.Bare, existing with { Name = string.IsNullOrEmpty(itemName) ? null : itemName, Groups = groups, InRoster = true });
        WriteResult(scratch.Reply, session, id);
        session.Send(scratch.Reply.WrittenSpan);
    }

    /// <summary>RFC 6121 2.5.2: removing an item cancels both directions of the subscription.</summary>
    private void RemoveItem(string owner, string contact)
    {
        RosterItem? item = server.Rosters.Find(owner, contact);
        if (item is null)
        {
            return;
        }

        if (item.HasTo || item.Ask)
        {
            SendSubscription(owner, contact, PresenceType.Unsubscribe);
        }

        if (item.HasFrom || item.PendingIn)
        {
            server.Presence.SendUnavailableTo(owner, contact);
            SendSubscription(owner, contact, PresenceType.Unsubscribed);
        }

        long version = server.Rosters.Save(owner, new RosterItem(contact) { InRoster = false });
        Push(owner, item, version, remove: true);

        // The contact's side of the removed subscriptions.
        if (item.HasTo || item.Ask)
        {
            InboundUnsubscribe(contact, owner);
        }

        if (item.HasFrom || item.PendingIn)
        {
            InboundUnsubscribed(contact, owner);
        }
    }

    // ---- subscriptions (RFC 6121 3, Appendix A) ----

    /// <summary>A subscription presence from the user's session to <paramref name="to"/>.</summary>
    internal void HandleOutbound(PresenceType type, C2sSession session, string to)
    {
        lock (_gate)
        {
            Outbound(type, session, to);
        }
    }

    private void Outbound(PresenceType type, C2sSession session, string to)
    {
        if (!Jid.TryParse(to, out var jid) || jid.Local is null)
        {
            return;
        }

        string user = session.Bare;
        string contact = jid.Bare.ToString();
        if (contact == user)
        {
            return;
        }

        RosterItem? known = server.Rosters.Find(user, contact);
        RosterItem item = known ?? new RosterItem(contact) { InRoster = false };
        bool local = jid.Domain == server.Domain;
        switch (type)
        {
            case PresenceType.Subscribe:
                if (known is null && IsFull(session, contact))
                {
                    RefuseSubscription(session, contact, "not-allowed"u8, $"Your roster is full ({server.Options.MaxRosterItems} items).");
                    break;
                }

                if (!item.HasTo)
                {
                    Save(user, item with { Ask = true, InRoster = true });
                }

                SendSubscription(user, contact, PresenceType.Subscribe);
                if (local && !Exists(contact))
                {
                    // RFC 6121 3.1.3: no such account, so the server answers for it with "unsubscribed" and keeps nothing
                    // on its side: an account created under that name later starts with a clean roster.
                    InboundUnsubscribed(user, contact);
                }
                else if (local && !InboundSubscribe(contact, user))
                {
                    RefuseSubscription(session, contact, "resource-constraint"u8, "The contact's roster is full.");
                }

                break;

            case PresenceType.Subscribed:
                if (item.HasFrom)
                {
                    break;
                }

                if (item.PendingIn)
                {
                    Save(user, item with { Subscription = item.Subscription | Subscription.From, PendingIn = false, Approved = false, InRoster = true });
                    SendSubscription(user, contact, PresenceType.Subscribed);
                    if (local)
                    {
                        InboundSubscribed(contact, user);
                    }
                    else
                    {
                        server.Presence.SendPresenceTo(user, contact);
                    }
                }
                else if (!item.Approved)
                {
                    // Pre-approval (RFC 6121 3.4).
                    Save(user, item with { Approved = true, InRoster = true });
                }

                break;

            case PresenceType.Unsubscribe:
                if (item.HasTo || item.Ask)
                {
                    Save(user, item with { Subscription = item.Subscription & ~Subscription.To, Ask = false });
                }

                SendSubscription(user, contact, PresenceType.Unsubscribe);
                if (local)
                {
                    InboundUnsubscribe(contact, user);
                }

                break;

            case PresenceType.Unsubscribed:
                if (item.HasFrom || item.PendingIn || item.Approved)
                {
                    bool had = item.HasFrom;
                    Save(user, item with { Subscription = item.Subscription & ~Subscription.From, PendingIn = false, Approved = false });
                    if (had)
                    {
                        server.Presence.SendUnavailableTo(user, contact);
                    }
                }

                SendSubscription(user, contact, PresenceType.Unsubscribed);
                if (local)
                {
                    InboundUnsubscribed(contact, user);
                }

                break;
        }
    }

    /// <summary>
    /// A subscription presence from a remote user (federation) to a local account: the contact's side of
    /// RFC 6121 3.1.3, 3.2.3, 3.3.3 and 3.4.3, with answers on the account's behalf going back to the remote user.
    /// </summary>
    internal void HandleInboundRemote(PresenceType type, string remoteBare, string localBare)
    {
        lock (_gate)
        {
            switch (type)
            {
                case PresenceType.Subscribe:
                    RosterItem? known = server.Rosters.Find(localBare, remoteBare);
                    RosterItem item = known ?? new RosterItem(remoteBare) { InRoster = false };
                    if (item.HasFrom || item.Approved)
                    {
                        if (!item.HasFrom)
                        {
                            Save(localBare, item with { Subscription = item.Subscription | Subscription.From, Approved = false });
                        }

                        SendSubscription(localBare, remoteBare, PresenceType.Subscribed);
                        server.Presence.SendPresenceTo(localBare, remoteBare);
                        return;
                    }

                    if (!item.PendingIn)
                    {
                        if (known is null && IsFullQuietly(localBare, remoteBare))
                        {
                            // No room to keep the request: the remote user hears that it cannot be kept now.
                            byte[] error = SubscriptionError(localBare, remoteBare, "resource-constraint"u8);
                            server.Router.Route(RoutedStanza.Presence(PresenceType.Error, Encoding.UTF8.GetBytes(localBare), Encoding.UTF8.GetBytes(remoteBare), error));
                            return;
                        }

                        if (server.Router.ShareConversation(remoteBare, localBare))
                        {
                            // They already share a conversation on another protocol: approved on the account's behalf.
                            Save(localBare, item with { Subscription = item.Subscription | Subscription.From, PendingIn = false, Approved = false, InRoster = true });
                            SendSubscription(localBare, remoteBare, PresenceType.Subscribed);
                            server.Presence.SendPresenceTo(localBare, remoteBare);
                            return;
                        }

                        server.Rosters.Save(localBare, item with { PendingIn = true });
                    }

                    DeliverSubscription(localBare, remoteBare, PresenceType.Subscribe);
                    return;
                case PresenceType.Subscribed:
                    InboundSubscribed(localBare, remoteBare);
                    return;
                case PresenceType.Unsubscribe:
                    InboundUnsubscribe(localBare, remoteBare);
                    return;
                case PresenceType.Unsubscribed:
                    InboundUnsubscribed(localBare, remoteBare);
                    return;
            }
        }
    }

    // The contact's server (this one) receives the user's subscription presence. Returns nothing: delivery to
    // the contact's resources happened in SendSubscription through the router, where the rules allow it.

    /// <summary>The contact's side of a local subscription request; false when the contact's roster has no room to keep it.</summary>
    private bool InboundSubscribe(string contact, string user)
    {
        RosterItem? known = server.Rosters.Find(contact, user);
        RosterItem item = known ?? new RosterItem(user) { InRoster = false };
        if (item.HasFrom)
        {
            // Already subscribed: answer on the contact's behalf (RFC 6121 3.1.3).
            InboundSubscribed(user, contact);
            return true;
        }

        if (item.Approved)
        {
            Save(contact, item with { Subscription = item.Subscription | Subscription.From, Approved = false });
            InboundSubscribed(user, contact);
            return true;
        }

        if (known is null && IsFullQuietly(contact, user))
        {
            return false;
        }

        if (server.Router.ShareConversation(user, contact))
        {
            // The two already talk on another protocol (a Matrix room both are in): approved on the contact's behalf,
            // as if the contact had answered subscribed.
            Save(contact, item with { Subscription = item.Subscription | Subscription.From, PendingIn = false, Approved = false, InRoster = true });
            InboundSubscribed(user, contact);
            return true;
        }

        if (!item.PendingIn)
        {
            server.Rosters.Save(contact, item with { PendingIn = true });
        }

        DeliverSubscription(contact, user, PresenceType.Subscribe);
        return true;
    }

    /// <summary>A local address that can be subscribed to: an account, or a participant that is there now (a device).</summary>
    private bool Exists(string bare) =>
        server.Router.TargetsOf(bare).Length > 0 || (Jid.TryParse(bare, out var jid) && server.Accounts.Exists(jid));

    /// <summary>A presence error to the user's session about its subscription request to <paramref name="contact"/>.</summary>
    private static void RefuseSubscription(C2sSession session, string contact, ReadOnlySpan<byte> condition, string text)
    {
        var output = new ArrayBufferWriter<byte>(256);
        StanzaErrors.Write(output, "presence"u8, Encoding.UTF8.GetBytes(contact), session.FullAddress, default,
            StanzaErrors.TypeOf(condition), condition, text);
        session.Send(output.WrittenSpan);
    }

    private void InboundSubscribed(string user, string contact)
    {
        // "user" receives subscribed from "contact": the user now sees the contact.
        RosterItem? item = server.Rosters.Find(user, contact);
        if (item is null || item.HasTo || !item.Ask)
        {
            return;
        }

        Save(user, item with { Subscription = item.Subscription | Subscription.To, Ask = false });
        DeliverSubscription(user, contact, PresenceType.Subscribed);
        foreach (IRouteTarget target in server.Router.TargetsOf(user))
        {
            if (target is C2sSession session && session.IsAvailable)
            {
                server.Presence.SendPresenceOf(contact, session);
            }
        }
    }

    private void InboundUnsubscribe(string contact, string user)
    {
        // The user no longer wants the contact's presence: the contact loses "from".
        RosterItem? item = server.Rosters.Find(contact, user);
        if (item is null || !(item.HasFrom || item.PendingIn))
        {
            return;
        }

        Save(contact, item with { Subscription = item.Subscription & ~Subscription.From, PendingIn = false }, push: item.InRoster);
        DeliverSubscription(contact, user, PresenceType.Unsubscribe);
    }

    private void InboundUnsubscribed(string user, string contact)
    {
        // The contact cancelled or denied the user's subscription: the user loses "to" and its ask.
        RosterItem? item = server.Rosters.Find(user, contact);
        if (item is null || !(item.HasTo || item.Ask))
        {
            return;
        }

        Save(user, item with { Subscription = item.Subscription & ~Subscription.To, Ask = false });
        DeliverSubscription(user, contact, PresenceType.Unsubscribed);
        foreach (IRouteTarget target in server.Router.TargetsOf(contact))
        {
            if (target is C2sSession session && session.IsAvailable)
            {
                foreach (IRouteTarget mine in server.Router.TargetsOf(user))
                {
                    if (mine is C2sSession own)
                    {
                        own.Send(PresenceService.Addressed(Unavailable(session.FullJid), own.FullAddress));
                    }
                }
            }
        }
    }

    private static byte[] Unavailable(string from) =>
        Encoding.UTF8.GetBytes($"<presence xmlns='jabber:client' from='{EscapeAttribute(from)}' type='unavailable'/>");

    private static string EscapeAttribute(string value) =>
        value.Replace("&", "&amp;", StringComparison.Ordinal).Replace("'", "&apos;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal);

    /// <summary>Routes a subscription stanza from the user's bare address to a remote contact (federation's job later).</summary>
    private void SendSubscription(string from, string to, PresenceType type)
    {
        if (to.EndsWith("@" + server.Domain, StringComparison.Ordinal))
        {
            return;
        }

        byte[] stanza = PresenceService.Subscription(from, to, type);
        server.Router.Route(RoutedStanza.Presence(type, Encoding.UTF8.GetBytes(from), Encoding.UTF8.GetBytes(to), stanza));
    }

    /// <summary>Delivers a subscription stanza to a local account's available resources (through the router).</summary>
    private void DeliverSubscription(string recipient, string from, PresenceType type)
    {
        byte[] stanza = PresenceService.Subscription(from, recipient, type);
        server.Router.Route(RoutedStanza.Presence(type, Encoding.UTF8.GetBytes(from), Encoding.UTF8.GetBytes(recipient), stanza));
    }

    /// <summary>
    /// Puts a contact the node manages (a device the owner owns) in a roster without the subscription handshake,
    /// and pushes it to the owner's interested resources; nothing is written when the item is already so.
    /// </summary>
    public void PutManaged(string owner, RosterItem item)
    {
        if (server.Rosters.Find(owner, item.Contact) is { } known && known.InRoster && known.Subscription == item.Subscription
            && known.Name == item.Name && known.Groups.SequenceEqual(item.Groups))
        {
            return;
        }

        Save(owner, item);
    }

    /// <summary>Takes a managed contact out of a roster (the owner no longer owns the device), with a push.</summary>
    public void RemoveManaged(string owner, string contact)
    {
        if (server.Rosters.Find(owner, contact) is not { } item)
        {
            return;
        }

        long version = server.Rosters.Save(owner, item with { InRoster = false, Subscription = Subscription.None, Ask = false, Approved = false, PendingIn = false });
        Push(owner, item, version, remove: true);
    }

    /// <summary>Tells the owner's resources that a contact is gone (its account was removed).</summary>
    internal void PushRemoved(string owner, string contact, long version) => Push(owner, new RosterItem(contact), version, remove: true);

    private void Save(string owner, RosterItem item, bool push = true)
    {
        long version = server.Rosters.Save(owner, item);
        if (push && item.InRoster)
        {
            Push(owner, item, version, remove: false);
        }
    }

    /// <summary>A roster push (RFC 6121 2.1.6) to every resource of the owner that asked for the roster.</summary>
    private void Push(string owner, RosterItem item, long version, bool remove)
    {
        foreach (IRouteTarget target in server.Router.TargetsOf(owner))
        {
            if (target is not C2sSession session || !session.InterestedInRoster)
            {
                continue;
            }

            var output = new ArrayBufferWriter<byte>(256);
            var writer = new XmlStanzaWriter(output);
            writer.WriteStartElement("iq"u8, Ns.Client);
            writer.WriteAttribute("to"u8, session.FullAddress);
            writer.WriteAttribute("type"u8, "set"u8);
            writer.WriteAttribute("id"u8, ("push" + Interlocked.Increment(ref _pushId).ToString(System.Globalization.CultureInfo.InvariantCulture)).AsSpan());
            writer.WriteStartElement("query"u8, Ns.Roster);
            writer.WriteAttribute("ver"u8, version.ToString(System.Globalization.CultureInfo.InvariantCulture).AsSpan());
            writer.CloseStartTagAndForget();
            WriteItem(output, item, remove);
            output.Write("</query></iq>"u8);
            session.Send(output.WrittenSpan);
        }
    }

    internal static void WriteItem(IBufferWriter<byte> output, RosterItem item, bool remove)
    {
        var writer = new XmlStanzaWriter(output);
        writer.WriteStartElement("item"u8);
        writer.WriteAttribute("jid"u8, item.Contact.AsSpan());
        if (item.Name is not null)
        {
            writer.WriteAttribute("name"u8, item.Name.AsSpan());
        }

        writer.WriteAttribute("subscription"u8, (remove ? "remove" : RosterItem.SubscriptionName(item.Subscription)).AsSpan());
        if (item.Ask && !remove)
        {
            writer.WriteAttribute("ask"u8, "subscribe"u8);
        }

        if (item.Approved && !remove)
        {
            writer.WriteAttribute("approved"u8, "true"u8);
        }

        foreach (string group in item.Groups)
        {
            writer.WriteElementWithText("group"u8, Encoding.UTF8.GetBytes(group));
        }

        writer.WriteEndElement("item"u8);
    }

    private static void WriteResult(ArrayBufferWriter<byte> output, C2sSession session, ReadOnlySpan<byte> id)
    {
        output.ResetWrittenCount();
        var writer = new XmlStanzaWriter(output);
        writer.WriteStartElement("iq"u8);
        writer.WriteAttribute("to"u8, session.FullAddress);
        writer.WriteAttribute("type"u8, "result"u8);
        writer.WriteAttribute("id"u8, id);
        writer.WriteEndElement("iq"u8);
    }

    private static void Error(C2sSession session, ReadOnlySpan<byte> id, ReadOnlySpan<byte> condition, StanzaScratch scratch, string? text = null)
    {
        scratch.Reply.ResetWrittenCount();
        StanzaErrors.Write(scratch.Reply, "iq"u8, default, session.FullAddress, id, StanzaErrors.TypeOf(condition), condition, text);
        session.Send(scratch.Reply.WrittenSpan);
    }

    /// <summary>
    /// True when <paramref name="owner"/>'s roster has no room for one more row (Xmpp:MaxRosterItems; pending requests
    /// count too, since they are stored). Logged once per session that meets it.
    /// </summary>
    private bool IsFull(string owner, string contact, C2sSession? session = null)
    {
        int limit = server.Options.MaxRosterItems;
        if (server.Rosters.Count(owner) < limit)
        {
            return false;
        }

        if (session is null || !session.RosterFullLogged)
        {
            if (session is not null)
            {
                session.RosterFullLogged = true;
            }

            XmppLog.RosterFull(server.Logger, owner, limit, contact);
        }

        return true;
    }

    private bool IsFull(C2sSession session, string contact) => IsFull(session.Bare, contact, session);

    /// <summary>
    /// <see cref="IsFull(string, string, C2sSession?)"/> for a roster whose owner is not the one asking (requests from
    /// contacts): logged at most once a minute, however many requests are refused.
    /// </summary>
    private bool IsFullQuietly(string owner, string contact)
    {
        if (server.Rosters.Count(owner) < server.Options.MaxRosterItems)
        {
            return false;
        }

        long now = server.Time.GetTimestamp();
        long last = Interlocked.Read(ref _fullLoggedAt);
        if ((last == 0 || server.Time.GetElapsedTime(last, now) > TimeSpan.FromMinutes(1))
            && Interlocked.CompareExchange(ref _fullLoggedAt, now, last) == last)
        {
            XmppLog.RosterFull(server.Logger, owner, server.Options.MaxRosterItems, contact);
        }

        return true;
    }

    private static byte[] SubscriptionError(string from, string to, ReadOnlySpan<byte> condition) => Encoding.UTF8.GetBytes(
        $"<presence xmlns='jabber:client' from='{EscapeAttribute(from)}' to='{EscapeAttribute(to)}' type='error'><error type='{Encoding.UTF8.GetString(StanzaErrors.TypeOf(condition))}'>"
        + $"<{Encoding.UTF8.GetString(condition)} xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>");
}
