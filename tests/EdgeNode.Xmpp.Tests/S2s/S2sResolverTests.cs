using EdgeNode.Core.Configuration;
using EdgeNode.Core.Dns;
using EdgeNode.Xmpp.S2s;

namespace EdgeNode.Xmpp.Tests.S2s;

public class S2sResolverTests
{
    [Fact]
    public async Task ResolveAsync_StaticRoute_ComesFirstAndSaysSo()
    {
        var resolver = new S2sResolver(new Dictionary<string, FederationRoute> { ["p.test"] = new("127.0.0.2", 5270) }, dns: null);
        var (endpoints, how) = await resolver.ResolveAsync("p.test", CancellationToken.None);
        Assert.Equal([new ServiceEndpoint("127.0.0.2", 5270, false)], endpoints);
        Assert.Contains("Federation:Routes:p.test", how, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolveAsync_DirectTlsRoute_EndpointIsDirectTlsAndSaysSo()
    {
        var resolver = new S2sResolver(new Dictionary<string, FederationRoute> { ["m.test"] = new("127.0.0.5", 5270, DirectTls: true) }, dns: null);
        var (endpoints, how) = await resolver.ResolveAsync("m.test", CancellationToken.None);
        Assert.Equal([new ServiceEndpoint("127.0.0.5", 5270, true)], endpoints);
        Assert.Contains("Federation:Routes:m.test = tls://127.0.0.5:5270", how, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolveAsync_NoRouteNoDns_FallsBackToDomainOn5269()
    {
        var resolver = new S2sResolver(new Dictionary<string, FederationRoute>(), dns: null);
        var (endpoints, _) = await resolver.ResolveAsync("example.org", CancellationToken.None);
        Assert.Equal([new ServiceEndpoint("example.org", 5269, false)], endpoints);
    }

    [Fact]
    public void Merge_DirectTlsAndStartTls_OrderedByPriority()
    {
        var merged = S2sResolver.Merge(
            [new SrvRecord(20, 0, 5270, "tls.example.org.", 300)],
            [new SrvRecord(10, 0, 5269, "xmpp.example.org.", 300), new SrvRecord(30, 0, 5269, "backup.example.org.", 300)],
            new Random(1));
        Assert.Equal(
            [new ServiceEndpoint("xmpp.example.org", 5269, false), new ServiceEndpoint("tls.example.org", 5270, true), new ServiceEndpoint("backup.example.org", 5269, false)],
            merged);
    }

    [Fact]
    public void Merge_DotTarget_MeansNoService()
    {
        var merged = S2sResolver.Merge([], [new SrvRecord(0, 0, 0, ".", 300)]);
        Assert.NotNull(merged);
        Assert.Empty(merged);
    }

    [Fact]
    public void Merge_NoRecords_IsNull()
    {
        Assert.Null(S2sResolver.Merge([], []));
    }
}
