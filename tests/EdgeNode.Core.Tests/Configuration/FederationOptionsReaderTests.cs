using EdgeNode.Core.Configuration;
using Microsoft.Extensions.Configuration;

namespace EdgeNode.Core.Tests.Configuration;

public class FederationOptionsReaderTests
{
    private static NodeOptions Read(params (string Key, string Value)[] settings) =>
        OptionsReader.Read(new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build());

    private static IReadOnlyList<string> Problems(params (string Key, string Value)[] settings) =>
        Assert.Throws<ConfigurationErrorException>(() => Read(settings)).Problems;

    [Fact]
    public void Read_NothingSet_FederationDefaults()
    {
        var federation = Read().Federation;
        Assert.Empty(federation.Routes);
        Assert.Null(federation.TrustedCertificatesPath);
        Assert.Empty(federation.RequireValidCertificates);
        Assert.Equal(TimeSpan.FromMinutes(5), federation.IdleTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), federation.SetupTimeout);
    }

    [Fact]
    public void Read_Routes_HostPortAndDefaultPort()
    {
        var routes = Read(("Federation:Routes:Partner.Example", "10.0.0.7:5270"), ("Federation:Routes:other.example", "xmpp.other.example")).Federation.Routes;
        Assert.Equal(new FederationRoute("10.0.0.7", 5270), routes["partner.example"]);
        Assert.Equal(new FederationRoute("xmpp.other.example", 5269), routes["other.example"]);
    }

    [Fact]
    public void Read_RouteWithTlsScheme_DirectTlsWithDefaultPort5270()
    {
        var routes = Read(("Federation:Routes:a.example", "tls://10.0.0.7:5299"), ("Federation:Routes:b.example", "TLS://xmpp.b.example"),
            ("Federation:Routes:c.example", "10.0.0.8")).Federation.Routes;
        Assert.Equal(new FederationRoute("10.0.0.7", 5299, DirectTls: true), routes["a.example"]);
        Assert.Equal(new FederationRoute("xmpp.b.example", 5270, DirectTls: true), routes["b.example"]);
        Assert.Equal(new FederationRoute("10.0.0.8", 5269, DirectTls: false), routes["c.example"]);
    }

    [Fact]
    public void Read_TlsRouteWithoutHost_NamesTheKey()
    {
        var problem = Assert.Single(Problems(("Federation:Routes:a.example", "tls://")));
        Assert.StartsWith("Federation:Routes:a.example: names no host", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_RouteWithBadPort_NamesTheKey()
    {
        var problem = Assert.Single(Problems(("Federation:Routes:partner.example", "10.0.0.7:99999")));
        Assert.StartsWith("Federation:Routes:partner.example: '10.0.0.7:99999' is not host:port", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_RequireValidCertificates_DomainsOrStar()
    {
        var federation = Read(("Federation:RequireValidCertificates:0", "*"), ("Federation:RequireValidCertificates:1", "Bank.Example")).Federation;
        Assert.Equal(["*", "bank.example"], federation.RequireValidCertificates);
    }
}
