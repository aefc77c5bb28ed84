using EdgeNode.Core.Configuration;
using Microsoft.Extensions.Configuration;

namespace EdgeNode.Core.Tests.Configuration;

public class ListenerPlanTests
{
    private static NodeOptions Read(params (string Key, string Value)[] settings) =>
        OptionsReader.Read(new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build());

    [Fact]
    public void For_Defaults_S2sDirectTlsIsATlsXmppServerListenerOn5270()
    {
        var listener = Assert.Single(ListenerPlan.For(Read()), l => l.Key == "Xmpp:S2sDirectTlsPort");
        Assert.Equal(new ListenerPlan("Xmpp:S2sDirectTlsPort", 5270, ListenerProtocol.XmppServer, Tls: true), listener);
        var starttls = Assert.Single(ListenerPlan.For(Read()), l => l.Key == "Xmpp:S2sPort");
        Assert.False(starttls.Tls);
    }

    [Fact]
    public void For_S2sDirectTlsPortZero_NotListenedOn()
    {
        var options = Read(("Xmpp:S2sDirectTlsPort", "0"));
        Assert.DoesNotContain(ListenerPlan.For(options), l => l.Key == "Xmpp:S2sDirectTlsPort");
        Assert.DoesNotContain(options.EnabledPorts(), p => p.Key == "Xmpp:S2sDirectTlsPort");
        Assert.Contains(options.EnabledPorts(), p => p.Key == "Xmpp:S2sPort");
    }

    [Fact]
    public void For_S2sDirectTlsPortSet_UsesIt()
    {
        var options = Read(("Xmpp:S2sDirectTlsPort", "15270"));
        Assert.Contains(("Xmpp:S2sDirectTlsPort", 15270), options.EnabledPorts());
    }
}
