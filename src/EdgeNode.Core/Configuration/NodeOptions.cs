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
    public LoginOptions Login { get; init; } = new();

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

    /// <summary>Connections the node holds at once over all its listeners; one more is refused at accept.</summary>
    public int MaxConnections { get; init; } = 4000;

    /// <summary>Connections one listener (port) holds at once, so that a flood of one protocol leaves the others served.</summary>
    public int MaxConnectionsPerListener { get; init; } = 1000;

    /// <summary>
    /// Connections of one XMPP client or MQTT listener that have not logged in yet (no bound resource, no CONNACK):
    /// silent or slow clients cannot take the whole listener from those who log in.
    /// </summary>
    public int MaxUnauthenticatedPerListener { get; init; } = 250;

    /// <summary>Connections one IP address (IPv4, or one IPv6 address exactly) may hold at once over all listeners.</summary>
    public int MaxConnectionsPerAddress { get; init; } = 100;

    /// <summary>
    /// Connections one IPv6 /64 may hold at once: higher than <see cref="MaxConnectionsPerAddress"/>, since every host
    /// of a home LAN shares one /64, yet bounded, since one host may use any address of its /64.
    /// </summary>
    public int MaxConnectionsPerPrefix { get; init; } = 400;

    /// <summary>Networks exempt from the per-address and per-prefix limits (a trusted reverse proxy); loopback counts unless listed.</summary>
    public IReadOnlyList<IPNetwork> ConnectionLimitExempt { get; init; } = [];
}

public sealed record HttpOptions
{
    public required int Port { get; init; }
    public required int FederationPort { get; init; }

    /// <summary>
    /// Reverse proxies (addresses or networks) whose X-Forwarded-For or Forwarded header names the client; from any
    /// other peer those headers are ignored.
    /// </summary>
    public IReadOnlyList<IPNetwork> TrustedProxies { get; init; } = [];

    /// <summary>
    /// Networks whose clients may use the plaintext Matrix listener (Http:Port); empty means it listens on loopback
    /// only, so that passwords and access tokens never cross the LAN in clear.
    /// </summary>
    public IReadOnlyList<IPNetwork> AllowPlaintext { get; init; } = [];

    /// <summary>Time a connection may stay silent before its first request and between requests.</summary>
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Time a request's line and headers may take to arrive whole.</summary>
    public TimeSpan RequestHeadersTimeout { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// The Login section: the guard against password guessing shared by XMPP, Matrix and MQTT logins. Each count has a
/// few free failures; every further one doubles the wait, from one second up to <see cref="MaxDelay"/>.
/// </summary>
public sealed record LoginOptions
{
    /// <summary>Failed logins of one account from one address that cost no wait; four times as many from all
    /// addresses together, for addresses the account never logged in from.</summary>
    public int FailuresPerAccount { get; init; } = 5;

    /// <summary>Failed logins (and registrations) from one address, whatever the names, that cost no wait.</summary>
    public int FailuresPerAddress { get; init; } = 20;

    /// <summary>A count is forgotten this long after its wait ended with no new failure.</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The longest wait the doubling reaches.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromMinutes(15);
}

public sealed record FederationOptions
{
    public required FederationMode Mode { get; init; }
    public required IReadOnlyList<string> Allow { get; init; }

    /// <summary>Static routes (Federation:Routes:DOMAIN = host:port), tried before DNS: closed networks and tests.</summary>
    public IReadOnlyDictionary<string, FederationRoute> Routes { get; init; } = new Dictionary<string, FederationRoute>();

    /// <summary>A PEM file of CA certificates trusted for peer certificates besides the system's (a private CA).</summary>
    public string? TrustedCertificatesPath { get; init; }

    /// <summary>Domains whose servers must present a CA-valid certificate ("*" for every domain): no dialback fallback.</summary>
    public IReadOnlyList<string> RequireValidCertificates { get; init; } = [];

    /// <summary>Time an outbound stream has from connecting to authenticated; then its queued stanzas bounce (remote-server-timeout).</summary>
    public TimeSpan SetupTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>An outbound server-to-server stream with nothing to send for this long is closed.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(5);
}

/// <summary>Where a static federation route sends a domain's traffic; <paramref name="DirectTls"/> for XEP-0368 (TLS from the first byte).</summary>
public sealed record FederationRoute(string Host, int Port, bool DirectTls = false);

public sealed record TlsOptions
{
    /// <summary>PEM certificate (chain) to use instead of the generated self-signed one; null for the generated one.</summary>
    public string? CertificatePath { get; init; }
    public string? KeyPath { get; init; }

    /// <summary>Certificates from an ACME server (Let's Encrypt), renewed while the node runs.</summary>
    public AcmeOptions Acme { get; init; } = new();
}

/// <summary>The Tls:Acme section: obtaining and renewing the node's certificate by ACME (RFC 8555) with HTTP-01.</summary>
public sealed record AcmeOptions
{
    /// <summary>Let's Encrypt's production directory.</summary>
    public const string LetsEncrypt = "https://acme-v02.api.letsencrypt.org/directory";

    public bool Enabled { get; init; }

    /// <summary>The ACME server's directory URL.</summary>
    public string Directory { get; init; } = LetsEncrypt;

    /// <summary>The account's contact address (expiry notices), or null for none.</summary>
    public string? Email { get; init; }

    /// <summary>The names the certificate is for; the first is its subject. Node:Domain first, then the names given.</summary>
    public IReadOnlyList<string> Domains { get; init; } = [];

    /// <summary>The operator agrees to the ACME server's terms of service; required when enabled.</summary>
    public bool AcceptTermsOfService { get; init; }

    /// <summary>A certificate is renewed this long before it expires.</summary>
    public TimeSpan RenewBefore { get; init; } = TimeSpan.FromDays(30);

    /// <summary>The plain HTTP port opened for the HTTP-01 challenge only (80: the port ACME servers fetch from); 0 for none.</summary>
    public int HttpPort { get; init; } = 80;
}
