using System.Text;
using EdgeNode.Core.Devices;
using EdgeNode.Core.Routing;

namespace EdgeNode.Devices.Participants;

/// <summary>
/// A device's one session on the router. It is always reachable (so a command to a device that is offline still
/// gets an answer rather than landing in an offline store); what it shows as presence is the device's own
/// availability, answered to probes. Deliver copies what it needs and returns at once: the chat work happens on
/// the device service's loop.
/// </summary>
public sealed class DeviceParticipant : IRouteTarget
{
    public const string ResourceName = "edgenode";

    private readonly DeviceChatService _service;
    private readonly byte[] _resource = Encoding.UTF8.GetBytes(ResourceName);
    private readonly byte[] _full;

    public DeviceParticipant(DeviceKey key, string bare, DeviceChatService service)
    {
        Key = key;
        Bare = bare;
        BareUtf8 = Encoding.UTF8.GetBytes(bare);
        _full = Encoding.UTF8.GetBytes(bare + "/" + ResourceName);
        _service = service;
    }

    public DeviceKey Key { get; }
    public string Bare { get; }
    public byte[] BareUtf8 { get; }
    public ReadOnlySpan<byte> Resource => _resource;
    public ReadOnlySpan<byte> FullAddress => _full;
    public byte[] FullAddressUtf8 => _full;
    public bool IsAvailable => true;
    public int Priority => 0;

    public bool Deliver(in RoutedStanza stanza)
    {
        switch (stanza.Kind)
        {
            case StanzaKind.Message when stanza.MessageType is MessageType.Chat or MessageType.Normal && !stanza.Body.IsEmpty:
                _service.Enqueue(new DeviceInbound(this, Encoding.UTF8.GetString(stanza.From), Encoding.UTF8.GetString(stanza.Body),
                    stanza.Id.IsEmpty ? null : Encoding.UTF8.GetString(stanza.Id), stanza.MessageType, stanza.Origin));
                return true;
            case StanzaKind.Presence when stanza.PresenceType == PresenceType.Probe:
                _service.AnswerProbe(this, stanza.From);
                return true;
            case StanzaKind.Presence when stanza.PresenceType is PresenceType.Subscribe or PresenceType.Unsubscribe:
                _service.AnswerSubscription(this, stanza.From, stanza.PresenceType == PresenceType.Subscribe);
                return true;
            case StanzaKind.Iq:
                _service.AnswerIq(this, stanza);
                return true;
            default:
                // Owners' own presence broadcasts, errors, headlines: a device has nothing to say to them.
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

/// <summary>
/// A chat message to a device, copied out of the sender's buffers; <see cref="Origin"/> is the front-end it was
/// written on (the answer goes back through the router to every front-end either way).
/// </summary>
internal sealed record DeviceInbound(DeviceParticipant To, string From, string Body, string? Id, MessageType Type, StanzaOrigin Origin = StanzaOrigin.Xmpp);
