using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using EdgeNode.Core.Accounts;
using EdgeNode.Core.Configuration;
using EdgeNode.Core.Logging;
using EdgeNode.Mqtt.Auth;
using EdgeNode.Mqtt.Codec;
using EdgeNode.Mqtt.Messaging;
using EdgeNode.Mqtt.Storage;
using EdgeNode.Mqtt.Topics;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Mqtt.Broker;

/// <summary>
/// The embedded MQTT broker: sessions by client id, the subscription tree, retained messages, wills, logins
/// and statistics. Connections feed it packets; the node publishes through <see cref="MqttMessageHub"/>.
/// </summary>
public sealed partial class MqttBroker : IMqttMessageTarget
{
    [ThreadStatic]
    private static List<MatchedSubscription<MqttSession>>? t_matches;

    [ThreadStatic]
    private static uint[]? t_ids;

    private readonly Dictionary<string, MqttSession> _sessions = new(StringComparer.Ordinal);
    private readonly Lock _sessionsLock = new();
    private readonly Dictionary<string, MqttMessage> _retained = new(StringComparer.Ordinal);
    private readonly Lock _retainedLock = new();
    private readonly ConcurrentDictionary<MqttConnection, byte> _connections = new();
    private readonly MqttDeviceStore? _devices;
    private readonly LoginThrottle _throttle;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly BurstLog _publishDenials = new(TimeProvider.System, TimeSpan.FromSeconds(10));
    private readonly BurstLog _subscribeDenials = new(TimeProvider.System, TimeSpan.FromSeconds(10));

    public MqttBroker(MqttOptions options, MqttMessageHub hub, ILogger logger, MqttBrokerStorage? storage = null, MqttDeviceStore? devices = null, LoginThrottle? throttle = null, TimeProvider? time = null)
    {
        Options = options;
        Hub = hub;
        _logger = logger;
        Storage = storage;
        _devices = devices;
        _time = time ?? TimeProvider.System;
        _throttle = throttle ?? new LoginThrottle(new LoginOptions(), _time);
        BacklogLimit = Math.Max(4L * 1024 * 1024, 2L * options.MaxPacketSize);
        hub.AddTarget(this);
    }

    public MqttOptions Options { get; }

    public MqttMessageHub Hub { get; }

    public MqttBrokerStats Stats { get; } = new();

    public long StartedAt { get; } = Environment.TickCount64;

    internal MqttBrokerStorage? Storage { get; }

    /// <summary>
    /// Milliseconds on the broker's clock, which times sessions and connections: will delays, session expiry, the
    /// CONNECT deadline, keep-alives, backlogs and closing. It comes from the broker's <see cref="TimeProvider"/>, so
    /// tests move it instead of waiting.
    /// </summary>
    internal long Now
    {
        get
        {
            long ticks = _time.GetTimestamp();
            long frequency = _time.TimestampFrequency;
            return ticks / frequency * 1000 + ticks % frequency * 1000 / frequency;
        }
    }

    /// <summary>
    /// Shared subscriptions ($share/{name}/{filter}) give each message to one member of the group, round-robin among
    /// the members whose client is connected; only when none is does an offline persistent member get it queued.
    /// </summary>
    internal SubscriptionTree<MqttSession> Tree { get; } = new(comparer: ReferenceEqualityComparer.Instance)
    {
        SharedMemberAvailable = static session => session.Connection is { IsClosing: false },
    };

    /// <summary>Bytes written to one connection and not yet taken by its socket, at most (set lower by tests).</summary>
    internal long BacklogLimit { get; set; }

    public int SessionCount
    {
        get
        {
            lock (_sessionsLock)
            {
                return _sessions.Count;
            }
        }
    }

    public int RetainedCount
    {
        get
        {
            lock (_retainedLock)
            {
                return _retained.Count;
            }
        }
    }

    public int SubscriptionCount => Tree.Count;

    /// <summary>The retained messages now (expired ones left out): what a subscriber to '#' would get first.</summary>
    public IReadOnlyList<MqttMessage> RetainedMessages()
    {
        MqttMessage[] snapshot;
        lock (_retainedLock)
        {
            snapshot = [.. _retained.Values];
        }

        long now = Environment.TickCount64;
        return [.. snapshot.Where(m => !m.IsExpired(now, out _))];
    }

