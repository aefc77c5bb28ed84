using System.Text;
using System.Threading.Channels;
using EdgeNode.Core.Addressing;
using EdgeNode.Core.Configuration;
using EdgeNode.Core.Devices;
using EdgeNode.Core.Participants;
using EdgeNode.Core.Routing;
using EdgeNode.Core.Topics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Devices.Participants;

/// <summary>
/// Makes devices chat participants (DESIGN.md "The one idea"): MQTT traffic from the hub goes through the
/// convention adapters into the registry; every device gets a session on the router, its owners get it in their
/// rosters with its presence, its readings as headline messages, and what they write to it becomes MQTT commands
/// whose echo is answered in chat. Everything a device says goes through the router with origin Device, to the
/// person's bare address, so every front-end (XMPP sessions, Matrix rooms) shows it; its presence is also published
/// as the device's account presence. It speaks no protocol itself: MQTT is a topic bus (<see cref="ITopicBus"/>),
/// rosters and vCards come from a participant directory (<see cref="IParticipantDirectory"/>), pins from
/// <see cref="IPinControl"/>; the executable wires in each protocol's implementation.
/// </summary>
public sealed class DeviceChatService : BackgroundService, ITopicObserver
{
    private static readonly TimeSpan OwnerPollInterval = TimeSpan.FromSeconds(1);
    private const int MaxReplayPasses = 4;

    private readonly NodeOptions _options;
    private readonly Router _router;
    private readonly IParticipantDirectory _directory;
    private readonly ITopicBus _bus;
    private readonly DeviceRegistry _registry;
    private readonly DeviceGateway _gateway;
    private readonly DeviceOwnerStore _owners;
    private (long External, long Local) _ownersReadAt = (-1, -1);
    private readonly System.Collections.Concurrent.ConcurrentQueue<SeenDevice> _seen = new();
    private readonly PendingCommandTracker _tracker;
    private readonly TelemetryThrottle _telemetry;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IPinControl? _gpio;
    private readonly Channel<DeviceInbound> _inbox = Channel.CreateBounded<DeviceInbound>(new BoundedChannelOptions(256) { SingleReader = true });
    private readonly Dictionary<DeviceKey, DeviceParticipant> _participants = [];
    private readonly Dictionary<DeviceKey, string> _shownPresence = [];
    private readonly DeviceSubscription _changes;
    private readonly Dictionary<string, IDisposable> _observations = new(StringComparer.Ordinal);
    private int _filtersVersion;
    private readonly Lock _replayGate = new();
    private readonly HashSet<string> _liveDuringReplay = new(StringComparer.Ordinal);
    private bool _replaying = true;
    private IReadOnlyDictionary<string, string[]> _assigned = new Dictionary<string, string[]>();
    private IReadOnlyDictionary<string, string[]> _commanding = new Dictionary<string, string[]>();

    public DeviceChatService(NodeOptions options, Router router, IParticipantDirectory directory, ITopicBus bus, DeviceRegistry registry,
        DeviceGateway gateway, DeviceOwnerStore owners, ILogger logger, TimeProvider? time = null, IPinControl? gpio = null)
    {
        _gpio = gpio;
        DevicesDomain = DomainOf(options, router.Domain);
        // Devices:Subdomain: the router delivers devices.<domain> addresses here instead of to federation.
        if (DevicesDomain != router.Domain) router.HostDomain(DevicesDomain);
        _options = options;
        _router = router;
        _directory = directory;
        _bus = bus;
        _registry = registry;
        _gateway = gateway;
        _owners = owners;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _tracker = new PendingCommandTracker(_time);
        _telemetry = new TelemetryThrottle(options.Devices.TelemetryInterval, _time, SendTelemetry);
        // Subscribed before any MQTT message can arrive, so no discovery is missed; devices the registry already
        // holds (hand-written profiles, declared when the gateway was made) come first as additions.
        _changes = registry.Subscribe(includeExisting: true);
    }

    /// <summary>The domain of every device's address: Node:Domain, or devices.&lt;Node:Domain&gt; with Devices:Subdomain.</summary>
    public string DevicesDomain { get; }

    public static string DomainOf(NodeOptions options, string nodeDomain) =>
        options.Devices.Subdomain is { } subdomain ? subdomain + "." + nodeDomain.ToLowerInvariant() : nodeDomain.ToLowerInvariant();

