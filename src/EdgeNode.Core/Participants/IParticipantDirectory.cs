using EdgeNode.Core.Routing;

namespace EdgeNode.Core.Participants;

/// <summary>
/// Where a participant the node speaks for is made known to people on a protocol that keeps contact lists and
/// answers queries about participants (XMPP: rosters and vCards). The participant's service describes it; the
/// directory turns the description into the protocol's own items and answers.
/// </summary>
public interface IParticipantDirectory
{
    /// <summary>
    /// The participant is (still) as <paramref name="now"/> describes it; <paramref name="before"/> is how it was
    /// described last (null the first time), so that people who are no longer its contacts lose it.
    /// </summary>
    void Describe(ParticipantDescription now, ParticipantDescription? before);

    /// <summary>The participant is gone: its contacts lose it.</summary>
    void Forget(ParticipantDescription participant);

    /// <summary>
    /// A query (an iq) to the participant's address: its card for those who may see it, the protocol's refusal for
    /// anyone else, and "not offered" for queries it does not answer. <paramref name="participant"/> null means the
    /// participant is unknown now (refused). The answer is routed back with <paramref name="origin"/>.
    /// </summary>
    void Answer(in RoutedStanza query, ParticipantDescription? participant, StanzaOrigin origin);
}
