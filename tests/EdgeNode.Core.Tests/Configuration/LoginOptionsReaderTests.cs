using EdgeNode.Core.Configuration;
using Microsoft.Extensions.Configuration;

namespace EdgeNode.Core.Tests.Configuration;

public class LoginOptionsReaderTests
{
    private static NodeOptions Read(params (string Key, string Value)[] settings) =>
        OptionsReader.Read(new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build());

    [Fact]
    public void Read_NothingSet_GivesTheDocumentedDefaults()
    {
        var options = Read();
        Assert.Equal(new LoginOptions
        {
            FailuresPerAccount = 5,
            FailuresPerAddress = 20,
            Window = TimeSpan.FromSeconds(600),
            MaxDelay = TimeSpan.FromSeconds(900),
        }, options.Login);
        Assert.Empty(options.Http.TrustedProxies);
        Assert.Equal(4000, options.Node.MaxConnections);
        Assert.Equal(100, options.Node.MaxConnectionsPerAddress);
    }

    [Fact]
    public void Read_Settings_AreTaken()
    {
        var options = Read(("Login:FailuresPerAccount", "2"), ("Login:MaxDelaySeconds", "30"), ("Node:MaxConnectionsPerAddress", "7"));
        Assert.Equal(2, options.Login.FailuresPerAccount);
        Assert.Equal(TimeSpan.FromSeconds(30), options.Login.MaxDelay);
        Assert.Equal(7, options.Node.MaxConnectionsPerAddress);
    }

    [Theory]
    [InlineData("Login:FailuresPerAccount", "0")]
    [InlineData("Login:WindowSeconds", "soon")]
    [InlineData("Node:MaxConnections", "0")]
    [InlineData("Http:TrustedProxies", "proxy.lan")]
    [InlineData("Http:TrustedProxies", "10.0.0.1/8")]
    [InlineData("Http:TrustedProxies", "10.0.0.0/33")]
    public void Read_BadValue_NamesTheKey(string key, string value)
    {
        var problem = Assert.Single(Assert.Throws<ConfigurationErrorException>(() => Read((key, value))).Problems);
        Assert.StartsWith(key + ":", problem);
    }

    [Fact]
    public void Read_TrustedProxies_TakesAddressesAndNetworks()
    {
        var options = Read(("Http:TrustedProxies", "127.0.0.1, 10.0.0.0/8, fd00::/8"));
        Assert.Equal([System.Net.IPNetwork.Parse("127.0.0.1/32"), System.Net.IPNetwork.Parse("10.0.0.0/8"), System.Net.IPNetwork.Parse("fd00::/8")],
            options.Http.TrustedProxies);
    }

    [Fact]
    public void Read_OldLockoutKey_IsAnUnknownSetting()
    {
        var problem = Assert.Single(Assert.Throws<ConfigurationErrorException>(() => Read(("Login:LockoutSeconds", "900"))).Problems);
        Assert.Contains("unknown setting", problem);
    }

    [Fact]
    public void Read_OldXmppThrottleKey_IsAnUnknownSetting()
    {
        var problem = Assert.Single(Assert.Throws<ConfigurationErrorException>(() => Read(("Xmpp:AuthFailureLimit", "3"))).Problems);
        Assert.Contains("unknown setting", problem);
    }
}
