using EdgeNode.Core.Dns;

namespace EdgeNode.Core.Tests.Dns;

public class DnsClientTests
{
    [Fact]
    public async Task QuerySrv_Records_AreReadWithCompressedOwnerNames()
    {
        using var server = new TestDnsServer();
        server.Srv["_xmpp-server._tcp.p.test"] = [new(10, 60, 5269, "xmpp1.p.test", 300), new(20, 0, 5270, "xmpp2.p.test", 300)];
        var records = await new DnsClient(server.Conf()).QuerySrvAsync("_xmpp-server._tcp.p.test", CancellationToken.None);
        Assert.Equal([new SrvRecord(10, 60, 5269, "xmpp1.p.test", 300), new SrvRecord(20, 0, 5270, "xmpp2.p.test", 300)], records);
    }

    [Fact]
    public async Task QuerySrv_NoSuchName_IsEmpty()
    {
        using var server = new TestDnsServer();
        Assert.Empty(await new DnsClient(server.Conf()).QuerySrvAsync("_xmpp-server._tcp.nowhere.test", CancellationToken.None));
    }

    [Fact]
    public async Task QuerySrv_DotTarget_MeansNoService()
    {
        using var server = new TestDnsServer();
        server.Srv["_xmpp-server._tcp.closed.test"] = [new(0, 0, 0, ".", 60)];
        var record = Assert.Single(await new DnsClient(server.Conf()).QuerySrvAsync("_xmpp-server._tcp.closed.test", CancellationToken.None));
        Assert.True(record.NoService);
    }

    [Fact]
    public async Task QuerySrv_TruncatedOverUdp_RetriesOverTcp()
    {
        using var server = new TestDnsServer();
        server.Srv["_xmpp-server._tcp.big.test"] = [.. Enumerable.Range(1, 30).Select(i => new SrvRecord(10, 1, 5269, $"host{i}.big.test", 60))];
        server.TruncateOverUdp.Add("_xmpp-server._tcp.big.test");
        var records = await new DnsClient(server.Conf()).QuerySrvAsync("_xmpp-server._tcp.big.test", CancellationToken.None);
        Assert.Equal(30, records.Count);
        Assert.Equal(1, server.TcpQueries);
    }

    [Fact]
    public async Task QuerySrv_ServerFailure_ThrowsNamingTheServer()
    {
        using var server = new TestDnsServer();
        server.Failing.Add("_xmpp-server._tcp.broken.test");
        var e = await Assert.ThrowsAsync<DnsException>(() => new DnsClient(server.Conf()).QuerySrvAsync("_xmpp-server._tcp.broken.test", CancellationToken.None));
        Assert.Contains("127.0.0.1 answered ServerFailure", e.Message);
    }

    [Fact]
    public async Task QuerySrv_SilentServer_TimesOutAfterEveryAttempt()
    {
        using var server = new TestDnsServer { Silent = true };
        var e = await Assert.ThrowsAsync<DnsException>(() => new DnsClient(server.Conf(timeoutSeconds: 1, attempts: 2)).QuerySrvAsync("_x._tcp.a.test", CancellationToken.None));
        Assert.Contains("did not answer within 1 s", e.Message);
        Assert.Equal(2, server.UdpQueries);
    }

    [Fact]
    public void ResolvConf_Parse_ReadsServersAndOptions()
    {
        var conf = ResolvConf.Parse("# comment\nsearch lan\nnameserver 192.0.2.1\nnameserver fe80::1%eth0\nnameserver bogus\noptions rotate timeout:3 attempts:4\n");
        Assert.Equal(["192.0.2.1:53", "[fe80::1]:53"], conf.Servers.Select(s => s.ToString()));
        Assert.Equal(TimeSpan.FromSeconds(3), conf.Timeout);
        Assert.Equal(4, conf.Attempts);
        Assert.Equal("127.0.0.1:53", ResolvConf.Parse("").Servers.Single().ToString());
    }
}
