using EdgeNode.Core.Accounts;
using EdgeNode.Core.Addressing;
using EdgeNode.Core.Configuration;
using EdgeNode.Core.Crypto;
using EdgeNode.Core.Devices;
using EdgeNode.Core.Storage;
using EdgeNode.Matrix.Events;
using EdgeNode.Matrix.Rooms;
using EdgeNode.Matrix.Signing;
using EdgeNode.Matrix.Storage;
using EdgeNode.Matrix.Users;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Matrix;

/// <summary>
/// Everything the client API needs, made once per node: the store with the Matrix tables, the stream clock,
/// the room DAG, the node's signing key, the ephemeral typing state and the login rate limiter, and the node's
/// device registry (devices are participants whose addresses user names must not take).
/// </summary>
public sealed class Homeserver : IDisposable
{
    private Func<Jid, bool>? _removeAccount;
    private int _queryTokenRefused;

    public Homeserver(Store store, NodeOptions options, SigningKey signingKey, ILogger logger, TimeProvider? time = null, LoginThrottle? throttle = null,
        DeviceRegistry? devices = null)
    {
        Devices = devices;
        DeviceRooms = new DeviceUsers.DeviceRooms(this);
        XmppOnlyInvites = new XmppOnlyInvites(this);
        AdminContact = options.Matrix.AdminContact
            ?? (options.Node.Admins.Count > 0 ? "xmpp:" + options.Node.Admins[0] : "mailto:postmaster@" + options.Node.Domain);
        Store = store;
        Options = options.Matrix;
        ServerName = options.Node.Domain;
        Time = time ?? TimeProvider.System;
        Logger = logger;
        SigningKey = signingKey;
        Accounts = new AccountStore(store);
        Clock = new StreamClock(Db.Read(store, db => MatrixMigrations.StreamTables
            .Select(t => db.Scalar($"SELECT coalesce(max(stream), 0) FROM {t}") as long? ?? 0).Max()));
        Rooms = new RoomStore(ServerName, signingKey, new StateStore(), Time);
        Actions = new RoomActions(this);
        Wakeups = new RoomWakeups();
        Typing = new TypingTracker(Clock, Wakeups, Time);
        Logins = throttle ?? new LoginThrottle(options.Login, Time);
        TrustedProxies = options.Http.TrustedProxies;
        Sends = new SendRateLimit(Options.MessagesPerSecond, Options.MessageBurst, Time, logger);
        var port = options.Http.Port is 80 or 0 ? "" : ":" + options.Http.Port;
        BaseUrl = Options.PublicBaseUrl ?? "http://" + ServerName + port;
        MediaDirectory = Path.Combine(options.Node.DataDir, "media");
        DefaultRoomVersion = RoomVersion.TryGet(Options.DefaultRoomVersion, out var v) ? v : RoomVersion.V12;
    }

    public Store Store { get; }
    public MatrixOptions Options { get; }
    public string ServerName { get; }
    public TimeProvider Time { get; }
    public ILogger Logger { get; }
    public SigningKey SigningKey { get; }
    public AccountStore Accounts { get; }
    public StreamClock Clock { get; }
    public RoomStore Rooms { get; }
    public RoomActions Actions { get; }
    public RoomWakeups Wakeups { get; }
    public TypingTracker Typing { get; }
    public DeviceRegistry? Devices { get; }

    /// <summary>The direct-message rooms between devices and their people.</summary>
    public DeviceUsers.DeviceRooms DeviceRooms { get; }

    /// <summary>The notice a room gets when someone invites a person who uses XMPP only.</summary>
    public XmppOnlyInvites XmppOnlyInvites { get; }

