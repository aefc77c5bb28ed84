using System.Text;
using EdgeNode.Core.Routing;

namespace EdgeNode.Matrix.Tests.Bridge;

/// <summary>What an XMPP session got from the router, in the neutral model's terms.</summary>
internal sealed record Received(string From, string To, string Id, string Body, string FormattedBody, StanzaOrigin Origin, bool Notice,
    bool Encrypted, MessageRelation Relation, string RelatesTo, string RelatesToSender, string[] Reactions, string[] Attachments);

/// <summary>An available session of one account that records the messages the router hands it.</summary>
internal sealed class RecordingTarget(string bare, string resource = "phone") : IRouteTarget
{
    private readonly byte[] _resource = Encoding.UTF8.GetBytes(resource);
    private readonly byte[] _full = Encoding.UTF8.GetBytes(bare + "/" + resource);

    public string Bare { get; } = bare;
    public ReadOnlySpan<byte> Resource => _resource;
    public ReadOnlySpan<byte> FullAddress => _full;
    public bool IsAvailable => true;
    public int Priority => 0;
    public List<Received> Messages { get; } = [];
    public List<(CopyKind Kind, Received Message)> Copies { get; } = [];

    public bool Deliver(in RoutedStanza stanza)
    {
        lock (Messages) Messages.Add(Read(stanza));
        return true;
    }

    public void DeliverCopy(in RoutedStanza stanza, CopyKind kind)
    {
        lock (Copies) Copies.Add((kind, Read(stanza)));
    }

    public void Close(TargetCloseReason reason)
    {
    }

    private static Received Read(in RoutedStanza s) => new(Encoding.UTF8.GetString(s.From), Encoding.UTF8.GetString(s.To),
        Encoding.UTF8.GetString(s.Id), Encoding.UTF8.GetString(s.Body), Encoding.UTF8.GetString(s.FormattedBody), s.Origin, s.Notice,
        s.Encrypted, s.Relation, Encoding.UTF8.GetString(s.RelatesTo), Encoding.UTF8.GetString(s.RelatesToSender), s.Reactions.ToArray(),
        s.Attachments.ToArray());
}
