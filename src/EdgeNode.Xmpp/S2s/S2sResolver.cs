using EdgeNode.Core.Configuration;
using EdgeNode.Core.Dns;

namespace EdgeNode.Xmpp.S2s;

/// <summary>
/// Where a domain's XMPP server listens: a static route (Federation:Routes, host:port or tls://host:port for direct
/// TLS) first; then DNS SRV _xmpps-server._tcp
/// (direct TLS, XEP-0368) and _xmpp-server._tcp merged by priority and weight, where a lone "." target means the
/// domain offers no service; then the domain itself on 5269 (RFC 6120 3.2.2).
/// </summary>
public sealed class S2sResolver(IReadOnlyDictionary<string, FederationRoute> routes, DnsClient? dns)
{
    public const int DefaultPort = 5269;

    /// <summary>The endpoints to try in order, and a line saying how they were found (for federation check).</summary>
    public async Task<(IReadOnlyList<ServiceEndpoint> Endpoints, string How)> ResolveAsync(string domain, CancellationToken cancellationToken)
    {
        if (routes.TryGetValue(domain, out FederationRoute? route))
        {
            return ([new ServiceEndpoint(route.Host, route.Port, route.DirectTls)],
                $"static route Federation:Routes:{domain} = {(route.DirectTls ? "tls://" : "")}{route.Host}:{route.Port}");
        }

        if (dns is not null)
        {
            try
            {
                var secure = await dns.QuerySrvAsync("_xmpps-server._tcp." + domain, cancellationToken).ConfigureAwait(false);
                var plain = await dns.QuerySrvAsync("_xmpp-server._tcp." + domain, cancellationToken).ConfigureAwait(false);
                var found = Merge(secure, plain);
                if (found is not null)
                {
                    return found.Count == 0
                        ? ([], $"DNS says {domain} offers no XMPP server service (SRV target \".\")")
                        : (found, $"DNS SRV records of {domain}");
                }
            }
            catch (DnsException e)
            {
                return ([new ServiceEndpoint(domain, DefaultPort, false)], $"DNS SRV lookup failed ({e.Message}); trying {domain}:{DefaultPort}");
            }
        }

        return ([new ServiceEndpoint(domain, DefaultPort, false)], $"no SRV records; trying {domain}:{DefaultPort}");
    }

    /// <summary>The endpoints in try order; null when there are no records at all, empty when the records say "no service".</summary>
    internal static List<ServiceEndpoint>? Merge(IReadOnlyList<SrvRecord> directTls, IReadOnlyList<SrvRecord> startTls, Random? random = null)
    {
        if (directTls.Count == 0 && startTls.Count == 0)
        {
            return null;
        }

        var all = directTls.Where(r => !r.NoService).Select(r => (Record: r, Direct: true))
            .Concat(startTls.Where(r => !r.NoService).Select(r => (Record: r, Direct: false)))
            .ToList();
        return SrvOrdering.Order(all, r => r.Record, random ?? Random.Shared)
            .Select(r => new ServiceEndpoint(r.Record.Target.TrimEnd('.'), r.Record.Port, r.Direct))
            .ToList();
    }
}
