using System.Text;
using System.Threading.Channels;
using EdgeNode.Core.Addressing;
using EdgeNode.Core.Configuration;
using EdgeNode.Core.Participants;
using EdgeNode.Core.Routing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Devices.Participants;

/// <summary>
/// The node as a participant (DESIGN.md "The one idea"): node@&lt;domain&gt; is in every local administrator's roster,
/// shows as available while the node runs, and answers what its commands understand (the executable gives them: they reach the MQTT accounts too). Anyone who is
/// not in Node:Admins gets forbidden and nothing is done. The address has a local part, not the bare domain,
/// because clients treat a bare domain as a server or gateway (and the server answers its iqs itself), while
/// name@domain is an ordinary contact every client can chat with.
/// </summary>
public sealed class NodeChatService : BackgroundService
{
    public const string Group = "EdgeNode";
    private const string PresenceStatus = "EdgeNode: say 'status' or 'help'";

    private readonly Router _router;
    private readonly IParticipantDirectory _directory;
    private readonly ParticipantDescription _description;
    private readonly Func<string, string> _commands;
    private readonly Func<string, bool> _isAccount;
    private readonly ILogger _logger;
    private readonly HashSet<string> _admins;
    private readonly Channel<NodeInbound> _inbox = Channel.CreateBounded<NodeInbound>(new BoundedChannelOptions(64) { SingleReader = true });

    public NodeChatService(NodeOptions options, Router router, IParticipantDirectory directory, Func<string, string> commands, Func<string, bool> isAccount,
        string version, ILogger logger)
    {
        _router = router;
        _directory = directory;
        _commands = commands;
        _isAccount = isAccount;
        _logger = logger;
        _admins = options.Node.Admins.Select(a => Jid.Parse(a).Bare.ToString()).ToHashSet(StringComparer.Ordinal);
        Participant = new NodeParticipant(options.Devices.NodeParticipant + "@" + router.Domain, this);
        _description = new ParticipantDescription(Participant.Bare, $"EdgeNode {router.Domain}", ParticipantKind.Node)
        {
            Groups = [Group],
            Contacts = [.. LocalAdmins()],
            Viewers = [.. _admins],
            Nickname = options.Devices.NodeParticipant,
            Title = "EdgeNode " + version,
            Description = "The node itself: say 'status' for its health, 'help' for what it understands.",
        };
    }

    internal NodeParticipant Participant { get; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_isAccount(Participant.Bare))
        {
            NodeLog.NameTaken(_logger, Participant.Bare);
            return;
        }
        _router.Register(Participant)?.Close(TargetCloseReason.Replaced);
        NodeLog.Started(_logger, Participant.Bare, _admins.Count == 0 ? "(none: set Node:Admins)" : string.Join(", ", _admins));
        _directory.Describe(_description, null);
        foreach (var admin in LocalAdmins()) SendPresence(admin);
        try
        {
            await foreach (var inbound in _inbox.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    Handle(inbound);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    NodeLog.Failed(_logger, "a message from " + inbound.From, e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            _router.Unregister(Participant);
        }
    }

    internal void Enqueue(NodeInbound inbound) => _inbox.Writer.TryWrite(inbound);

    public void AnswerProbe(string from)
    {
        if (IsAdmin(from)) SendPresence(from);
    }

    /// <summary>The node's card for its administrators; forbidden for others, service-unavailable for other queries.</summary>
    public void AnswerIq(in RoutedStanza stanza) => _directory.Answer(stanza, _description, StanzaOrigin.Node);

    private void Handle(NodeInbound inbound)
    {
        if (!IsAdmin(inbound.From))
        {
            NodeLog.Refused(_logger, inbound.From);
            _router.Route(RoutedStanza.Message(MessageType.Error, Participant.FullAddressUtf8, Encoding.UTF8.GetBytes(inbound.From),
                inbound.Id is null ? default : Encoding.UTF8.GetBytes(inbound.Id),
                Encoding.UTF8.GetBytes($"only the administrators of {_router.Domain} may talk to {Participant.Bare}"), default) with
            {
                Origin = StanzaOrigin.Node,
                Error = StanzaErrorCondition.Forbidden,
            });
            return;
        }
        var verb = inbound.Body.Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
        NodeLog.Commanded(_logger, inbound.From, verb);
        var answer = _commands(inbound.Body);
        _router.Route(RoutedStanza.Message(inbound.Type == MessageType.Normal ? MessageType.Normal : MessageType.Chat, Participant.FullAddressUtf8,
            Encoding.UTF8.GetBytes(inbound.From), default, Encoding.UTF8.GetBytes(answer), default) with
        {
            Origin = StanzaOrigin.Node,
        });
    }

    private bool IsAdmin(string address) =>
        Jid.TryParse(address, out var jid) && jid.Local is not null && _admins.Contains(jid.Bare.ToString());

    private IEnumerable<string> LocalAdmins() =>
        _admins.Where(a => Jid.Parse(a).Domain == _router.Domain);

    private void SendPresence(string to) =>
        _router.Route(new RoutedStanza(StanzaKind.Presence, (byte)PresenceType.Available, Participant.FullAddressUtf8, Encoding.UTF8.GetBytes(to),
            default, default, default)
        {
            Origin = StanzaOrigin.Node,
            Status = Encoding.UTF8.GetBytes(PresenceStatus),
        });

    public override void Dispose()
    {
        _inbox.Writer.TryComplete();
        base.Dispose();
    }
}
