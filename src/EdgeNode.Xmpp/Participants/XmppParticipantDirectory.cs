using System.Text;
using EdgeNode.Core.Participants;
using EdgeNode.Core.Routing;
using EdgeNode.Xmpp.Roster;

namespace EdgeNode.Xmpp.Participants;

/// <summary>
/// Participants the node speaks for (devices, the node itself), as XMPP shows them: a roster item in each of their
/// contacts' rosters (subscription both, without the handshake, under their groups) and a vcard-temp vCard
/// (XEP-0054) for whoever may see them. Built from their protocol-neutral description, so their services never
/// write rosters or XMPP.
/// </summary>
public sealed class XmppParticipantDirectory(RosterService rosters, Router router) : IParticipantDirectory
{
    public void Describe(ParticipantDescription now, ParticipantDescription? before)
    {
        ArgumentNullException.ThrowIfNull(now);
        if (before is not null)
        {
            foreach (string former in before.Contacts)
            {
                if (!now.Contacts.Contains(former, StringComparer.OrdinalIgnoreCase) || !string.Equals(before.Bare, now.Bare, StringComparison.Ordinal))
                {
                    rosters.RemoveManaged(former, before.Bare);
                }
            }
        }

        foreach (string contact in now.Contacts)
        {
            rosters.PutManaged(contact, new RosterItem(now.Bare)
            {
                Name = now.DisplayName,
                Groups = now.Groups,
                Subscription = Subscription.Both,
            });
        }
    }

    public void Forget(ParticipantDescription participant)
    {
        ArgumentNullException.ThrowIfNull(participant);
        foreach (string contact in participant.Contacts)
        {
            rosters.RemoveManaged(contact, participant.Bare);
        }
    }

    public void Answer(in RoutedStanza query, ParticipantDescription? participant, StanzaOrigin origin)
    {
        // Every get and set gets an answer (RFC 6120 8.2.3); results and errors get none.
        if (query.Kind != StanzaKind.Iq || query.IqType is not (IqType.Get or IqType.Set))
        {
            return;
        }

        // From the bare address the iq went to: clients match the answer to the address they asked.
        byte[] from = Encoding.UTF8.GetBytes(participant?.Bare ?? Encoding.UTF8.GetString(Bare(query.To)));
        var (type, answer) = participant is null || !participant.MaySee(Encoding.UTF8.GetString(Bare(query.From)))
            ? (IqType.Error, ParticipantIq.Error(from, query.From, query.Id, "forbidden"u8, "auth"u8))
            : ParticipantIq.IsVCardGet(query.IqType, query.Xmpp)
                ? (IqType.Result, ParticipantIq.VCardResult(from, query.From, query.Id, participant))
                : (IqType.Error, ParticipantIq.Error(from, query.From, query.Id, "service-unavailable"u8, "cancel"u8));
        router.Route(RoutedStanza.Iq(type, from, query.From, query.Id, answer) with { Origin = origin });
    }

    private static ReadOnlySpan<byte> Bare(ReadOnlySpan<byte> address)
    {
        int slash = address.IndexOf((byte)'/');
        return slash < 0 ? address : address[..slash];
    }
}
