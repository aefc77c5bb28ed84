using System.Text;
using EdgeNode.Core.Routing;

namespace EdgeNode.Xmpp.Tests.Stanzas;

/// <summary>The neutral fields of one message as an account-wide front-end saw them.</summary>
internal sealed record SeenMessage(StanzaOrigin Origin, MessageType Type, string From, string To, string Id, string Body, string Thread,
    MessageRelation Relation, string RelatesTo, string RelatesToSender, string[] Reactions, ChatState ChatState, bool Encrypted,
    string[] Attachments, string FromBare, string ToBare);

/// <summary>An account-wide front-end of another protocol that records what the router hands it.</summary>
internal sealed class RecordingFrontEnd(StanzaOrigin protocol = StanzaOrigin.Matrix, AccountReach reach = AccountReach.NotUsed) : IAccountFrontEnd
{
    public List<SeenMessage> Messages { get; } = [];
    public List<AccountPresence> Presences { get; } = [];
    public HashSet<(string, string)> Shared { get; } = [];
    public StanzaOrigin Protocol => protocol;

    public AccountReach Deliver(in RoutedStanza stanza, ReadOnlySpan<char> fromBare, ReadOnlySpan<char> toBare)
    {
        Messages.Add(new SeenMessage(stanza.Origin, stanza.MessageType, Text(stanza.From), Text(stanza.To), Text(stanza.Id), Text(stanza.Body),
            Text(stanza.Thread), stanza.Relation, Text(stanza.RelatesTo), Text(stanza.RelatesToSender), stanza.Reactions.ToArray(),
            stanza.ChatState, stanza.Encrypted, stanza.Attachments.ToArray(), fromBare.ToString(), toBare.ToString()));
        return reach;
    }

    public void ShowPresence(AccountPresence presence) => Presences.Add(presence);

    public bool ShareConversation(string bareA, string bareB) => Shared.Contains((bareA, bareB)) || Shared.Contains((bareB, bareA));

    private static string Text(ReadOnlySpan<byte> value) => Encoding.UTF8.GetString(value);
}
