using EdgeNode.Core.Configuration;
using Microsoft.Extensions.Configuration;

namespace EdgeNode.Core.Tests.Configuration;

public class OptionsReaderMqttTests
{
    private static NodeOptions Read(params (string Key, string Value)[] settings) =>
        OptionsReader.Read(new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build());

    private static string Problem(params (string Key, string Value)[] settings) =>
        Assert.Single(Assert.Throws<ConfigurationErrorException>(() => Read(settings)).Problems);

    [Fact]
    public void Read_NothingSet_MqttDefaults()
    {
        var mqtt = Read().Mqtt;
        Assert.False(mqtt.AnonymousLoopback);
        Assert.Equal(1024 * 1024, mqtt.MaxPacketSize);
        Assert.Equal(20, mqtt.MaxInflight);
        Assert.Equal(1000, mqtt.MaxQueuedMessages);
        Assert.Equal(TimeSpan.FromDays(30), mqtt.MaxSessionExpiry);
        Assert.Equal(TimeSpan.FromSeconds(10), mqtt.SysInterval);
        Assert.Equal(16, mqtt.TopicAliasMaximum);
        Assert.Contains("tele/{device}/#", mqtt.DeviceTopics);
        Assert.Equal(1000, mqtt.MaxSubscriptionsPerSession);
        Assert.Equal(10_000, mqtt.MaxSubscriptionsPerAccount);
        Assert.Null(mqtt.Upstream);
    }

    [Fact]
    public void Read_SubscriptionLimitsSet_Read()
    {
        var mqtt = Read(("Mqtt:MaxSubscriptionsPerSession", "50"), ("Mqtt:MaxSubscriptionsPerAccount", "200")).Mqtt;
        Assert.Equal(50, mqtt.MaxSubscriptionsPerSession);
        Assert.Equal(200, mqtt.MaxSubscriptionsPerAccount);
    }

    [Theory]
    [InlineData("Mqtt:AnonymousLoopback", "yes", "not true or false")]
    [InlineData("Mqtt:MaxPacketSize", "10", "out of range")]
    [InlineData("Mqtt:MaxInflight", "0", "out of range")]
    [InlineData("Mqtt:MaxQueuedMessages", "-1", "out of range")]
    [InlineData("Mqtt:MaxSessionExpirySeconds", "soon", "not a whole number")]
    [InlineData("Mqtt:SysIntervalSeconds", "100000", "out of range")]
    [InlineData("Mqtt:TopicAliasMaximum", "70000", "out of range")]
    [InlineData("Mqtt:DeviceTopics", "tele/{device}/#/x", "not a topic filter")]
    [InlineData("Mqtt:Upstream:Port", "1883", "Host: must be set")]
    [InlineData("Mqtt:MaxSubscriptionsPerSession", "0", "out of range")]
    [InlineData("Mqtt:MaxSubscriptionsPerAccount", "many", "not a whole number")]
    [InlineData("Mqtt:Colour", "blue", "unknown setting")]
    public void Read_BadMqttValue_NamesTheKey(string key, string value, string expected)
    {
        var problem = Problem((key, value));
        Assert.StartsWith(key.StartsWith("Mqtt:Upstream:", StringComparison.Ordinal) ? "Mqtt:Upstream:" : key, problem);
        Assert.Contains(expected, problem);
    }

    [Theory]
    [InlineData("Mqtt:Upstream:ProtocolVersion", "3", "out of range")]
    [InlineData("Mqtt:Upstream:Qos", "3", "out of range")]
    [InlineData("Mqtt:Upstream:KeepAliveSeconds", "1", "out of range")]
    [InlineData("Mqtt:Upstream:Topics", "a/#/b", "not a topic filter")]
    [InlineData("Mqtt:Upstream:Publish", "a+", "not a topic filter")]
    [InlineData("Mqtt:Upstream:Tls", "maybe", "not true or false")]
    [InlineData("Mqtt:Upstream:CaFile", "/nonexistent/ca.pem", "no file")]
    [InlineData("Mqtt:Upstream:Colour", "blue", "unknown setting")]
    public void Read_BadUpstreamValue_NamesTheKey(string key, string value, string expected)
    {
        var problem = Problem(("Mqtt:Upstream:Host", "broker.lan"), (key, value));
        Assert.StartsWith(key, problem);
        Assert.Contains(expected, problem);
    }

    [Fact]
    public void Read_UpstreamReconnectMaxBelowMin_Problem()
    {
        var problem = Problem(("Mqtt:Upstream:Host", "broker.lan"), ("Mqtt:Upstream:ReconnectMinSeconds", "30"), ("Mqtt:Upstream:ReconnectMaxSeconds", "10"));
        Assert.StartsWith("Mqtt:Upstream:ReconnectMaxSeconds", problem);
    }

    [Fact]
    public void Read_UpstreamHostOnly_SecureDefaults()
    {
        var upstream = Read(("Mqtt:Upstream:Host", "broker.lan"), ("Node:Domain", "pi.example")).Mqtt.Upstream!;
        Assert.Equal("broker.lan", upstream.Host);
        Assert.True(upstream.Tls);
        Assert.Equal(8883, upstream.Port);
        Assert.Equal("edgenode-pi.example", upstream.ClientId);
        Assert.Equal(5, upstream.ProtocolVersion);
        Assert.Equal(["#"], upstream.Topics);
        Assert.Empty(upstream.Publish);
        Assert.Equal(TimeSpan.FromSeconds(60), upstream.KeepAlive);
    }

    [Fact]
    public void Read_UpstreamPlain_ListsAndPort()
    {
        var upstream = Read(("Mqtt:Upstream:Host", "127.0.0.1"), ("Mqtt:Upstream:Tls", "false"), ("Mqtt:Upstream:Topics", "zigbee2mqtt/#,tele/+/SENSOR"),
            ("Mqtt:Upstream:Publish:0", "cmnd/#")).Mqtt.Upstream!;
        Assert.Equal(1883, upstream.Port);
        Assert.Equal(["zigbee2mqtt/#", "tele/+/SENSOR"], upstream.Topics);
        Assert.Equal(["cmnd/#"], upstream.Publish);
    }
}
