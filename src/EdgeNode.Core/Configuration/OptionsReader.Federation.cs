using System.Globalization;

namespace EdgeNode.Core.Configuration;

public sealed partial class OptionsReader
{
    private const string DirectTlsScheme = "tls://";

    /// <summary>
    /// Federation:Routes:DOMAIN = host:port (the port defaults to 5269), or tls://host:port for XEP-0368 direct TLS
    /// (the port defaults to 5270), as a peer's _xmpps-server SRV record would say.
    /// </summary>
    private Dictionary<string, FederationRoute> ReadFederationRoutes(string key)
    {
        var routes = new Dictionary<string, FederationRoute>(StringComparer.Ordinal);
        foreach (var child in _config.GetSection(key).GetChildren())
        {
            var (domain, problem) = ParseDomain(child.Key);
            if (problem is not null)
            {
                _problems.Add($"{key}:{child.Key}: {problem}");
                continue;
            }

            var value = child.Value?.Trim() ?? "";
            var directTls = value.StartsWith(DirectTlsScheme, StringComparison.OrdinalIgnoreCase);
            if (directTls)
            {
                value = value[DirectTlsScheme.Length..];
            }

            var host = value;
            var port = directTls ? 5270 : 5269;
            var colon = value.LastIndexOf(':');
            if (colon > 0 && value.IndexOf(':') == colon)
            {
                host = value[..colon];
                if (!int.TryParse(value[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
                {
                    _problems.Add($"{key}:{child.Key}: '{value}' is not host:port (a port from 1 to 65535)");
                    continue;
                }
            }

            if (host.Length == 0)
            {
                _problems.Add($"{key}:{child.Key}: names no host (write host:port, such as 192.0.2.7:5269)");
                continue;
            }

            routes[domain!] = new FederationRoute(host, port, directTls);
        }

        return routes;
    }
}
