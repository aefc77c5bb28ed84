namespace EdgeNode.Core.Configuration;

/// <summary>The Matrix section: the homeserver's client API. Read by OptionsReader.Matrix.cs.</summary>
public sealed record MatrixOptions
{
    /// <summary>The client API's public address for /.well-known/matrix/client; null means http://, Node:Domain and Http:Port
    /// (never the request's Host header, which the client chooses).</summary>
    public string? PublicBaseUrl { get; init; }

    /// <summary>The room version of rooms created here ("10", "11" or "12").</summary>
    public string DefaultRoomVersion { get; init; } = "12";

    /// <summary>Tokens that let someone register an account over Matrix; none means registration is closed.</summary>
    public IReadOnlyList<string> RegistrationTokens { get; init; } = [];

    /// <summary>The largest media upload accepted, in bytes.</summary>
    public int MaxUploadBytes { get; init; } = 20 * 1024 * 1024;

    /// <summary>The largest JSON request body accepted, in bytes.</summary>
    public int MaxRequestBytes { get; init; } = 1024 * 1024;

    /// <summary>All media one user may have uploaded, in bytes; 0 means no limit.</summary>
    public long MediaQuotaBytesPerUser { get; init; } = 1024L * 1024 * 1024;

    /// <summary>Different stored /sync filters one user may have (identical ones are stored once).</summary>
    public int MaxFiltersPerUser { get; init; } = 100;

    /// <summary>To-device messages waiting for one device; further ones are dropped until it syncs.</summary>
    public int MaxPendingToDevicePerDevice { get; init; } = 5000;

    /// <summary>Events (messages, state, redactions) one user's clients may send a second, on average; 0 means no limit.
    /// Synapse's rc_message default, 0.2 a second with a burst of 10, is the model.</summary>
    public double MessagesPerSecond { get; init; } = 0.2;

    /// <summary>Events one user may send at once before <see cref="MessagesPerSecond"/> applies.</summary>
    public int MessageBurst { get; init; } = 10;

    /// <summary>Whether an access token in the query string (?access_token=, deprecated since spec v1.11) is accepted;
    /// otherwise only the Authorization header is.</summary>
    public bool AllowQueryToken { get; init; }

    /// <summary>Whether the query-string token is still accepted on the r0 paths, the API of before spec v1.0 where it
    /// was the usual form (older clients such as Debian 12's matrix-nio 0.20 send it there on every request).</summary>
    public bool AllowQueryTokenOnR0 { get; init; } = true;

    /// <summary>Whether media may be downloaded without a login on the legacy /_matrix/media paths; otherwise only the
    /// authenticated /_matrix/client/v1/media paths serve downloads and thumbnails.</summary>
    public bool LegacyMediaDownloads { get; init; }

    /// <summary>The admin_contact URI of M_RESOURCE_LIMIT_EXCEEDED errors; null means xmpp: the first Node:Admins, else mailto:postmaster@domain.</summary>
    public string? AdminContact { get; init; }
}
