using EdgeNode.Core.Configuration;
using EdgeNode.Xmpp.S2s;

namespace EdgeNode.Xmpp.Tests.S2s;

public class FederationPolicyTests
{
    private static FederationPolicy Policy(FederationMode mode, params string[] allow) =>
        new(new FederationOptions { Mode = mode, Allow = allow, RequireValidCertificates = ["strict.example"] });

    [Fact]
    public void Allows_Closed_RefusesEveryoneSayingWhy()
    {
        Assert.False(Policy(FederationMode.Closed).Allows("p.test", out string reason));
        Assert.Contains("Federation:Mode is closed", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Allows_Allowlist_OnlyListedDomains()
    {
        var policy = Policy(FederationMode.Allowlist, "p.test");
        Assert.True(policy.Allows("p.test", out _));
        Assert.False(policy.Allows("e.test", out string reason));
        Assert.Contains("e.test is not in this server's federation allowlist", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Allows_Open_Everyone()
    {
        Assert.True(Policy(FederationMode.Open).Allows("anything.example", out _));
    }

    [Fact]
    public void RequiresValidCertificate_ListedDomainOnly()
    {
        var policy = Policy(FederationMode.Open);
        Assert.True(policy.RequiresValidCertificate("strict.example"));
        Assert.False(policy.RequiresValidCertificate("p.test"));
    }
}
