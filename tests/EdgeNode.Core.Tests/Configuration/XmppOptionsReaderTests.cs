using EdgeNode.Core.Configuration;
using Microsoft.Extensions.Configuration;

namespace EdgeNode.Core.Tests.Configuration;

public class XmppOptionsReaderTests
{
    private static NodeOptions Read(params (string Key, string Value)[] settings) =>
        OptionsReader.Read(new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build());

    [Fact]
    public void Read_NothingSet_GivesTheDocumentedXmppDefaults()
    {
        var xmpp = Read().Xmpp;
        Assert.False(xmpp.AllowPlaintextLoopback);
        Assert.False(xmpp.AllowRegistration);
        Assert.Equal(262144, xmpp.MaxStanzaBytes);
        Assert.Equal(1048576, xmpp.MaxOutboundBytes);
        Assert.Equal(500, xmpp.OfflineQuota);
        Assert.Equal(100, xmpp.OfflineQuotaPerSender);
        Assert.Equal(1000, xmpp.MaxRosterItems);
        Assert.Equal(1023, xmpp.MaxRosterNameBytes);
        Assert.Equal(8, xmpp.MaxRosterGroups);
        Assert.Equal(20, xmpp.MessagesPerSecond);
        Assert.Equal(200, xmpp.MessageBurst);
        Assert.Equal(10, xmpp.MessagesPerSecondToOneRecipient);
        Assert.Equal(100, xmpp.MessageBurstToOneRecipient);
        Assert.Equal(TimeSpan.FromSeconds(15), xmpp.NegotiationTimeout);
        Assert.Equal(TimeSpan.FromSeconds(60), xmpp.StanzaTimeout);
        Assert.Equal(TimeSpan.FromSeconds(60), xmpp.KeepaliveInterval);
        Assert.Equal(TimeSpan.FromSeconds(180), xmpp.PingInterval);
        Assert.Equal(TimeSpan.FromSeconds(60), xmpp.PingTimeout);
    }

    [Fact]
    public void Read_XmppSettings_AreTaken()
    {
        var xmpp = Read(("Xmpp:AllowRegistration", "true"), ("Xmpp:OfflineQuota", "3"), ("Xmpp:PingIntervalSeconds", "5"),
            ("Xmpp:MaxRosterItems", "50"), ("Xmpp:MessagesPerSecond", "0"), ("Xmpp:OfflineQuotaPerSender", "7")).Xmpp;
        Assert.Equal(50, xmpp.MaxRosterItems);
        Assert.Equal(0, xmpp.MessagesPerSecond);
        Assert.Equal(7, xmpp.OfflineQuotaPerSender);
        Assert.True(xmpp.AllowRegistration);
        Assert.Equal(3, xmpp.OfflineQuota);
        Assert.Equal(TimeSpan.FromSeconds(5), xmpp.PingInterval);
    }

    [Theory]
    [InlineData("Xmpp:AllowRegistration", "maybe", "is not true or false")]
    [InlineData("Xmpp:MaxStanzaBytes", "100", "out of range")]
    [InlineData("Xmpp:NegotiationTimeoutSeconds", "0", "out of range")]
    [InlineData("Xmpp:StanzaTimeoutSeconds", "soon", "is not a whole number")]
    [InlineData("Xmpp:MaxRosterItems", "0", "out of range")]
    [InlineData("Xmpp:MessageBurst", "0", "out of range")]
    public void Read_BadXmppSetting_NamesTheKey(string key, string value, string expected)
    {
        var problem = Assert.Single(Assert.Throws<ConfigurationErrorException>(() => Read((key, value))).Problems);
        Assert.StartsWith(key + ":", problem);
        Assert.Contains(expected, problem);
    }
}