    /// <summary>Reads retained messages and persistent sessions back from the database (at start-up).</summary>
    public void Load()
    {
        if (Storage is null)
        {
            return;
        }

        (List<(MqttMessage Message, string? Owner)> retained, List<RestoredSession> sessions) = Storage.Load(Options.MaxSessionExpiry, Now);
        lock (_retainedLock)
        {
            // Kept even beyond the limits (they may have been lowered): the limits only refuse what comes next.
            foreach ((MqttMessage message, string? owner) in retained)
            {
                _retained[message.Topic] = message;
                _retainedQuota.Set(message, owner);
            }
        }

        int messages = 0;
        lock (_sessionsLock)
        {
            foreach (RestoredSession restored in sessions)
            {
                string clientId = SessionKeys.ClientIdOf(restored.ClientId, restored.Username);
                var session = new MqttSession(this, clientId)
                {
                    Key = SessionKeys.Of(restored.Username, clientId),
                    StorageKey = restored.ClientId,
                    ExpirySeconds = CapExpiry(restored.ExpirySeconds),
                    Username = restored.Username,
                    DisconnectedAt = restored.DisconnectedAt,
                };
                foreach ((string filter, MqttSubscriptionOptions options, uint identifier) in restored.Subscriptions)
                {
                    // Kept even beyond the limits (they may have been lowered): the limits only refuse what comes next.
                    if (Tree.Subscribe(session, filter, options, identifier) != SubscribeResult.InvalidFilter)
                    {
                        session.Subscriptions[filter] = new SessionSubscription(options, identifier);
                        AddSubscriptions(session.Username, 1);
                    }
                }

                foreach (OutboundItem item in restored.Messages)
                {
                    session.Restore(item);
                    messages++;
                }

                _sessions[session.Key] = session;
            }
        }

        MqttBrokerLog.SessionsRestored(_logger, sessions.Count, messages, retained.Count);
    }

    /// <summary>The seconds a session may outlive its connection, held to Mqtt:MaxSessionExpirySeconds.</summary>
    public uint CapExpiry(uint requested) => (uint)Math.Min(requested, (long)Options.MaxSessionExpiry.TotalSeconds);

    /// <summary>Serves one network connection until it closes.</summary>
    public async Task ServeAsync(Microsoft.AspNetCore.Connections.ConnectionContext context)
    {
        var connection = new MqttConnection(this, context);
        _connections[connection] = 0;
        try
        {
            await connection.RunAsync().ConfigureAwait(false);
        }
        finally
        {
            _connections.TryRemove(connection, out _);
        }
    }

    /// <summary>Publishes a message from the node or the bridge to the broker's subscribers.</summary>
    public void Publish(MqttMessage message, MqttMessageOrigin origin)
    {
        ArgumentNullException.ThrowIfNull(message);
        Stats.PublishReceivedOne();
        if (message.Retain && SetRetained(message, persist: true, owner: null, enforce: true) != RetainedVerdict.Stored)
        {
            // The node's own messages (and the bridge's) have nobody to be told: still delivered, not kept.
            LogNodeRetainedFull(message.Topic);
        }

        if (message.IsExpired(Environment.TickCount64, out uint? remaining))
        {
            return;
        }

        RoutedMessage routed = RoutedMessage.FromMessage(message, remaining);
        Route(null, ref routed);
    }

    /// <summary>
    /// A client's PUBLISH. QuotaExceeded, with nothing stored or delivered, when it would take its account or the
    /// node past a retained-message limit.
    /// </summary>
    internal MqttReasonCode PublishFromClient(MqttSession publisher, ReadOnlySpan<byte> topic, in MqttPublish publish)
    {
        Stats.PublishReceivedOne();
        RoutedMessage routed = RoutedMessage.FromPublish(topic, publish);
        if (publish.Retain && SetRetained(routed.GetOwned(), persist: true, AccountOf(publisher.Username), enforce: true) != RetainedVerdict.Stored)
        {
            Stats.Dropped();
            return MqttReasonCode.QuotaExceeded;
        }

        if (Hub.Wants(topic))
        {
            Hub.Arrived(routed.GetOwned(), MqttMessageOrigin.EmbeddedBroker);
        }

        Route(publisher, ref routed);
        return MqttReasonCode.Success;
    }

