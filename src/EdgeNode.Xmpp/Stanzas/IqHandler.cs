using System.Buffers;
using System.Text;
using EdgeNode.Core.Addressing;
using EdgeNode.Core.Routing;
using EdgeNode.Xmpp.Extensions;
using EdgeNode.Xmpp.Streams;
using EdgeNode.Xmpp.Xml;

namespace EdgeNode.Xmpp.Stanzas;

/// <summary>
/// An &lt;iq/&gt; from a bound client (RFC 6120 8.2.3, RFC 6121 8.5): to the server or the user's own account the
/// server answers (roster, vCard, disco, ping, version, time, carbons, registration); to another account's bare
/// address the server answers on its behalf; to a full address it is routed; anything unknown is service-unavailable.
/// </summary>
internal sealed class IqHandler(XmppServer server)
{
    private readonly ServerQueries _queries = new(server);

    public void Handle(XmlElement iq, C2sSession session, StanzaScratch scratch)
    {
        iq.TryGetAttribute(XmppNames.Id, out XmlValue idValue);
        byte[]? idCopy = idValue.NeedsDecoding ? Encoding.UTF8.GetBytes(idValue.GetString()) : null;
        ReadOnlySpan<byte> id = idCopy ?? idValue.Raw;
        if (!StanzaTypes.TryIq(iq, out IqType type) || id.IsEmpty)
        {
            Error(session, scratch, default, id, "bad-request"u8);
            return;
        }

        // A get or set has exactly one child (RFC 6120 8.2.3).
        XmlElement payload = default;
        int children = 0;
        foreach (XmlElement child in iq.Children)
        {
            payload = child;
            children++;
        }

        if (type is IqType.Get or IqType.Set && children != 1)
        {
            Error(session, scratch, default, id, "bad-request"u8);
            return;
        }

        byte[]? to = null;
        if (iq.TryGetAttribute(XmppNames.To, out XmlValue toValue))
        {
            to = Encoding.UTF8.GetBytes(toValue.GetString());
        }

        AddressClass target = AddressClass.Server;
        bool hasResource = false;
        if (to is not null)
        {
            target = server.Router.Classify(to, out hasResource);
        }

        switch (target)
        {
            case AddressClass.Invalid:
                Error(session, scratch, to, id, "jid-malformed"u8);
                return;
            case AddressClass.Remote:
                // Federation carries it (and bounces it when the remote server cannot be reached).
                RouteToResource(iq, type, session, to!, id, scratch);
                return;
            case AddressClass.Local when hasResource:
                RouteToResource(iq, type, session, to!, id, scratch);
                return;
        }

        if (type is IqType.Result or IqType.Error)
        {
            // Answers to the server's own requests (pings): their arrival is all that counts.
            return;
        }

        bool own = to is null || (target == AddressClass.Local && Router.IsBareOf(to, session.Bare));
        string? account = target == AddressClass.Local && !own ? Encoding.UTF8.GetString(to!) : null;
        if (account is not null && DeliverToParticipant(iq, type, session, to!, id, scratch))
        {
            return;
        }

        if (!_queries.Answer(type, payload, session, toServer: to is null || target == AddressClass.Server, own, account, to, id, scratch))
        {
            Error(session, scratch, to, id, "service-unavailable"u8);
        }
    }

    private void RouteToResource(XmlElement iq, IqType type, C2sSession session, byte[] to, ReadOnlySpan<byte> id, StanzaScratch scratch)
    {
        ArrayBufferWriter<byte> stamped = scratch.Stanza;
        stamped.ResetWrittenCount();
        iq.WriteRawStamped(stamped, session.FullAddress, default, Ns.Client, dropTo: false);
        RouteOutcome outcome = server.Router.Route(RoutedStanza.Iq(type, session.FullAddress, to, id, stamped.WrittenSpan), session);
        if (outcome == RouteOutcome.ServiceUnavailable)
        {
            Error(session, scratch, to, id, "service-unavailable"u8);
        }
        else if (outcome == RouteOutcome.RemoteDomain && type is IqType.Get or IqType.Set)
        {
            Error(session, scratch, to, id, "remote-server-not-found"u8);
        }
    }

    // A participant that is not an account (a device, the node itself) has one session that answers the iqs to its bare
    // address itself (its vCard); the server cannot answer for it.
    private bool DeliverToParticipant(XmlElement iq, IqType type, C2sSession session, byte[] to, ReadOnlySpan<byte> id, StanzaScratch scratch)
    {
        IRouteTarget[] targets = server.Router.TargetsOf(to);
        if (targets.Length != 1 || targets[0] is C2sSession
            || (Jid.TryParse(Encoding.UTF8.GetString(to), out var jid) && server.Accounts.Exists(jid)))
        {
            return false;
        }

        ArrayBufferWriter<byte> stamped = scratch.Stanza;
        stamped.ResetWrittenCount();
        iq.WriteRawStamped(stamped, session.FullAddress, default, Ns.Client, dropTo: false);
        targets[0].Deliver(RoutedStanza.Iq(type, session.FullAddress, to, id, stamped.WrittenSpan));
        return true;
    }

    internal static void Error(C2sSession session, StanzaScratch scratch, ReadOnlySpan<byte> from, ReadOnlySpan<byte> id, ReadOnlySpan<byte> condition)
    {
        ArrayBufferWriter<byte> reply = scratch.Reply;
        reply.ResetWrittenCount();
        StanzaErrors.Write(reply, "iq"u8, from, session.FullAddress, id, StanzaErrors.TypeOf(condition), condition);
        session.Send(reply.WrittenSpan);
    }
}
