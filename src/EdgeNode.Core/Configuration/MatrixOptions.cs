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

    /// <summary>Failed logins allowed per account and per client address in one minute before 429 M_LIMIT_EXCEEDED.</summary>
    public int LoginFailuresPerMinute { get; init; } = 5;
}
