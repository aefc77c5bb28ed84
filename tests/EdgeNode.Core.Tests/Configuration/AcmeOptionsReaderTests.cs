using EdgeNode.Core.Configuration;
using Microsoft.Extensions.Configuration;

namespace EdgeNode.Core.Tests.Configuration;

public class AcmeOptionsReaderTests
{
    private static NodeOptions Read(params (string Key, string Value)[] settings) =>
        OptionsReader.Read(new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build());

    private static string[] Problems(params (string Key, string Value)[] settings) =>
        [.. Assert.Throws<ConfigurationErrorException>(() => Read(settings)).Problems];

    [Fact]
    public void Read_Defaults_AcmeOffWithLetsEncryptAnd30DaysAndNoPort80()
    {
        var acme = Read().Tls.Acme;
        Assert.False(acme.Enabled);
        Assert.Equal("https://acme-v02.api.letsencrypt.org/directory", acme.Directory);
        Assert.Equal(TimeSpan.FromDays(30), acme.RenewBefore);
        Assert.Equal(80, acme.HttpPort);
        Assert.DoesNotContain(ListenerPlan.For(Read()), l => l.Key == "Tls:Acme:HttpPort");
    }

    [Fact]
    public void Read_Enabled_DomainFirstThenExtraNamesAndChallengeListener()
    {
        var options = Read(("Node:Domain", "Pi.Example.org"), ("Tls:Acme:Enabled", "true"), ("Tls:Acme:AcceptTermsOfService", "true"),
            ("Tls:Acme:Domains", "conference.pi.example.org, pi.example.org"), ("Tls:Acme:RenewBeforeDays", "20"), ("Tls:Acme:Email", "a@pi.example.org"));
        Assert.Equal(["pi.example.org", "conference.pi.example.org"], options.Tls.Acme.Domains);
        Assert.Equal(TimeSpan.FromDays(20), options.Tls.Acme.RenewBefore);
        Assert.Equal(new ListenerPlan("Tls:Acme:HttpPort", 80, ListenerProtocol.Http, Tls: false),
            Assert.Single(ListenerPlan.For(options), l => l.Key == "Tls:Acme:HttpPort"));
    }

    [Fact]
    public void Read_EnabledWithoutTermsAccepted_Refused()
    {
        var problems = Problems(("Node:Domain", "pi.example.org"), ("Tls:Acme:Enabled", "true"));
        Assert.Contains(problems, p => p.StartsWith("Tls:Acme:AcceptTermsOfService: must be true", StringComparison.Ordinal));
    }

    [Fact]
    public void Read_EnabledForLocalhostWithOwnCertificateAndBadUrl_EachNamed()
    {
        var problems = Problems(("Tls:Acme:Enabled", "true"), ("Tls:Acme:AcceptTermsOfService", "true"), ("Tls:Acme:Directory", "ftp://x"),
            ("Tls:CertificatePath", "/nonexistent.crt"), ("Tls:KeyPath", "/nonexistent.key"), ("Tls:Acme:Email", "not an address"));
        Assert.Contains(problems, p => p.StartsWith("Tls:Acme:Domains: 'localhost' is not a public DNS name", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Tls:Acme:Directory: 'ftp://x' is not an http(s) URL", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Tls:Acme:Enabled: cannot be used together with Tls:CertificatePath", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Tls:Acme:Email:", StringComparison.Ordinal));
    }

    [Fact]
    public void Read_ChallengePortClashesWithAnotherListener_Refused()
    {
        var problems = Problems(("Node:Domain", "pi.example.org"), ("Tls:Acme:Enabled", "true"), ("Tls:Acme:AcceptTermsOfService", "true"),
            ("Tls:Acme:HttpPort", "8008"));
        Assert.Contains("Tls:Acme:HttpPort: port 8008 is already used by Http:Port", problems);
    }

    [Fact]
    public void Read_UnknownAcmeKey_Named()
    {
        var problems = Problems(("Tls:Acme:RenewDays", "3"));
        Assert.Contains(problems, p => p.StartsWith("Tls:Acme:RenewDays: unknown setting", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Tls:Acme:RenewBeforeDays", "0")]
    [InlineData("Tls:Acme:RenewBeforeDays", "366")]
    [InlineData("Tls:Acme:RenewBeforeDays", "ten")]
    [InlineData("Tls:Acme:HttpPort", "70000")]
    [InlineData("Tls:Acme:HttpPort", "-1")]
    [InlineData("Tls:Acme:Enabled", "maybe")]
    [InlineData("Tls:Acme:Domains:0", "bad\u0000name.example.org")]
    [InlineData("Tls:Acme:Domains:0", "under_score..example.org")]
    public void Read_HostileAcmeValue_RefusedNamingTheKey(string key, string value)
    {
        // Enabled, so that every value is checked; each bad one is named, none is taken silently.
        var settings = new List<(string, string)> { ("Node:Domain", "pi.example.org"), ("Tls:Acme:AcceptTermsOfService", "true") };
        if (key != "Tls:Acme:Enabled") settings.Add(("Tls:Acme:Enabled", "true"));
        settings.Add((key, value));
        string name = key.EndsWith(":0", StringComparison.Ordinal) ? key[..^2] : key;
        Assert.Contains(Problems([.. settings]), p => p.StartsWith(name, StringComparison.Ordinal));
    }

    [Fact]
    public void Read_HugeDomainList_RefusedWithoutThrowingElsewhere()
    {
        var settings = new List<(string, string)> { ("Node:Domain", "pi.example.org"), ("Tls:Acme:Enabled", "true"), ("Tls:Acme:AcceptTermsOfService", "true") };
        settings.Add(("Tls:Acme:Domains:0", new string('a', 300) + ".example.org"));
        Assert.Contains(Problems([.. settings]), p => p.StartsWith("Tls:Acme:Domains", StringComparison.Ordinal));
    }
}
