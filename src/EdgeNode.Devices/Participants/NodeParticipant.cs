using System.Text;
using EdgeNode.Core.Routing;

namespace EdgeNode.Devices.Participants;

/// <summary>
/// The node itself as a contact (node@&lt;domain&gt;): a session on the router like a device's, always reachable, that
/// hands chat messages and presence probes to <see cref="NodeChatService"/> and returns at once.
/// </summary>
internal sealed class NodeParticipant : IRouteTarget
{
    private readonly NodeChatService _service;
    private readonly byte[] _resource = Encoding.UTF8.GetBytes(DeviceParticipant.ResourceName);

    public NodeParticipant(string bare, NodeChatService service)
    {
        Bare = bare;
        BareUtf8 = Encoding.UTF8.GetBytes(bare);
        FullAddressUtf8 = Encoding.UTF8.GetBytes(bare + "/" + DeviceParticipant.ResourceName);
        _service = service;
    }

    public string Bare { get; }
    public byte[] BareUtf8 { get; }
    public byte[] FullAddressUtf8 { get; }
    public ReadOnlySpan<byte> Resource => _resource;
    public ReadOnlySpan<byte> FullAddress => FullAddressUtf8;
    public bool IsAvailable => true;
    public int Priority => 0;

    public bool Deliver(in RoutedStanza stanza)
    {
        switch (stanza.Kind)
        {
            case StanzaKind.Message when stanza.MessageType is MessageType.Chat or MessageType.Normal && !stanza.Body.IsEmpty:
                _service.Enqueue(new NodeInbound(Encoding.UTF8.GetString(stanza.From), Encoding.UTF8.GetString(stanza.Body),
                    stanza.Id.IsEmpty ? null : Encoding.UTF8.GetString(stanza.Id), stanza.MessageType));
                return true;
            case StanzaKind.Presence when stanza.PresenceType == PresenceType.Probe:
                _service.AnswerProbe(Encoding.UTF8.GetString(stanza.From));
                return true;
            case StanzaKind.Iq:
                _service.AnswerIq(stanza);
                return true;
            default:
                return true;
        }
    }

    public void DeliverCopy(in RoutedStanza stanza, CopyKind kind)
    {
    }

    public void Close(TargetCloseReason reason)
    {
    }

    public override string ToString() => Bare;
}

/// <summary>A chat message to the node, copied out of the sender's buffers.</summary>
internal sealed record NodeInbound(string From, string Body, string? Id, MessageType Type);