    /// <summary>Where users are told to turn when they hit a limit (the admin_contact of M_RESOURCE_LIMIT_EXCEEDED).</summary>
    public string AdminContact { get; }
    /// <summary>The node's guard against password guessing, shared with XMPP and MQTT logins.</summary>
    public LoginThrottle Logins { get; }
    /// <summary>Reverse proxies whose forwarding headers name the client (Http:TrustedProxies).</summary>
    public IReadOnlyList<System.Net.IPNetwork> TrustedProxies { get; }
    /// <summary>How fast each user's clients may write events (Matrix:MessagesPerSecond, Matrix:MessageBurst).</summary>
    public SendRateLimit Sends { get; }
    /// <summary>The client API's address as clients should use it: Matrix:PublicBaseUrl, else the domain and Http:Port.</summary>
    public string BaseUrl { get; }
    public string MediaDirectory { get; }
    public RoomVersion DefaultRoomVersion { get; }

    /// <summary>The Matrix front-end of the node's router, once the host made one (none: Matrix is an island).</summary>
    public Bridge.MatrixFrontEnd? FrontEnd { get; private set; }

    internal void UseFrontEnd(Bridge.MatrixFrontEnd frontEnd) => FrontEnd = frontEnd;

    /// <summary>True once: for the first request refused for its query-string token (the log names the key then).</summary>
    internal bool FirstQueryTokenRefusal() => Interlocked.Exchange(ref _queryTokenRefused, 1) == 0;

    public long Now => Time.GetUtcNow().ToUnixTimeMilliseconds();

    public T Read<T>(Func<Db, T> work) => Db.Read(Store, work);

    public T Write<T>(Func<Db, T> work) => Db.Write(Store, Clock, work);

    public void Write(Action<Db> work) => Db.Write(Store, Clock, db => { work(db); return 0; });

    /// <summary>"@alice:domain" for a local account name.</summary>
    public string UserId(string localpart) => "@" + localpart + ":" + ServerName;

    /// <summary>How an account is removed node-wide (the host's <see cref="AccountRemoval"/>); without it, deactivation
    /// removes the account and what Matrix keeps for it.</summary>
    public void UseAccountRemoval(Func<Jid, bool> remove) => _removeAccount = remove;

    internal bool RemoveAccount(Jid jid) =>
        _removeAccount is { } remove ? remove(jid) : new AccountRemoval(Store, [new MatrixAccountHolder(this)]).Remove(jid);

    /// <summary>The localpart of a user ID of this server, or null when it names another server or is malformed.</summary>
    public string? LocalPart(string userId)
    {
        if (userId.Length < 3 || userId[0] != '@') return null;
        var colon = userId.IndexOf(':');
        if (colon < 2 || userId[(colon + 1)..] != ServerName) return null;
        return userId[1..colon];
    }

    /// <summary>The account (bare address) of a user of this server: @alice:example.org is alice@example.org; null for
    /// users of other servers. Accounts and Matrix users share the local part and the domain.</summary>
    public string? AccountOf(string userId) => LocalPart(userId) is { } local ? local + "@" + ServerName : null;

    /// <summary>The Matrix user of an account: alice@example.org is @alice:example.org.</summary>
    public static string UserIdOfAccount(string account)
    {
        int at = account.IndexOf('@', StringComparison.Ordinal);
        return "@" + account[..at] + ":" + account[(at + 1)..];
    }

    /// <summary>Whether a local part is the address of a device participant of the node (see DeviceRegistry).</summary>
    public bool IsDeviceLocalpart(string localpart) => Devices?.FindByLocalpart(localpart) is not null;

    /// <summary>
    /// A long-polling sync's wait: until something that wakes every sync happens after <paramref name="position"/>,
    /// or one of the rooms <paramref name="watch"/> covers changes, or the timeout ends.
    /// </summary>
    public async Task WaitForSyncAsync(RoomWakeups.Watch watch, long position, TimeSpan timeout, CancellationToken cancel)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var clock = Clock.WaitAsync(position, timeout, stop.Token);
        await Task.WhenAny(clock, watch.Woken).ConfigureAwait(false);
        stop.Cancel();
        try
        {
            await clock.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
        }
        cancel.ThrowIfCancellationRequested();
    }

    public void Dispose()
    {
        // The front-end's loops and timers write through this server's store: they stop before it goes.
        FrontEnd?.Dispose();
        Typing.Dispose();
    }
}
