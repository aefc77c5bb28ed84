using EdgeNode.Core.Accounts;
using EdgeNode.Core.Configuration;
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
/// the room DAG, the node's signing key, the ephemeral typing state and the login rate limiter.
/// </summary>
public sealed class Homeserver : IDisposable
{
    public Homeserver(Store store, NodeOptions options, SigningKey signingKey, ILogger logger, TimeProvider? time = null)
    {
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
        Typing = new TypingTracker(Clock, Time);
        LoginLimiter = new LoginLimiter(Options.LoginFailuresPerMinute, Time);
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
    public TypingTracker Typing { get; }
    public LoginLimiter LoginLimiter { get; }
    public string MediaDirectory { get; }
    public RoomVersion DefaultRoomVersion { get; }

    public long Now => Time.GetUtcNow().ToUnixTimeMilliseconds();

    public T Read<T>(Func<Db, T> work) => Db.Read(Store, work);

    public T Write<T>(Func<Db, T> work) => Db.Write(Store, Clock, work);

    public void Write(Action<Db> work) => Db.Write(Store, Clock, db => { work(db); return 0; });

    /// <summary>"@alice:domain" for a local account name.</summary>
    public string UserId(string localpart) => "@" + localpart + ":" + ServerName;

    /// <summary>The localpart of a user ID of this server, or null when it names another server or is malformed.</summary>
    public string? LocalPart(string userId)
    {
        if (userId.Length < 3 || userId[0] != '@') return null;
        var colon = userId.IndexOf(':');
        if (colon < 2 || userId[(colon + 1)..] != ServerName) return null;
        return userId[1..colon];
    }

    public void Dispose() => Typing.Dispose();
}
