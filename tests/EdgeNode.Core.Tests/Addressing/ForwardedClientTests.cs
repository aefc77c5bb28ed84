using System.Net;
using EdgeNode.Core.Addressing;

namespace EdgeNode.Core.Tests.Addressing;

public class ForwardedClientTests
{
    private static readonly IPNetwork[] Proxies = [IPNetwork.Parse("127.0.0.1/32"), IPNetwork.Parse("10.0.0.0/8")];

    private static string Resolve(string peer, string? xForwardedFor = null, string? forwarded = null, IPNetwork[]? proxies = null) =>
        ForwardedClient.Resolve(IPAddress.Parse(peer), proxies ?? Proxies,
            xForwardedFor is null ? [] : [xForwardedFor], forwarded is null ? [] : [forwarded]).ToString();

    [Fact]
    public void Resolve_UntrustedPeer_IgnoresTheHeaders()
    {
        Assert.Equal("203.0.113.9", Resolve("203.0.113.9", "198.51.100.1", "for=198.51.100.2"));
    }

    [Fact]
    public void Resolve_NoProxiesConfigured_IsThePeer()
    {
        Assert.Equal("127.0.0.1", Resolve("127.0.0.1", "198.51.100.1", proxies: []));
    }

    [Fact]
    public void Resolve_TrustedPeer_TakesTheRightmostUntrustedHop()
    {
        // What the client wrote itself (the left-most entries) is never reached past an untrusted hop.
        Assert.Equal("198.51.100.7", Resolve("127.0.0.1", "1.2.3.4, 198.51.100.7, 10.1.2.3"));
        Assert.Equal("198.51.100.7", Resolve("::ffff:127.0.0.1", "198.51.100.7"));
    }

    [Fact]
    public void Resolve_SeveralHeaderInstances_AreOneList()
    {
        var client = ForwardedClient.Resolve(IPAddress.Loopback, Proxies, ["6.6.6.6", "198.51.100.7"], []);
        Assert.Equal("198.51.100.7", client.ToString());
    }

    [Fact]
    public void Resolve_EveryHopTrusted_IsTheLeftmost()
    {
        Assert.Equal("10.0.0.5", Resolve("127.0.0.1", "10.0.0.5, 10.0.0.6"));
    }

    [Fact]
    public void Resolve_ForwardedHeader_ReadOnlyWithoutXForwardedFor()
    {
        Assert.Equal("198.51.100.7", Resolve("127.0.0.1", forwarded: "for=1.2.3.4, for=198.51.100.7;proto=https;by=10.0.0.1"));
        Assert.Equal("2001:db8::17", Resolve("127.0.0.1", forwarded: "For=\"[2001:db8::17]:4711\""));
        Assert.Equal("198.51.100.8", Resolve("127.0.0.1", "198.51.100.8", "for=198.51.100.9"));
    }

    [Theory]
    [InlineData("198.51.100.7:5000", "198.51.100.7")]
    [InlineData("[2001:db8::1]:443", "2001:db8::1")]
    [InlineData("2001:db8::1", "2001:db8::1")]
    [InlineData(" 198.51.100.7 ", "198.51.100.7")]
    public void Resolve_HopWithPortOrBrackets_IsTheAddress(string hop, string expected)
    {
        Assert.Equal(expected, Resolve("127.0.0.1", hop));
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("unknown")]
    [InlineData("_hidden")]
    [InlineData("[2001:db8::1")]
    [InlineData("198.51.100.7, not an address")]
    [InlineData("<script>")]
    public void Resolve_MalformedRightmostHop_StaysAtTheLastTrustedHop(string header)
    {
        Assert.Equal("127.0.0.1", Resolve("127.0.0.1", header));
        Assert.Equal("127.0.0.1", Resolve("127.0.0.1", forwarded: "for=" + header));
    }

    [Fact]
    public void Resolve_MalformedHopBehindTheClient_DoesNotMatter()
    {
        Assert.Equal("198.51.100.7", Resolve("127.0.0.1", "nonsense, , 198.51.100.7"));
    }

    [Fact]
    public void Resolve_HugeHeader_StopsAfterAFewHops()
    {
        string header = string.Join(", ", Enumerable.Repeat("10.0.0.9", 10_000)) + ", 10.0.0.1";
        Assert.Equal("10.0.0.9", Resolve("127.0.0.1", header));
    }

    [Fact]
    public void Resolve_EmptyHeaders_IsTheProxy()
    {
        Assert.Equal("127.0.0.1", Resolve("127.0.0.1", "", ""));
        Assert.Equal("127.0.0.1", Resolve("127.0.0.1", forwarded: "proto=https"));
    }
}