    /// <summary>
    /// Finds the subscribers of a topic and hands each subscribing session the message once, at the highest QoS
    /// among its matching subscriptions, with all their identifiers. Nothing is allocated for QoS 0 deliveries.
    /// </summary>
    internal void Route(MqttSession? publisher, ref RoutedMessage message)
    {
        List<MatchedSubscription<MqttSession>> matches = t_matches ??= new List<MatchedSubscription<MqttSession>>(32);
        uint[] ids = t_ids ??= new uint[32];
        matches.Clear();
        var collector = new Collector(matches);
        Tree.Match(message.Topic, ref collector);
        try
        {
            for (int i = 0; i < matches.Count; i++)
            {
                MqttSession session = matches[i].Subscriber;
                if (SeenBefore(matches, i, session))
                {
                    continue;
                }

                int qos = -1;
                bool retainAsPublished = false;
                int idCount = 0;
                object? sharedGroup = null;
                bool ownSubscription = false;
                for (int j = i; j < matches.Count; j++)
                {
                    MatchedSubscription<MqttSession> match = matches[j];
                    if (match.Subscriber != session || (match.Options.NoLocal && session == publisher && !match.IsShared))
                    {
                        continue;
                    }

                    qos = Math.Max(qos, Math.Min((int)match.Options.MaximumQos, (int)message.Qos));
                    sharedGroup ??= match.SharedGroup;
                    ownSubscription |= !match.IsShared;
                    retainAsPublished |= match.Options.RetainAsPublished;
                    if (match.SubscriptionIdentifier != 0 && idCount < ids.Length)
                    {
                        ids[idCount++] = match.SubscriptionIdentifier;
                    }
                }

                if (qos >= 0)
                {
                    session.Deliver(ref message, (MqttQos)qos, retainAsPublished && message.Retain, ids.AsMemory(0, idCount), ownSubscription ? null : sharedGroup);
                }
            }
        }
        finally
        {
            matches.Clear();
        }
    }

