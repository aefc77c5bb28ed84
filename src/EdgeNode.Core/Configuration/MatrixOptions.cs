namespace EdgeNode.Core.Configuration;

/// <summary>The Matrix section: the homeserver's client API. Read by OptionsReader.Matrix.cs.</summary>
public sealed record MatrixOptions
{
    /// <summary>The client API's public address for /.well-known/matrix/client; null means the address the request came to.</summary>
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

    /// <summary>The admin_contact URI of M_RESOURCE_LIMIT_EXCEEDED errors; null means xmpp: the first Node:Admins, else mailto:postmaster@domain.</summary>
    public string? AdminContact { get; init; }
}
