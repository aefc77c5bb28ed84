using System.Globalization;
using System.Net;
using EdgeNode.Core.Addressing;
using Microsoft.Extensions.Configuration;

namespace EdgeNode.Core.Configuration;

/// <summary>
/// Reads and validates <see cref="NodeOptions"/> from configuration by hand rather than through a binder, so
/// that every problem names its key in plain words and nothing needs reflection. Each protocol's section is read
/// in its own partial file (OptionsReader.Xmpp.cs, OptionsReader.Mqtt.cs, ...).
/// </summary>
public sealed partial class OptionsReader
{
    /// <summary>
    /// Every key the node understands, by section path. A key outside this table in one of these sections is a
    /// typo that would otherwise be ignored silently; other sections (Logging, ...) belong to the host. A nested
    /// section (Mqtt:Upstream) is a key of its parent and a section of its own here.
    /// </summary>
    private static Dictionary<string, string[]> KnownKeys() => new(StringComparer.OrdinalIgnoreCase)
    {
        ["Node"] = ["Domain", "DataDir", "ListenAddresses", "Admins", "MaxConnections", "MaxConnectionsPerListener", "MaxUnauthenticatedPerListener",
            "MaxConnectionsPerAddress", "MaxConnectionsPerPrefix", "ConnectionLimitExempt"],
        ["Login"] = ["FailuresPerAccount", "FailuresPerAddress", "WindowSeconds", "MaxDelaySeconds"],
        ["Xmpp"] = XmppKeys,
        ["Http"] = ["Port", "FederationPort", "TrustedProxies", "AllowPlaintext", "KeepAliveTimeoutSeconds", "RequestHeadersTimeoutSeconds"],
        ["Mqtt"] = MqttKeys,
        ["Mqtt:Upstream"] = MqttUpstreamKeys,
        ["Matrix"] = MatrixKeys,
        ["Devices"] = DevicesKeys,
        ["Federation"] = ["Mode", "Allow", "Routes", "TrustedCertificatesPath", "RequireValidCertificates", "IdleSeconds", "SetupSeconds"],
        ["Tls"] = ["CertificatePath", "KeyPath", "Acme"],
        ["Tls:Acme"] = AcmeKeys,
    };

    private readonly IConfiguration _config;
    private readonly List<string> _problems = [];

    private OptionsReader(IConfiguration config) => _config = config;

    /// <summary>Reads the options, or throws <see cref="ConfigurationErrorException"/> listing every problem.</summary>
    public static NodeOptions Read(IConfiguration config)
    {
        var reader = new OptionsReader(config);
        var options = reader.ReadAll();
        if (reader._problems.Count > 0) throw new ConfigurationErrorException(reader._problems);
        return options;
    }

    private NodeOptions ReadAll()
    {
        CheckUnknownKeys();
        var options = new NodeOptions
        {
            Node = new NodeSection
            {
                Domain = ReadDomain("Node:Domain", "localhost"),
                DataDir = ReadString("Node:DataDir", "./data"),
                ListenAddresses = ReadList("Node:ListenAddresses", ParseAddress),
                Admins = ReadList("Node:Admins", ParseBareJid),
                MaxConnections = ReadInt("Node:MaxConnections", 4000, 1, 1_000_000),
                MaxConnectionsPerListener = ReadInt("Node:MaxConnectionsPerListener", 1000, 1, 1_000_000),
                MaxUnauthenticatedPerListener = ReadInt("Node:MaxUnauthenticatedPerListener", 250, 1, 1_000_000),
                MaxConnectionsPerAddress = ReadInt("Node:MaxConnectionsPerAddress", 100, 1, 1_000_000),
                MaxConnectionsPerPrefix = ReadInt("Node:MaxConnectionsPerPrefix", 400, 1, 1_000_000),
                ConnectionLimitExempt = ReadList("Node:ConnectionLimitExempt", ParseNetwork),
            },
            Login = new LoginOptions
            {
                FailuresPerAccount = ReadInt("Login:FailuresPerAccount", 5, 1, 1000),
                FailuresPerAddress = ReadInt("Login:FailuresPerAddress", 20, 1, 1_000_000),
                Window = ReadSeconds("Login:WindowSeconds", TimeSpan.FromMinutes(10), 1, 86_400),
                MaxDelay = ReadSeconds("Login:MaxDelaySeconds", TimeSpan.FromMinutes(15), 1, 86_400),
            },
            Xmpp = ReadXmpp(),
            Http = new HttpOptions
            {
                Port = ReadPort("Http:Port", 8008),
                FederationPort = ReadPort("Http:FederationPort", 8448),
                TrustedProxies = ReadList("Http:TrustedProxies", ParseNetwork),
                AllowPlaintext = ReadList("Http:AllowPlaintext", ParseNetwork),
                KeepAliveTimeout = ReadSeconds("Http:KeepAliveTimeoutSeconds", TimeSpan.FromSeconds(15), 1, 3600),
                RequestHeadersTimeout = ReadSeconds("Http:RequestHeadersTimeoutSeconds", TimeSpan.FromSeconds(10), 1, 3600),
            },
            Mqtt = ReadMqtt(),
            Matrix = ReadMatrix(),
            Devices = ReadDevices(),
            Federation = new FederationOptions
            {
                Mode = ReadFederationMode("Federation:Mode"),
                Allow = ReadList("Federation:Allow", ParseDomain),
                Routes = ReadFederationRoutes("Federation:Routes"),
                TrustedCertificatesPath = ReadOptionalString("Federation:TrustedCertificatesPath"),
                RequireValidCertificates = ReadList("Federation:RequireValidCertificates", text => text.Trim() == "*" ? ("*", null) : ParseDomain(text)),
                IdleTimeout = ReadSeconds("Federation:IdleSeconds", TimeSpan.FromMinutes(5), 1, 86_400),
                SetupTimeout = ReadSeconds("Federation:SetupSeconds", TimeSpan.FromSeconds(30), 1, 600),
            },
            Tls = ReadTls() with { Acme = ReadAcme() },
        };
        CheckPortClashes(options);
        return options;
    }

