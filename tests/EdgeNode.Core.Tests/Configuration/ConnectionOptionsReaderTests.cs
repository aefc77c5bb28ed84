using System.Net;
using EdgeNode.Core.Configuration;
using Microsoft.Extensions.Configuration;

namespace EdgeNode.Core.Tests.Configuration;

public class ConnectionOptionsReaderTests
{
    private static NodeOptions Read(params (string Key, string Value)[] settings) =>
        OptionsReader.Read(new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build());

    [Fact]
    public void Read_NothingSet_GivesTheDocumentedDefaults()
    {
        var options = Read();
        Assert.Equal(4000, options.Node.MaxConnections);
        Assert.Equal(1000, options.Node.MaxConnectionsPerListener);
        Assert.Equal(250, options.Node.MaxUnauthenticatedPerListener);
        Assert.Equal(100, options.Node.MaxConnectionsPerAddress);
        Assert.Equal(400, options.Node.MaxConnectionsPerPrefix);
        Assert.Empty(options.Node.ConnectionLimitExempt);
        Assert.Empty(options.Mqtt.AllowPlaintext);
        Assert.Empty(options.Http.AllowPlaintext);
        Assert.Equal(TimeSpan.FromSeconds(15), options.Http.KeepAliveTimeout);
        Assert.Equal(TimeSpan.FromSeconds(10), options.Http.RequestHeadersTimeout);
    }

    [Fact]
    public void Read_Networks_AcceptCidrAndSingleAddresses()
    {
        var options = Read(("Mqtt:AllowPlaintext", "192.168.1.0/24, 10.0.0.7"), ("Http:AllowPlaintext", "fd00::/64"),
            ("Node:ConnectionLimitExempt", "127.0.0.1"));
        Assert.Equal([IPNetwork.Parse("192.168.1.0/24"), IPNetwork.Parse("10.0.0.7/32")], options.Mqtt.AllowPlaintext);
        Assert.Equal([IPNetwork.Parse("fd00::/64")], options.Http.AllowPlaintext);
        Assert.True(options.Node.ConnectionLimitExempt[0].Contains(IPAddress.Loopback));
    }

    [Theory]
    [InlineData("Mqtt:AllowPlaintext", "192.168.1.0/33")]
    [InlineData("Http:AllowPlaintext", "lan")]
    [InlineData("Node:ConnectionLimitExempt", "192.168.1.5/24")]
    [InlineData("Node:MaxConnectionsPerListener", "0")]
    [InlineData("Node:MaxUnauthenticatedPerListener", "none")]
    [InlineData("Node:MaxConnectionsPerPrefix", "0")]
    [InlineData("Http:KeepAliveTimeoutSeconds", "0")]
    public void Read_BadValue_NamesTheKey(string key, string value)
    {
        var problem = Assert.Single(Assert.Throws<ConfigurationErrorException>(() => Read((key, value))).Problems);
        Assert.StartsWith(key + ":", problem);
    }
}
