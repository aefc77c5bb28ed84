using System.Net;

namespace EdgeNode.Core.Configuration;

public enum FederationMode
{
    /// <summary>No server-to-server traffic at all.</summary>
    Closed,
    /// <summary>Federate only with the domains in <see cref="FederationOptions.Allow"/>.</summary>
    Allowlist,
    /// <summary>Federate with anyone.</summary>
    Open,
}

/// <summary>Everything the node is configured with, validated. Built only by <see cref="OptionsReader"/>.</summary>
public sealed record NodeOptions
{
    public required NodeSection Node { get; init; }
    public required XmppOptions Xmpp { get; init; }
    public required HttpOptions Http { get; init; }
    public required MqttOptions Mqtt { get; init; }
    public required FederationOptions Federation { get; init; }
    public required TlsOptions Tls { get; init; }
    public MatrixOptions Matrix { get; init; } = new();
    public DevicesOptions Devices { get; init; } = new();

    /// <summary>The listeners that are switched on (port not 0), each with the key that configured it.</summary>
    public IEnumerable<(string Key, int Port)> EnabledPorts() => ListenerPlan.For(this).Select(l => (l.Key, l.Port));
}

public sealed record NodeSection
{
    public required string Domain { get; init; }
    public required string DataDir { get; init; }
    /// <summary>Addresses every listener binds to; empty means all interfaces (IPv4 and IPv6).</summary>
    public required IReadOnlyList<IPAddress> ListenAddresses { get; init; }
    public required IReadOnlyList<string> Admins { get; init; }
}

public sealed record HttpOptions
{
    public required int Port { get; init; }
    public required int FederationPort { get; init; }
}

public sealed record FederationOptions
{
    public required FederationMode Mode { get; init; }
    public required IReadOnlyList<string> Allow { get; init; }
}

public sealed record TlsOptions
{
    /// <summary>PEM certificate (chain) to use instead of the generated self-signed one; null for the generated one.</summary>
    public string? CertificatePath { get; init; }
    public string? KeyPath { get; init; }
}
