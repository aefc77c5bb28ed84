using System.Buffers;
using System.Globalization;
using System.Text;
using EdgeNode.Core.Addressing;
using EdgeNode.Core.Routing;
using EdgeNode.Xmpp.Stanzas;
using EdgeNode.Xmpp.Streams;
using EdgeNode.Xmpp.Xml;

namespace EdgeNode.Xmpp.Extensions;

/// <summary>
/// The iq queries the server answers itself: roster (RFC 6121), XEP-0030 disco, XEP-0199 ping, XEP-0092 version,
/// XEP-0202 time, XEP-0054 vCard, XEP-0280 carbons, XEP-0077 registration changes, and the legacy session.
/// </summary>
internal sealed class ServerQueries(XmppServer server)
{
    private static readonly string ProductVersion =
        typeof(ServerQueries).Assembly.GetName().Version?.ToString(3) ?? "0";

    /// <summary>False when nobody here handles the query (the caller answers service-unavailable).</summary>
    public bool Answer(IqType type, XmlElement payload, C2sSession session, bool toServer, bool own, string? account,
        byte[]? to, ReadOnlySpan<byte> id, StanzaScratch scratch)
    {
        ReadOnlySpan<byte> ns = payload.NamespaceUri;
        ReadOnlySpan<byte> name = payload.LocalName;
        if (account is not null && !(Jid.TryParse(account, out var accountJid) && accountJid.Local is not null && server.Accounts.Exists(accountJid)))
        {
            // RFC 6121 8.5.1: no such account.
            return false;
        }

        if (name.SequenceEqual("query"u8) && ns.SequenceEqual(Ns.Roster))
        {
            if (!own)
            {
                IqHandler.Error(session, scratch, to, id, "forbidden"u8);
                return true;
            }

            server.RosterService.HandleIq(type, payload, session, id, scratch);
            return true;
        }

        if (name.SequenceEqual("vCard"u8) && ns.SequenceEqual(Ns.VCard))
        {
            return VCard(type, payload, session, own, account, to, id, scratch);
        }

        if (name.SequenceEqual("ping"u8) && ns.SequenceEqual(Ns.Ping) && type == IqType.Get)
        {
            Result(session, scratch, to, id);
            return true;
        }

        if (ns.SequenceEqual(Ns.DiscoInfo) && name.SequenceEqual("query"u8) && type == IqType.Get)
        {
            DiscoInfo(payload, session, toServer, to, id, scratch);
            return true;
        }

        if (ns.SequenceEqual(Ns.DiscoItems) && name.SequenceEqual("query"u8) && type == IqType.Get)
        {
            Begin(scratch, session, to, id, out var writer);
            writer.WriteStartElement("query"u8, Ns.DiscoItems);
            writer.WriteEndElement("query"u8);
            End(session, scratch, ref writer);
            return true;
        }

        if (!toServer && !own)
        {
            return false;
        }

        if (ns.SequenceEqual(Ns.Version) && name.SequenceEqual("query"u8) && type == IqType.Get && toServer)
        {
            Begin(scratch, session, to, id, out var writer);
            writer.WriteStartElement("query"u8, Ns.Version);
            writer.WriteElementWithText("name"u8, "EdgeNode"u8);
            writer.WriteElementWithText("version"u8, Encoding.UTF8.GetBytes(ProductVersion));
            writer.WriteEndElement("query"u8);
            End(session, scratch, ref writer);
            return true;
        }

        if (ns.SequenceEqual(Ns.Time) && name.SequenceEqual("time"u8) && type == IqType.Get && toServer)
        {
            Begin(scratch, session, to, id, out var writer);
            writer.WriteStartElement("time"u8, Ns.Time);
            writer.WriteElementWithText("tzo"u8, "+00:00"u8);
            string utc = server.Time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
            writer.WriteElementWithText("utc"u8, Encoding.UTF8.GetBytes(utc));
            writer.WriteEndElement("time"u8);
            End(session, scratch, ref writer);
            return true;
        }

        if (ns.SequenceEqual(Ns.Carbons) && type == IqType.Set && (name.SequenceEqual("enable"u8) || name.SequenceEqual("disable"u8)))
        {
            session.Carbons = name.SequenceEqual("enable"u8);
            Result(session, scratch, to, id);
            return true;
        }

        if (ns.SequenceEqual(Ns.Session) && type == IqType.Set)
        {
            // RFC 3921 session establishment: obsolete, accepted as a no-op (RFC 6121 Appendix E).
            Result(session, scratch, to, id);
            return true;
        }

        if (ns.SequenceEqual(Ns.Bind))
        {
            IqHandler.Error(session, scratch, to, id, "not-allowed"u8);
            return true;
        }

        // A logged-in user may always change their password or cancel their account (XEP-0077 3.2, 3.3);
        // Xmpp:AllowRegistration governs only the creation of new accounts, before login.
        if (ns.SequenceEqual(Ns.Register))
        {
            return Register(type, payload, session, to, id, scratch);
        }

        return false;
    }