    /// <summary>The access a device gets before anyone is assigned: its owners are the node's administrators.</summary>
    public static DeviceAccess AdminAccess(NodeOptions options) =>
        DeviceAccess.OwnedBy(options.Node.Admins.Select(Jid.Parse));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _assigned = _owners.All();
        _commanding = _owners.Commanders();
        _gateway.FiltersChanged += SyncObservations;
        SyncObservations();
        DevicesLog.Started(_logger, _observations.Count, string.Join(", ", _gateway.Adapters.Select(a => a.Convention)));
        ReplayRetained();
        try
        {
            await Task.WhenAll(ChangesAsync(stoppingToken), InboxAsync(stoppingToken), OwnersAsync(stoppingToken)).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            try
            {
                FlushSeen();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                DevicesLog.WiringFailed(_logger, "the list of devices seen", e);
            }

            _gateway.FiltersChanged -= SyncObservations;
            lock (_observations)
            {
                foreach (var observation in _observations.Values) observation.Dispose();
                _observations.Clear();
            }
            _changes.Dispose();
            lock (_participants)
            {
                foreach (var participant in _participants.Values) _router.Unregister(participant);
                _participants.Clear();
            }
        }
    }

    // The broker kept retained discovery, availability and state from before the node (re)started; observers only see
    // what arrives from now on, so those are handed to the adapters once, as a new subscriber would get them.
    // Discovery can name new topics (Home Assistant's state topics), and the snapshot has no order, so a state may come
    // before its config: what nobody understood is offered again while the filters keep growing. Clients may already
    // be connected: a topic that spoke live meanwhile is newer than its snapshot and is not replayed over.
    private void ReplayRetained()
    {
        try
        {
            // The broker's own $SYS statistics are retained too, but no convention reads them: not counted as missed.
            var retained = _bus.Retained().Where(m => !m.Topic.StartsWith('$')).ToList();
            var understood = 0;
            IReadOnlyList<TopicMessage> pending = retained;
            using var replaying = DeviceRegistry.ReplayingRetained();
            for (var pass = 0; pass < MaxReplayPasses && pending.Count > 0; pass++)
            {
                var version = Volatile.Read(ref _filtersVersion);
                var left = new List<TopicMessage>();
                foreach (var message in pending)
                {
                    lock (_replayGate)
                    {
                        if (_liveDuringReplay.Contains(message.Topic)) continue;
                        if (_gateway.Handle(message.Topic, message.Payload, retained: true) > 0) understood++;
                        else left.Add(message);
                    }
                }
                if (Volatile.Read(ref _filtersVersion) == version) break;
                pending = left;
            }
            DevicesLog.RetainedReplayed(_logger, understood, retained.Count);
        }
        finally
        {
            lock (_replayGate)
            {
                _replaying = false;
                _liveDuringReplay.Clear();
            }
        }
    }

    // The hub is told of every filter the adapters want now. Called again when discovery changes them: on the thread
    // handling that message, before the next one, so a state published right after its config is not missed (the
    // hub's tree takes new observers while it is being matched).
    private void SyncObservations()
    {
        lock (_observations)
        {
            var wanted = _gateway.SubscriptionFilters.ToHashSet(StringComparer.Ordinal);
            foreach (var gone in _observations.Keys.Where(f => !wanted.Contains(f)).ToList())
            {
                _observations.Remove(gone, out var observation);
                observation!.Dispose();
            }
            foreach (var filter in wanted.Where(f => !_observations.ContainsKey(f))) _observations[filter] = _bus.Observe(filter, this);
        }
        Interlocked.Increment(ref _filtersVersion);
    }

    // Told once per message however many filters match: the gateway hands it to every interested adapter itself.
    public void OnMessage(in TopicMessage message)
    {
        if (Volatile.Read(ref _replaying))
        {
            lock (_replayGate)
            {
                if (_replaying)
                {
                    _liveDuringReplay.Add(message.Topic);
                    _gateway.Handle(message.Topic, message.Payload, message.Retain);
                    return;
                }
            }
        }
        _gateway.Handle(message.Topic, message.Payload, message.Retain);
    }

    internal void Enqueue(DeviceInbound inbound)
    {
        if (!_inbox.Writer.TryWrite(inbound)) DevicesLog.InboxFull(_logger, inbound.To.Bare, inbound.From);
    }

    /// <summary>
    /// A subscription request to the device (from a user of another server: local owners get the device in their
    /// roster without asking): whoever may read the device is subscribed and gets its presence now; anyone else is
    /// told no. An unsubscribe is confirmed.
    /// </summary>
    internal void AnswerSubscription(DeviceParticipant participant, ReadOnlySpan<byte> from, bool subscribe)
    {
        var requester = Encoding.UTF8.GetString(from);
        if (!Jid.TryParse(requester, out var jid)) return;
        var to = Encoding.UTF8.GetBytes(jid.Bare.ToString());
        var device = _registry.Find(participant.Key);
        bool granted = subscribe && device is not null && device.Access.CanRead(jid, _router.Domain);
        if (subscribe) DevicesLog.SubscriptionAnswered(_logger, jid.Bare.ToString(), participant.Bare, granted);
        _router.Route(RoutedStanza.Presence(granted ? PresenceType.Subscribed : PresenceType.Unsubscribed, participant.BareUtf8, to, default) with
        {
            Origin = StanzaOrigin.Device,
        });
        if (granted) SendPresence(participant, device!, Encoding.UTF8.GetBytes(requester));
    }

    /// <summary>A probe from someone who may read the device is answered with its presence now.</summary>
    internal void AnswerProbe(DeviceParticipant participant, ReadOnlySpan<byte> from)
    {
        if (_registry.Find(participant.Key) is not { } device) return;
        var prober = Encoding.UTF8.GetString(from);
        if (!Jid.TryParse(prober, out var jid) || !device.Access.CanRead(jid, _router.Domain)) return;
        SendPresence(participant, device, Encoding.UTF8.GetBytes(prober));
    }

    /// <summary>
    /// An iq to the device's address: its card for whoever may read it (the directory makes the vCard), forbidden
    /// for anyone else, service-unavailable for other queries.
    /// </summary>
    internal void AnswerIq(DeviceParticipant participant, in RoutedStanza stanza) =>
        _directory.Answer(stanza, _registry.Find(participant.Key) is { } device ? DescriptionOf(device) : null, StanzaOrigin.Device);

    /// <summary>
    /// The device as a participant, in no protocol's terms: its name, its group (what it mostly is), the local
    /// people who have it among their contacts, everyone who may see it, and a card (model, maker, firmware and
    /// capabilities).
    /// </summary>
    internal ParticipantDescription DescriptionOf(Device device)
    {
        var description = new StringBuilder();
        description.Append(device.Convention).Append(" device");
        if (device.Info.Firmware is { Length: > 0 } firmware) description.Append(", firmware ").Append(firmware);
        if (device.Capabilities.Count > 0)
        {
            description.Append(". It has: ").Append(string.Join(", ", device.Capabilities.Select(c =>
                $"{c.DisplayName} ({KindName(c.Kind)}{(string.IsNullOrEmpty(c.Unit) ? "" : ", " + c.Unit)})")));
        }
        description.Append('.');
        return new ParticipantDescription(BareOf(device), device.DisplayName, ParticipantKind.Device)
        {
            Groups = [DeviceGroups.Of(device)],
            Contacts = [.. LocalOwners(device)],
            Viewers = [.. device.Access.Owners.Concat(device.Access.Commanders).Concat(device.Access.Readers).Select(j => j.Bare.ToString()).Distinct(StringComparer.Ordinal)],
            Nickname = device.Localpart,
            Organisation = device.Info.Manufacturer,
            Title = device.Info.Model,
            Description = description.ToString(),
        };
    }

    private static string KindName(CapabilityKind kind) => kind switch
    {
        CapabilityKind.BinarySensor => "binary sensor",
        _ => kind.ToString().ToLowerInvariant(),
    };

    private async Task ChangesAsync(CancellationToken stop)
    {
        await foreach (var change in _changes.Reader.ReadAllAsync(stop).ConfigureAwait(false))
        {
            try
            {
                _tracker.Observe(change);
                Apply(change);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                DevicesLog.WiringFailed(_logger, $"{change.Kind} of {change.Device.Key}", e);
            }
        }
    }

    private void Apply(DeviceChange change)
    {
        var device = change.Device;
        switch (change.Kind)
        {
            case DeviceChangeKind.Added:
                Register(device);
                // Written with the others of the same second (OwnersAsync): a crowd of devices arriving at once
                // should not each wait for the database's one writer before its owner hears of it.
                _seen.Enqueue(new SeenDevice(device.Localpart, device.Convention.ToString(), device.Key.NativeId, device.DisplayName));
                SyncRoster(device, null);
                if (AccessFor(device.Localpart) is { } assigned) _registry.SetAccess(device.Key, assigned);
                ShowPresence(device);
                break;
            case DeviceChangeKind.Described:
                SyncRoster(device, change.Previous);
                ShowPresence(device);
                break;
            case DeviceChangeKind.Availability:
                ShowPresence(device);
                break;
            case DeviceChangeKind.Readings:
                // A pin's edge is an event (a button press), not a sample: coalescing could swallow the press.
                if (device.Convention == DeviceConvention.Gpio) SendTelemetry(device.Key, change.Readings);
                else _telemetry.Offer(device.Key, change.Readings);
                ShowPresence(device);
                break;
            case DeviceChangeKind.Access:
                SyncRoster(device, change.Previous);
                DevicesLog.OwnersChanged(_logger, device.Localpart, Names(device.Access.Owners));
                _shownPresence.Remove(device.Key);
                ShowPresence(device);
                break;
            case DeviceChangeKind.Renamed:
                if (change.Previous is { } before) Unregister(before, removeFromRosters: true);
                Register(device);
                SyncRoster(device, null);
                ShowPresence(device);
                break;
            case DeviceChangeKind.Removed:
                Unregister(device, removeFromRosters: true);
                _telemetry.Forget(device.Key);
                break;
        }
    }

    private void Register(Device device)
    {
        var participant = new DeviceParticipant(device.Key, BareOf(device), this);
        lock (_participants)
        {
            if (_participants.Remove(device.Key, out var old)) _router.Unregister(old);
            _participants[device.Key] = participant;
        }
        _router.Register(participant)?.Close(TargetCloseReason.Replaced);
        DevicesLog.ParticipantRegistered(_logger, device.Key, participant.Bare, Names(device.Access.Owners));
    }

    private void Unregister(Device device, bool removeFromRosters)
    {
        DeviceParticipant? participant;
        lock (_participants)
        {
            _participants.Remove(device.Key, out participant);
        }
        if (participant is null) return;
        foreach (var owner in LocalOwners(device)) RouteUnavailable(participant, Encoding.UTF8.GetBytes(owner));
        if (removeFromRosters) _directory.Forget(DescriptionOf(device));
        _router.Unregister(participant);
        _shownPresence.Remove(device.Key);
        _router.PublishPresence(new AccountPresence(participant.Bare, StanzaOrigin.Device, false));
    }

    private DeviceParticipant? ParticipantOf(DeviceKey key)
    {
        lock (_participants) return _participants.GetValueOrDefault(key);
    }

    // Owners get the device without the subscription handshake, both ways (they see it, it "sees" them), in a
    // group named after what it mostly is; former owners lose it (and see it go unavailable).
    private void SyncRoster(Device device, Device? previous)
    {
        if (previous is not null && ParticipantOf(device.Key) is { } participant)
        {
            var owners = LocalOwners(device).ToHashSet(StringComparer.Ordinal);
            foreach (var former in LocalOwners(previous).Where(o => !owners.Contains(o))) RouteUnavailable(participant, Encoding.UTF8.GetBytes(former));
        }
        _directory.Describe(DescriptionOf(device), previous is null ? null : DescriptionOf(previous));
    }

    // Presence goes out when what it shows changes: availability, or the status line of key readings.
    private void ShowPresence(Device device)
    {
        if (ParticipantOf(device.Key) is not { } participant) return;
        var shown = device.Availability + "|" + StatusText(device);
        if (_shownPresence.TryGetValue(device.Key, out var last) && last == shown) return;
        _shownPresence[device.Key] = shown;
        foreach (var owner in LocalOwners(device).Concat(RemoteReaders(device))) SendPresence(participant, device, Encoding.UTF8.GetBytes(owner));
        var (available, show) = PresenceOf(device);
        _router.PublishPresence(new AccountPresence(participant.Bare, StanzaOrigin.Device, available, show, StatusText(device)));
    }

    private static (bool Available, PresenceShow Show) PresenceOf(Device device) => device.Availability.ToPresence() switch
    {
        DevicePresence.Unavailable => (false, PresenceShow.None),
        DevicePresence.Away => (true, PresenceShow.Away),
        DevicePresence.DoNotDisturb => (true, PresenceShow.DoNotDisturb),
        _ => (true, PresenceShow.None),
    };

    private void SendPresence(DeviceParticipant participant, Device device, byte[] to)
    {
        var (available, show) = PresenceOf(device);
        var type = available ? PresenceType.Available : PresenceType.Unavailable;
        _router.Route(new RoutedStanza(StanzaKind.Presence, (byte)type, participant.FullAddressUtf8, to, default, default, default)
        {
            Origin = StanzaOrigin.Device,
            Show = show,
            Status = Encoding.UTF8.GetBytes(StatusText(device)),
        });
    }

    private void RouteUnavailable(DeviceParticipant participant, byte[] to) =>
        _router.Route(RoutedStanza.Presence(PresenceType.Unavailable, participant.FullAddressUtf8, to, default) with { Origin = StanzaOrigin.Device });

    private static string StatusText(Device device)
    {
        var line = DeviceTexts.StatusLine(device);
        return device.Availability is DeviceAvailability.Online || line.Length == 0 && device.Availability == DeviceAvailability.Unknown
            ? line
            : line.Length == 0 ? device.Availability.ToText() : device.Availability.ToText() + ": " + line;
    }

    // Headline: readings are for whoever is looking now, on every resource, and are never kept offline or
    // carbon-copied (RFC 6121 5.2.2); a stale reading replayed hours later would mislead.
    private void SendTelemetry(DeviceKey key, IReadOnlyList<Reading> readings)
    {
        try
        {
            if (_registry.Find(key) is not { } device || ParticipantOf(key) is not { } participant) return;
            var fields = new StanzaField[readings.Count];
            for (var i = 0; i < readings.Count; i++)
            {
                var reading = readings[i];
                var unit = reading.Attribute is null ? device.FindCapability(reading.Capability)?.Unit : null;
                fields[i] = new StanzaField(reading.Key, reading.Value.Text, unit);
            }
            var text = DeviceTexts.Telemetry(device, readings);
            var body = Encoding.UTF8.GetBytes(text);
            foreach (var owner in LocalOwners(device).Concat(RemoteReaders(device)))
            {
                _router.Route(RoutedStanza.Message(MessageType.Headline, participant.FullAddressUtf8, Encoding.UTF8.GetBytes(owner), default, body, default) with
                {
                    Origin = StanzaOrigin.Device,
                    Fields = fields,
                });
            }
        }
        catch (Exception e)
        {
            // Called from a timer too, where an exception would end the process.
            DevicesLog.WiringFailed(_logger, $"telemetry of {key}", e);
        }
    }

    private async Task InboxAsync(CancellationToken stop)
    {
        await foreach (var inbound in _inbox.Reader.ReadAllAsync(stop).ConfigureAwait(false))
        {
            try
            {
                Command(inbound);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                DevicesLog.WiringFailed(_logger, $"a message to {inbound.To.Bare}", e);
            }
        }
    }

    private void Command(DeviceInbound inbound)
    {
        var participant = inbound.To;
        if (_registry.Find(participant.Key) is not { } device) return;
        if (!Jid.TryParse(inbound.From, out var sender)) return;
        var level = device.Access.LevelFor(sender, _router.Domain);
        if (level == DeviceAccessLevel.None)
        {
            Refuse(inbound, device);
            return;
        }

        // Pulse is a GPIO output's own verb (on, wait, off); the shared grammar has no use for it.
        if (device.Convention == DeviceConvention.Gpio && _gpio is not null && _gpio.TryParsePulse(inbound.Body, out var duration, out var pulseError))
        {
            if (level != DeviceAccessLevel.Command) Refuse(inbound, device);
            else if (pulseError is not null) Reply(inbound, pulseError);
            else Pulse(inbound, device, sender, duration);
            return;
        }

        var parsed = CommandParser.Parse(inbound.Body, device);
        if (!parsed.Success)
        {
            Reply(inbound, parsed.Error);
            return;
        }

        var command = parsed.Command;
        switch (command.Action)
        {
            case CommandAction.Help:
                Reply(inbound, DeviceTexts.Help(device));
                return;
            case CommandAction.Status:
                // Answered from the last known state: readers may ask too, and nothing needs to go over the air.
                Reply(inbound, DeviceTexts.StatusReport(device, _time.GetUtcNow()));
                return;
        }

        if (level != DeviceAccessLevel.Command)
        {
            Refuse(inbound, device);
            return;
        }

        if (device.Convention == DeviceConvention.Gpio && _gpio is not null)
        {
            CommandGpio(inbound, device, sender, command);
            return;
        }

        // Known to be offline: said at once rather than after the echo timeout. Not queued: most firmwares connect
        // with a clean session, so the broker would drop the command anyway, and a switch that flips hours later
        // surprises whoever asked.
        if (device.Availability == DeviceAvailability.Offline)
        {
            DevicesLog.CommandNotSentOffline(_logger, sender.Bare.ToString(), device.Localpart, command.ToString());
            Reply(inbound, DeviceTexts.Offline(device, _time.GetUtcNow(), _time.LocalTimeZone));
            return;
        }

        var translation = _gateway.Translate(device, command);
        if (!translation.Success)
        {
            Reply(inbound, translation.Error!);
            return;
        }

        // Tracked before publishing, so that an echo faster than this thread cannot be missed.
        var pending = _tracker.Track(device, command, _options.Devices.CommandTimeout);
        foreach (var publication in translation.Publications)
        {
            _bus.Publish(publication.Topic, publication.Payload, publication.Qos, retain: false);
        }
        DevicesLog.CommandSent(_logger, sender.Bare.ToString(), device.Localpart, command.ToString(), translation.Publications.Count);
        if (translation.Publications.Count == 0)
        {
            Reply(inbound, DeviceTexts.StatusReport(device, _time.GetUtcNow()));
            return;
        }
        pending.Completion.ContinueWith(static (done, state) =>
        {
            var (service, message) = ((DeviceChatService, DeviceInbound))state!;
            service.Reply(message, done.Result.Text);
        }, (this, inbound), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
    }

    // The same path as an MQTT device: tracked first, then the pin's reported state answers "done: on".
    private void CommandGpio(DeviceInbound inbound, Device device, Jid sender, DeviceCommand command)
    {
        var pending = _tracker.Track(device, command, _options.Devices.CommandTimeout);
        DevicesLog.PinCommanded(_logger, sender.Bare.ToString(), device.Localpart, command.ToString());
        if (_gpio!.Execute(device, command) is { } error)
        {
            Reply(inbound, error);
            return;
        }
        ReplyWhenDone(pending.Completion.ContinueWith(static done => done.Result.Text, CancellationToken.None,
            TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default), inbound);
    }

    private void Pulse(DeviceInbound inbound, Device device, Jid sender, TimeSpan duration)
    {
        DevicesLog.PinCommanded(_logger, sender.Bare.ToString(), device.Localpart, "pulse");
        ReplyWhenDone(_gpio!.Pulse(device, duration), inbound);
    }

    private void ReplyWhenDone(Task<string> answer, DeviceInbound inbound) =>
        answer.ContinueWith(static (done, state) =>
        {
            var (service, message) = ((DeviceChatService, DeviceInbound))state!;
            service.Reply(message, done.Result);
        }, (this, inbound), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);

    private void Refuse(DeviceInbound inbound, Device device)
    {
        DevicesLog.CommandRefused(_logger, inbound.From, device.Localpart);
        // An XMPP client shows an error beside what was sent; Matrix has no error for a message already in the
        // room, so there the refusal is the device's answer like any other.
        if (inbound.Origin == StanzaOrigin.Matrix)
        {
            Reply(inbound, DeviceTexts.Forbidden(device.Localpart));
            return;
        }

        _router.Route(RoutedStanza.Message(MessageType.Error, inbound.To.FullAddressUtf8, Encoding.UTF8.GetBytes(inbound.From),
            inbound.Id is null ? default : Encoding.UTF8.GetBytes(inbound.Id), Encoding.UTF8.GetBytes(DeviceTexts.Forbidden(device.Localpart)), default) with
        {
            Origin = StanzaOrigin.Device,
            Error = StanzaErrorCondition.Forbidden,
        });
    }

    private void Reply(DeviceInbound inbound, string text) =>
        _router.Route(RoutedStanza.Message(inbound.Type == MessageType.Normal ? MessageType.Normal : MessageType.Chat, inbound.To.FullAddressUtf8,
            Encoding.UTF8.GetBytes(inbound.From), default, Encoding.UTF8.GetBytes(text), default) with
        {
            Origin = StanzaOrigin.Device,
        });

    // `edgenode device owner` writes to the store, possibly while the node runs; the node notices within a second.
    private async Task OwnersAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(OwnerPollInterval, _time);
        while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
        {
            try
            {
                FlushSeen();
                // Reload only when someone wrote to the database (a verb from another process, or this node).
                var version = _owners.StoreVersion();
                if (version == _ownersReadAt) continue;
                _ownersReadAt = version;
                var now = _owners.All();
                var commanding = _owners.Commanders();
                if (SameAssignments(now, _assigned) && SameAssignments(commanding, _commanding)) continue;
                _assigned = now;
                _commanding = commanding;
                foreach (var device in _registry.All)
                {
                    var assigned = AccessFor(device.Localpart);
                    var access = assigned ?? _gpio?.ConfiguredAccess(device.Key) ?? AdminAccess(_options);
                    var commanders = assigned?.Commanders ?? device.Access.Commanders;
                    if (!access.Owners.SequenceEqual(device.Access.Owners) || !commanders.SequenceEqual(device.Access.Commanders))
                        _registry.SetAccess(device.Key, access with { Readers = device.Access.Readers, Commanders = commanders });
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                DevicesLog.WiringFailed(_logger, "the device owners", e);
            }
        }
    }

    private void FlushSeen()
    {
        if (_seen.IsEmpty) return;
        var batch = new List<SeenDevice>();
        while (_seen.TryDequeue(out var device)) batch.Add(device);
        _owners.Seen(batch);
    }

    private DeviceAccess? AccessFor(string localpart) =>
        _assigned.TryGetValue(localpart, out var owners) && owners.Length > 0
            ? DeviceAccess.Assigned(owners, _commanding.GetValueOrDefault(localpart) ?? [])
            : null;

    private static bool SameAssignments(IReadOnlyDictionary<string, string[]> a, IReadOnlyDictionary<string, string[]> b) =>
        a.Count == b.Count && a.All(p => b.TryGetValue(p.Key, out var other) && other.SequenceEqual(p.Value));

    private IEnumerable<string> LocalOwners(Device device) =>
        device.Access.Owners.Concat(device.Access.Commanders).Concat(device.Access.Readers)
            .Where(j => j.Local is not null && string.Equals(j.Domain, _router.Domain, StringComparison.OrdinalIgnoreCase))
            .Select(j => j.Bare.ToString()).Distinct(StringComparer.Ordinal);

    /// <summary>
    /// People on other servers who may read the device (named in its access list: owners there may read, and
    /// command only when also listed as commanders). They get its presence and readings over federation; the
    /// subscription is theirs to ask for (their server keeps their roster).
    /// </summary>
    private IEnumerable<string> RemoteReaders(Device device) =>
        device.Access.Owners.Concat(device.Access.Commanders).Concat(device.Access.Readers)
            .Where(j => j.Local is not null && !string.Equals(j.Domain, _router.Domain, StringComparison.OrdinalIgnoreCase)
                && !string.Equals(j.Domain, DevicesDomain, StringComparison.OrdinalIgnoreCase))
            .Select(j => j.Bare.ToString()).Distinct(StringComparer.Ordinal);

    private string BareOf(Device device) => device.Localpart + "@" + DevicesDomain;

    private static string Names(IReadOnlyList<Jid> owners) => owners.Count == 0 ? "nobody" : string.Join(", ", owners);

    public override void Dispose()
    {
        _changes.Dispose();
        base.Dispose();
    }
}