    /// <summary>Top-level sections that belong to the host rather than to the node's own options.</summary>
    private static readonly string[] HostSections = ["Logging"];

    private void CheckUnknownKeys()
    {
        var known = KnownKeys();
        var sections = known.Keys.Where(k => !k.Contains(':')).Concat(HostSections).ToArray();
        foreach (var top in _config.GetChildren())
        {
            if (sections.Contains(top.Key, StringComparer.OrdinalIgnoreCase)) continue;
            var guess = ClosestName(top.Key, sections);
            _problems.Add(guess is null
                ? $"{top.Key}: unknown section (known sections: {string.Join(", ", sections)})"
                : $"{top.Key}: unknown section; did you mean {guess}? (known sections: {string.Join(", ", sections)})");
        }
        foreach (var (section, keys) in known)
        {
            foreach (var child in _config.GetSection(section).GetChildren())
            {
                if (!keys.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
                    _problems.Add($"{section}:{child.Key}: unknown setting (known in {section}: {string.Join(", ", keys)})");
            }
        }
    }

    /// <summary>The known name a mistyped one most likely meant: at most two edits (a swap of neighbours is one).</summary>
    internal static string? ClosestName(string typed, IEnumerable<string> names)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var name in names)
        {
            var distance = EditDistance(typed.ToLowerInvariant(), name.ToLowerInvariant());
            if (distance < bestDistance) (best, bestDistance) = (name, distance);
        }
        return bestDistance <= Math.Min(2, Math.Max(1, typed.Length / 2)) ? best : null;
    }

    private static int EditDistance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        }
        return d[a.Length, b.Length];
    }

    private string ReadString(string key, string fallback)
    {
        var value = _config[key];
        if (value is null) return fallback;
        if (string.IsNullOrWhiteSpace(value))
        {
            _problems.Add($"{key}: must not be empty");
            return fallback;
        }
        return value;
    }

    private string ReadDomain(string key, string fallback)
    {
        var value = _config[key] ?? fallback;
        if (DomainName.TryNormalize(value, out var normalized, out var problem)) return normalized;
        _problems.Add($"{key}: {problem}");
        return fallback;
    }

    private int ReadPort(string key, int fallback)
    {
        var value = _config[key];
        if (value is null) return fallback;
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            _problems.Add($"{key}: '{value}' is not a port number (a whole number from 1 to 65535, or 0 to switch the listener off)");
            return fallback;
        }
        if (port > 65535)
        {
            _problems.Add($"{key}: {port} is out of range (1 to 65535, or 0 to switch the listener off)");
            return fallback;
        }
        return port;
    }

    private bool ReadBool(string key, bool fallback)
    {
        var value = _config[key];
        if (value is null) return fallback;
        if (bool.TryParse(value, out var result)) return result;
        _problems.Add($"{key}: '{value}' is not true or false");
        return fallback;
    }

    private int ReadInt(string key, int fallback, int min, int max)
    {
        var value = _config[key];
        if (value is null) return fallback;
        if (!int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var result))
        {
            _problems.Add($"{key}: '{value}' is not a whole number");
            return fallback;
        }
        if (result < min || result > max)
        {
            _problems.Add($"{key}: {result} is out of range ({min} to {max})");
            return fallback;
        }
        return result;
    }

    /// <summary>A duration in seconds (a whole number), the unit every timeout setting of the node uses.</summary>
    private TimeSpan ReadSeconds(string key, TimeSpan fallback, int minSeconds, int maxSeconds) =>
        TimeSpan.FromSeconds(ReadInt(key, (int)fallback.TotalSeconds, minSeconds, maxSeconds));

    private string? ReadOptionalString(string key)
    {
        var value = _config[key];
        return string.IsNullOrWhiteSpace(value) ? null : value;
    }

    private FederationMode ReadFederationMode(string key)
    {
        var value = _config[key];
        switch (value?.Trim().ToLowerInvariant())
        {
            case null: return FederationMode.Closed;
            case "closed": return FederationMode.Closed;
            case "allowlist": return FederationMode.Allowlist;
            case "open": return FederationMode.Open;
            default:
                _problems.Add($"{key}: '{value}' is not a federation mode (closed, allowlist or open)");
                return FederationMode.Closed;
        }
    }

    private TlsOptions ReadTls()
    {
        var cert = _config["Tls:CertificatePath"];
        var key = _config["Tls:KeyPath"];
        if (cert is null && key is null) return new TlsOptions();
        if (cert is null || key is null)
        {
            _problems.Add(cert is null
                ? "Tls:CertificatePath: must be set together with Tls:KeyPath"
                : "Tls:KeyPath: must be set together with Tls:CertificatePath");
            return new TlsOptions();
        }
        if (!File.Exists(cert)) _problems.Add($"Tls:CertificatePath: no file at '{cert}'");
        if (!File.Exists(key)) _problems.Add($"Tls:KeyPath: no file at '{key}'");
        return new TlsOptions { CertificatePath = cert, KeyPath = key };
    }

    /// <summary>A list is a JSON array (Key:0, Key:1, ...) or, from the environment or command line, one comma-separated value.</summary>
    private IReadOnlyList<T> ReadList<T>(string key, Func<string, (T? Value, string? Problem)> parse)
    {
        var section = _config.GetSection(key);
        IEnumerable<string> items = section.Value is { } single
            ? single.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : section.GetChildren().Select(c => c.Value ?? "");
        var result = new List<T>();
        foreach (var item in items)
        {
            var (value, problem) = parse(item);
            if (problem is not null) _problems.Add($"{key}: {problem}");
            else result.Add(value!);
        }
        return result;
    }

    private static (IPAddress?, string?) ParseAddress(string text) =>
        IPAddress.TryParse(text, out var address) ? (address, null) : (null, $"'{text}' is not an IP address");

    /// <summary>A network in CIDR notation (192.168.1.0/24, fd00::/64, 0.0.0.0/0), or one address (as /32 or /128).</summary>
    private static (IPNetwork, string?) ParseNetwork(string text)
    {
        text = text.Trim();
        if (IPAddress.TryParse(text, out var address)) return (new IPNetwork(address, address.GetAddressBytes().Length * 8), null);
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        // The address before the slash must be the network's own (host bits 0): 192.168.1.5/24 is likely a mistake.
        if (slash > 0 && IPNetwork.TryParse(text, out var network) && IPAddress.TryParse(text.AsSpan(0, slash), out var written)
            && network.BaseAddress.Equals(written))
            return (network, null);
        return (default, $"'{text}' is not a network (CIDR notation such as 192.168.1.0/24 or fd00::/64, with the host bits 0, or one address)");
    }

    private static (string?, string?) ParseDomain(string text) =>
        DomainName.TryNormalize(text, out var normalized, out var problem) ? (normalized, null) : (null, problem);

    private static (string?, string?) ParseBareJid(string text)
    {
        if (!Jid.TryParse(text, out var jid, out var problem)) return (null, $"'{text}' is not an address: {problem}");
        if (!jid.IsBare || jid.Local is null) return (null, $"'{text}' must be a bare address such as admin@example.org");
        return (jid.ToString(), null);
    }

    private void CheckPortClashes(NodeOptions options)
    {
        foreach (var group in options.EnabledPorts().GroupBy(p => p.Port).Where(g => g.Count() > 1))
        {
            var keys = group.Select(p => p.Key).ToArray();
            _problems.Add($"{keys[1]}: port {group.Key} is already used by {keys[0]}");
        }
    }
}