    private bool VCard(IqType type, XmlElement payload, C2sSession session, bool own, string? account, byte[]? to,
        ReadOnlySpan<byte> id, StanzaScratch scratch)
    {
        if (type == IqType.Set)
        {
            if (!own)
            {
                IqHandler.Error(session, scratch, to, id, "forbidden"u8);
                return true;
            }

            var copy = new ArrayBufferWriter<byte>(payload.RawBytes.Length + 32);
            payload.WriteTo(copy);
            server.VCards.Set(session.Bare, copy.WrittenSpan.ToArray());
            Result(session, scratch, to, id);
            return true;
        }

        string owner = own ? session.Bare : Jid.Parse(account!).ToString();

        byte[]? vcard = server.VCards.Get(owner);
        Begin(scratch, session, to, id, out var writer);
        if (vcard is null)
        {
            writer.WriteStartElement("vCard"u8, Ns.VCard);
            writer.WriteEndElement("vCard"u8);
        }
        else
        {
            writer.WriteRaw(vcard);
        }

        End(session, scratch, ref writer);
        return true;
    }

    private void DiscoInfo(XmlElement query, C2sSession session, bool toServer, byte[]? to, ReadOnlySpan<byte> id, StanzaScratch scratch)
    {
        if (query.TryGetAttribute("node"u8, out _))
        {
            IqHandler.Error(session, scratch, to, id, "item-not-found"u8);
            return;
        }

        Begin(scratch, session, to, id, out var writer);
        writer.WriteStartElement("query"u8, Ns.DiscoInfo);
        writer.WriteStartElement("identity"u8);
        if (toServer)
        {
            writer.WriteAttribute("category"u8, "server"u8);
            writer.WriteAttribute("type"u8, "im"u8);
            writer.WriteAttribute("name"u8, "EdgeNode"u8);
            writer.WriteEndElement("identity"u8);
            foreach (string feature in ServerFeatures.For(server.Options.AllowRegistration))
            {
                writer.WriteStartElement("feature"u8);
                writer.WriteAttribute("var"u8, feature.AsSpan());
                writer.WriteEndElement("feature"u8);
            }
        }
        else
        {
            // An account (XEP-0030 section 3.1 via RFC 6121 8.5.2.1.3: the server answers for it).
            writer.WriteAttribute("category"u8, "account"u8);
            writer.WriteAttribute("type"u8, "registered"u8);
            writer.WriteEndElement("identity"u8);
            writer.WriteStartElement("feature"u8);
            writer.WriteAttribute("var"u8, Ns.DiscoInfo);
            writer.WriteEndElement("feature"u8);
        }

        writer.WriteEndElement("query"u8);
        End(session, scratch, ref writer);
    }

    private bool Register(IqType type, XmlElement query, C2sSession session, byte[]? to, ReadOnlySpan<byte> id, StanzaScratch scratch)
    {
        if (type == IqType.Get)
        {
            Begin(scratch, session, to, id, out var writer);
            writer.WriteStartElement("query"u8, Ns.Register);
            writer.WriteStartElement("registered"u8);
            writer.WriteEndElement("registered"u8);
            writer.WriteElementWithText("username"u8, Encoding.UTF8.GetBytes(session.Bare[..session.Bare.IndexOf('@')]));
            writer.WriteStartElement("password"u8);
            writer.WriteEndElement("password"u8);
            writer.WriteEndElement("query"u8);
            End(session, scratch, ref writer);
            return true;
        }

        if (query.TryGetChild("remove"u8, Ns.Register, out _))
        {
            // XEP-0077 3.2: the account is cancelled; the reply goes out before the stream closes.
            // Everything the node keeps for the account goes with it: Matrix devices, device ownership, other
            // people's roster entries; the account's other connections are ended.
            server.RemoveAccount(Jid.Parse(session.Bare));
            Result(session, scratch, to, id);
            session.Close(TargetCloseReason.AccountRemoved);
            return true;
        }

        if (query.TryGetChild("password"u8, Ns.Register, out XmlElement password))
        {
            // XEP-0077 3.3: both <username/> and <password/> are required, and the username is the session's own:
            // a request naming another account (or none) is a bad-request and changes nothing.
            if (!query.TryGetChild("username"u8, Ns.Register, out XmlElement username)
                || !Jid.TryParse($"{username.Text.GetString().Trim()}@{server.Domain}", out var named)
                || named.Local is null || !named.IsBare || named.ToString() != session.Bare)
            {
                IqHandler.Error(session, scratch, to, id, "bad-request"u8);
                return true;
            }

            string secret = password.Text.GetString();
            if (!Core.Accounts.PasswordRules.IsAcceptable(secret, out _))
            {
                IqHandler.Error(session, scratch, to, id, "not-acceptable"u8);
                return true;
            }

            server.Accounts.SetPassword(Jid.Parse(session.Bare), secret);
            Result(session, scratch, to, id);
            return true;
        }

        IqHandler.Error(session, scratch, to, id, "bad-request"u8);
        return true;
    }

    private static void Begin(StanzaScratch scratch, C2sSession session, byte[]? from, ReadOnlySpan<byte> id, out XmlStanzaWriter writer)
    {
        scratch.Reply.ResetWrittenCount();
        writer = new XmlStanzaWriter(scratch.Reply);
        writer.WriteStartElement("iq"u8);
        if (from is not null)
        {
            writer.WriteAttribute("from"u8, from);
        }

        writer.WriteAttribute("to"u8, session.FullAddress);
        writer.WriteAttribute("type"u8, "result"u8);
        writer.WriteAttribute("id"u8, id);
    }

    private static void End(C2sSession session, StanzaScratch scratch, ref XmlStanzaWriter writer)
    {
        writer.WriteEndElement("iq"u8);
        session.Send(scratch.Reply.WrittenSpan);
    }

    private static void Result(C2sSession session, StanzaScratch scratch, byte[]? from, ReadOnlySpan<byte> id)
    {
        Begin(scratch, session, from, id, out var writer);
        End(session, scratch, ref writer);
    }
}