    private static bool SeenBefore(List<MatchedSubscription<MqttSession>> matches, int index, MqttSession session)
    {
        for (int k = 0; k < index; k++)
        {
            if (matches[k].Subscriber == session)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Stores (or, for an empty payload, deletes) a retained message. With <paramref name="enforce"/> the retained
    /// limits apply (per account for an <paramref name="owner"/>, node-wide for all); a refused message changes nothing.
    /// </summary>
    internal RetainedVerdict SetRetained(MqttMessage message, bool persist, string? owner = null, bool enforce = false)
    {
        bool delete = message.PayloadBytes.Length == 0;
        lock (_retainedLock)
        {
            if (delete)
            {
                _retained.Remove(message.Topic);
                _retainedQuota.Remove(message.Topic);
            }
            else
            {
                RetainedVerdict verdict = enforce ? _retainedQuota.Check(message, owner, Options) : RetainedVerdict.Stored;
                if (verdict != RetainedVerdict.Stored)
                {
                    return verdict;
                }

                _retained[message.Topic] = message;
                _retainedQuota.Set(message, owner);
            }
        }

        if (persist && Storage is not null)
        {
            if (delete)
            {
                Storage.DeleteRetained(message.TopicUtf8);
            }
            else
            {
                Storage.SetRetained(message, owner);
            }
        }

        return RetainedVerdict.Stored;
    }

    internal void SendRetained(MqttSession session, ReadOnlySpan<byte> filter, MqttSubscriptionOptions options, uint identifier)
    {
        MqttMessage[] snapshot;
        lock (_retainedLock)
        {
            snapshot = [.. _retained.Values];
        }

        long now = Environment.TickCount64;
        uint[] ids = identifier == 0 ? [] : [identifier];
        foreach (MqttMessage message in snapshot)
        {
            if (TopicFilter.Matches(filter, message.TopicUtf8) && !message.IsExpired(now, out uint? remaining))
            {
                RoutedMessage routed = RoutedMessage.FromMessage(message, remaining);
                session.Deliver(ref routed, (MqttQos)Math.Min((int)message.Qos, (int)options.MaximumQos), retain: true, ids);
            }
        }
    }

    /// <summary>
    /// Adds or replaces one subscription. False, with nothing changed, when a new one would pass
    /// Mqtt:MaxSubscriptionsPerSession or Mqtt:MaxSubscriptionsPerAccount; replacing one the session has is always allowed.
    /// Only the changed row is stored.
    /// </summary>
    internal bool TrySubscribe(MqttSession session, string filter, MqttSubscriptionOptions options, uint identifier, out SubscribeResult result)
    {
        lock (session.Sync)
        {
            bool added = !session.Subscriptions.ContainsKey(filter);
            if (added && (session.Subscriptions.Count >= Options.MaxSubscriptionsPerSession || !TryTakeSubscription(session.Username)))
            {
                result = SubscribeResult.InvalidFilter;
                return false;
            }

            result = Tree.Subscribe(session, filter, options, identifier);
            if (result == SubscribeResult.InvalidFilter)
            {
                if (added)
                {
                    ReleaseSubscriptions(session.Username, 1);
                }

                return true;
            }

            session.Subscriptions[filter] = new SessionSubscription(options, identifier);
        }

        if (session.Persistent)
        {
            Storage?.SetSubscription(session.StorageKey, filter, options, identifier);
        }

        return true;
    }

    internal bool Unsubscribe(MqttSession session, string filter)
    {
        bool removed;
        lock (session.Sync)
        {
            removed = session.Subscriptions.Remove(filter);
            if (removed)
            {
                Tree.Unsubscribe(session, filter);
                ReleaseSubscriptions(session.Username, 1);
            }
        }

        if (removed && session.Persistent)
        {
            Storage?.DeleteSubscription(session.StorageKey, filter);
        }

        return removed;
    }

    internal MqttReasonCode Authenticate(MqttConnection connection, string? username, byte[]? password, string clientId, out MqttAccess? access, out string? why)
    {
        access = null;
        why = null;
        if (username is null)
        {
            if (Options.AnonymousLoopback && connection.IsLoopback)
            {
                access = MqttAccess.Everything;
                return MqttReasonCode.Success;
            }

            why = Options.AnonymousLoopback ? "anonymous access is allowed only from loopback" : "no user name (anonymous access is off)";
            return MqttReasonCode.NotAuthorized;
        }

        // Device accounts live in their own name space; the prefix keeps them apart from user accounts.
        string account = "mqtt:" + username;
        if (_throttle.RetryAfter(account, connection.Remote) is { } wait)
        {
            MqttBrokerLog.LoginThrottled(_logger, connection.Remote, username, LoginWait.Seconds(wait));
            why = LoginWait.TooMany(wait);
            // 5.0 has a code for a limit (its reason string says how long); 3.1.1 only "bad user name or password".
            return connection.Version == MqttProtocolVersion.V500 ? MqttReasonCode.QuotaExceeded : MqttReasonCode.BadUserNameOrPassword;
        }

        string secret = password is null ? string.Empty : Encoding.UTF8.GetString(password);
        if (_devices is null || !_devices.Verify(username, secret))
        {
            // A device retrying the same stale password counts once.
            _throttle.RecordFailure(account, connection.Remote, secret);
            why = "Wrong user name or password.";
            return MqttReasonCode.BadUserNameOrPassword;
        }

        _throttle.RecordSuccess(account, connection.Remote);
        access = MqttAccess.ForDevice(username, clientId, Options.DeviceTopics, Options.DeviceSubscribeTopics, Options.DeviceClaimTopics,
            _devices.Grants(username));
        return MqttReasonCode.Success;
    }

    /// <summary>
    /// Attaches the connection to its session, found by account and client id (<see cref="SessionKeys"/>): another
    /// account's session with the same client id is a different session, never taken over. QuotaExceeded, with nothing
    /// changed, when a new persistent session would pass Mqtt:MaxSessionsPerAccount.
    /// </summary>
    internal MqttReasonCode Connect(MqttConnection connection, string clientId, bool cleanStart, uint requestedExpiry, MqttConnAck connAck)
    {
        uint expiry = CapExpiry(requestedExpiry);
        if (connAck.Properties is { } properties && expiry != requestedExpiry)
        {
            properties.SessionExpiryInterval = expiry;
        }

        string key = SessionKeys.Of(connection.Username, clientId);
        var wills = new List<(string, MqttMessage)>();
        lock (_sessionsLock)
        {
            _sessions.TryGetValue(key, out MqttSession? existing);
            if (expiry > 0 && PersistentSessionsOf(connection.Username, key) >= Options.MaxSessionsPerAccount)
            {
                return MqttReasonCode.QuotaExceeded;
            }

            if (existing?.Connection is { } old)
            {
                MqttBrokerLog.SessionTakenOver(_logger, clientId);
                Detach(existing, old, graceful: false, wills);
                old.Close(MqttReasonCode.SessionTakenOver);
            }

            if (existing is not null && (cleanStart || existing.Discarded))
            {
                Discard(existing);
                existing = null;
            }

            MqttSession session = existing ?? new MqttSession(this, clientId) { Key = key, StorageKey = key };
            _sessions[key] = session;
            connAck.SessionPresent = existing is not null;
            session.ExpirySeconds = expiry;
            session.Username = connection.Username;
            connection.Session = session;
            if (session.Persistent)
            {
                Storage?.SaveSession(session, connected: true);
            }

            Stats.ClientConnected();
            session.Attach(connection, connAck);
        }

        MqttBrokerLog.ClientConnected(_logger, clientId, connection.Remote, connection.Username ?? "(anonymous)",
            connection.Version == MqttProtocolVersion.V500 ? "5.0" : "3.1.1", connAck.SessionPresent);
        PublishWills(wills);
        return MqttReasonCode.Success;
    }

    internal void OnConnectionClosed(MqttConnection connection)
    {
        if (connection.Session is not { } session)
        {
            return;
        }

        var wills = new List<(string, MqttMessage)>();
        bool detached;
        lock (_sessionsLock)
        {
            detached = Detach(session, connection, connection.Graceful, wills);
        }

        if (detached)
        {
            // "connection lost" only when the client vanished; a close the node made says so and why.
            string reason = connection.Graceful ? "DISCONNECT"
                : connection.ClosedByNode is { } why ? "closed by the node: " + why
                : "connection lost";
            MqttBrokerLog.ClientDisconnected(_logger, session.ClientId, reason);
        }

        PublishWills(wills);
    }

    /// <summary>Runs every second: will delays, session expiry, the CONNECT deadline and keep-alives.</summary>
    public void Sweep()
    {
        long now = Now;
        var wills = new List<(string, MqttMessage)>();
        lock (_sessionsLock)
        {
            List<MqttSession>? expired = null;
            foreach (MqttSession session in _sessions.Values)
            {
                if (session.Connection is not null)
                {
                    continue;
                }

                if (session.PendingWill is { } will && now >= session.WillDueAt)
                {
                    wills.Add((session.ClientId, will));
                    session.PendingWill = null;
                }

                if (now - session.DisconnectedAt >= session.ExpirySeconds * 1000L)
                {
                    (expired ??= []).Add(session);
                }
            }

            foreach (MqttSession session in expired ?? [])
            {
                if (session.PendingWill is { } will)
                {
                    wills.Add((session.ClientId, will));
                }

                MqttBrokerLog.SessionExpired(_logger, session.ClientId);
                Discard(session);
            }
        }

        // The pairs, not .Keys: Keys copies every connection into a new list, on every tick.
        foreach (var (connection, _) in _connections)
        {
            connection.CheckTimers(now);
        }

        PublishWills(wills);
    }

    /// <summary>Closes every connection (v5 clients hear "server shutting down") and waits a little for them to go.</summary>
    public async Task ShutdownAsync(TimeSpan wait)
    {
        foreach (MqttConnection connection in _connections.Keys)
        {
            connection.Close(MqttReasonCode.ServerShuttingDown);
        }

        long deadline = Environment.TickCount64 + (long)wait.TotalMilliseconds;
        while (!_connections.IsEmpty && Environment.TickCount64 < deadline)
        {
            await Task.Delay(20).ConfigureAwait(false);
        }

        foreach (MqttConnection connection in _connections.Keys)
        {
            connection.Abort();
        }
    }

    /// <summary>Publishes the $SYS statistics (retained, in memory only, like Mosquitto's).</summary>
    public void PublishSys(string version)
    {
        int sessions;
        int offline;
        int queued = 0;
        lock (_sessionsLock)
        {
            sessions = _sessions.Count;
            offline = _sessions.Values.Count(s => s.Connection is null);
            foreach (MqttSession session in _sessions.Values)
            {
                queued += session.QueuedCount;
            }
        }

        long uptime = (Environment.TickCount64 - StartedAt) / 1000;
        (string, string)[] values =
        [
            ("$SYS/broker/version", version),
            ("$SYS/broker/uptime", Invariant($"{uptime} seconds")),
            ("$SYS/broker/clients/connected", Invariant($"{Stats.Connected}")),
            ("$SYS/broker/clients/active", Invariant($"{Stats.Connected}")),
            ("$SYS/broker/clients/disconnected", Invariant($"{offline}")),
            ("$SYS/broker/clients/inactive", Invariant($"{offline}")),
            ("$SYS/broker/clients/total", Invariant($"{sessions}")),
            ("$SYS/broker/clients/maximum", Invariant($"{Stats.MaximumConnected}")),
            ("$SYS/broker/messages/received", Invariant($"{Stats.PacketsReceived}")),
            ("$SYS/broker/messages/sent", Invariant($"{Stats.PacketsSent}")),
            ("$SYS/broker/messages/stored", Invariant($"{queued + RetainedCount}")),
            ("$SYS/broker/publish/messages/received", Invariant($"{Stats.PublishReceived}")),
            ("$SYS/broker/publish/messages/sent", Invariant($"{Stats.PublishSent}")),
            ("$SYS/broker/publish/messages/dropped", Invariant($"{Stats.PublishDropped}")),
            ("$SYS/broker/bytes/received", Invariant($"{Stats.BytesReceived}")),
            ("$SYS/broker/bytes/sent", Invariant($"{Stats.BytesSent}")),
            ("$SYS/broker/retained messages/count", Invariant($"{RetainedCount}")),
            ("$SYS/broker/subscriptions/count", Invariant($"{SubscriptionCount}")),
            ("$SYS/broker/store/messages/count", Invariant($"{queued}")),
            // Mosquitto's name for its heap: here the bytes the process's managed (GC) heap holds now.
            ("$SYS/broker/heap/current", Invariant($"{GC.GetTotalMemory(forceFullCollection: false)}")),
        ];
        foreach ((string topic, string value) in values)
        {
            lock (_retainedLock)
            {
                if (_retained.TryGetValue(topic, out MqttMessage? current) && current.PayloadBytes.AsSpan().SequenceEqual(Encoding.UTF8.GetBytes(value)))
                {
                    continue;
                }
            }

            var message = new MqttMessage(topic, Encoding.UTF8.GetBytes(value), MqttQos.AtMostOnce, retain: true);
            SetRetained(message, persist: false);
            RoutedMessage routed = RoutedMessage.FromMessage(message, null);
            Route(null, ref routed);
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private bool Detach(MqttSession session, MqttConnection connection, bool graceful, List<(string, MqttMessage)> wills)
    {
        if (!session.Detach(connection))
        {
            return false;
        }

        Stats.ClientDisconnected();
        MqttMessage? will = graceful ? null : connection.Will;
        if (session.ExpirySeconds == 0)
        {
            if (_sessions.TryGetValue(session.Key, out MqttSession? current) && current == session)
            {
                Discard(session);
            }

            if (will is not null)
            {
                wills.Add((session.ClientId, will));
            }

            return true;
        }

        if (will is not null)
        {
            uint delay = Math.Min(connection.WillDelaySeconds, session.ExpirySeconds);
            if (delay == 0)
            {
                wills.Add((session.ClientId, will));
            }
            else
            {
                session.PendingWill = will;
                session.WillDueAt = Now + delay * 1000L;
            }
        }

        Storage?.SaveSession(session, connected: false);
        return true;
    }

    private void Discard(MqttSession session)
    {
        List<OutboundItem>? orphans;
        lock (session.Sync)
        {
            session.Discarded = true;
            foreach (string filter in session.Subscriptions.Keys)
            {
                Tree.Unsubscribe(session, filter);
            }

            ReleaseSubscriptions(session.Username, session.Subscriptions.Count);
            session.Subscriptions.Clear();

            orphans = session.UnacknowledgedShared();
        }

        if (orphans is not null)
        {
            HandOverShared(session, orphans);
        }

        if (_sessions.TryGetValue(session.Key, out MqttSession? current) && current == session)
        {
            _sessions.Remove(session.Key);
        }

        if (session.Persistent)
        {
            Storage?.DeleteSession(session.StorageKey);
        }
    }

    /// <summary>
    /// QoS 1 messages a shared group gave a session that ended before acknowledging them go to another member of the
    /// group (MQTT 5.0 section 4.8.2 recommends it). QoS 2 messages never do (MQTT-4.8.2-5); they are not collected.
    /// </summary>
    private void HandOverShared(MqttSession ended, List<OutboundItem> orphans)
    {
        long now = Environment.TickCount64;
        foreach (OutboundItem item in orphans)
        {
            if (item.Message.IsExpired(now, out uint? remaining) || !Tree.TryPickOtherMember(item.SharedGroup!, ended, out MatchedSubscription<MqttSession> member))
            {
                Stats.Dropped();
                continue;
            }

            RoutedMessage routed = RoutedMessage.FromMessage(item.Message, remaining);
            uint[] ids = member.SubscriptionIdentifier == 0 ? [] : [member.SubscriptionIdentifier];
            member.Subscriber.Deliver(ref routed, (MqttQos)Math.Min((int)item.Qos, (int)member.Options.MaximumQos), item.Retain, ids, item.SharedGroup);
        }
    }

    private void PublishWills(List<(string ClientId, MqttMessage Will)> wills)
    {
        foreach ((string clientId, MqttMessage will) in wills)
        {
            MqttBrokerLog.WillPublished(_logger, clientId, will.Topic);
            Publish(will, MqttMessageOrigin.EmbeddedBroker);
            if (Hub.Wants(will.TopicUtf8))
            {
                Hub.Arrived(will, MqttMessageOrigin.EmbeddedBroker);
            }
        }
    }

    internal void LogDropped(string clientId, string reason) => MqttBrokerLog.MessageDropped(_logger, clientId, reason);

    internal void LogConnectionFailed(string remote, Exception e) => MqttBrokerLog.ConnectionFailed(_logger, remote, e);

    internal void LogKeepAliveExpired(string clientId) => MqttBrokerLog.KeepAliveExpired(_logger, clientId);

    internal void LogRefused(string remote, string? user, string why) => MqttBrokerLog.ConnectRefused(_logger, remote, user ?? "(anonymous)", why);

    internal void LogProtocolViolation(string remote, MqttProtocolException e) =>
        MqttBrokerLog.ProtocolViolation(_logger, remote, $"0x{(byte)e.ReasonCode:X2}", e.Message);

    /// <summary>
    /// A device's PUBLISH outside its access that falls under a claim template (Mqtt:DeviceClaimTopics): the device takes
    /// the filter for itself when nobody else holds it, and the connection may publish there from now on.
    /// </summary>
    internal bool TryClaim(MqttConnection connection, ReadOnlySpan<byte> topic)
    {
        if (_devices is null || connection.Username is not { } user || connection.Access.ClaimFor(topic) is not { } filter)
        {
            return false;
        }

        if (!_devices.TryClaim(user, filter))
        {
            return false;
        }

        connection.Access.AddPublish(filter);
        MqttBrokerLog.TopicClaimed(_logger, user, filter);
        return true;
    }

    // A device that keeps publishing where it may not would otherwise write a line per packet.
    internal void LogPublishDenied(string clientId, string? user, ReadOnlySpan<byte> topic)
    {
        if (_publishDenials.Count(out int count)) MqttBrokerLog.PublishDenied(_logger, count, clientId, user ?? "(anonymous)", Encoding.UTF8.GetString(topic));
    }

    internal void LogSubscribeDenied(string clientId, string? user, string filter)
    {
        if (_subscribeDenials.Count(out int count)) MqttBrokerLog.SubscribeDenied(_logger, count, clientId, user ?? "(anonymous)", filter);
    }

    private readonly struct Collector(List<MatchedSubscription<MqttSession>> matches) : ISubscriptionVisitor<MqttSession>
    {
        public void Visit(in MatchedSubscription<MqttSession> match) => matches.Add(match);
    }
}
