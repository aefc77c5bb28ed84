using EdgeNode.Core.Configuration;
using Microsoft.Extensions.Configuration;

namespace EdgeNode.Core.Tests.Configuration;

public class OptionsReaderTests
{
    private static NodeOptions Read(params (string Key, string Value)[] settings) =>
        OptionsReader.Read(new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build());

    private static IReadOnlyList<string> Problems(params (string Key, string Value)[] settings) =>
        Assert.Throws<ConfigurationErrorException>(() => Read(settings)).Problems;

    [Fact]
    public void Read_NothingSet_GivesDocumentedDefaults()
    {
        var options = Read();
        Assert.Equal("localhost", options.Node.Domain);
        Assert.Equal("./data", options.Node.DataDir);
        Assert.Empty(options.Node.ListenAddresses);
        Assert.Equal(5222, options.Xmpp.C2sPort);
        Assert.Equal(5223, options.Xmpp.C2sDirectTlsPort);
        Assert.Equal(5269, options.Xmpp.S2sPort);
        Assert.Equal(5270, options.Xmpp.S2sDirectTlsPort);
        Assert.Equal(8008, options.Http.Port);
        Assert.Equal(8448, options.Http.FederationPort);
        Assert.Equal(1883, options.Mqtt.Port);
        Assert.Equal(8883, options.Mqtt.TlsPort);
        Assert.Equal(FederationMode.Closed, options.Federation.Mode);
        Assert.Empty(options.Federation.Allow);
        Assert.Null(options.Tls.CertificatePath);
    }

    [Theory]
    [InlineData("Xmpp:C2sPort")]
    [InlineData("Xmpp:C2sDirectTlsPort")]
    [InlineData("Xmpp:S2sPort")]
    [InlineData("Xmpp:S2sDirectTlsPort")]
    [InlineData("Http:Port")]
    [InlineData("Http:FederationPort")]
    [InlineData("Mqtt:Port")]
    [InlineData("Mqtt:TlsPort")]
    public void Read_PortNotANumber_NamesTheKey(string key)
    {
        foreach (var bad in new[] { "abc", "-1", "5222.5", "", " 80", "0x50" })
        {
            var problem = Assert.Single(Problems((key, bad)));
            Assert.StartsWith(key + ":", problem);
            Assert.Contains("not a port number", problem);
        }
    }

    [Theory]
    [InlineData("Xmpp:C2sPort", "65536")]
    [InlineData("Mqtt:Port", "99999999")]
    public void Read_PortOutOfRange_NamesTheKey(string key, string value)
    {
        var problem = Assert.Single(Problems((key, value)));
        Assert.StartsWith(key + ":", problem);
        Assert.Contains("out of range", problem);
    }

    [Fact]
    public void Read_PortZero_SwitchesListenerOff()
    {
        var options = Read(("Mqtt:TlsPort", "0"));
        Assert.DoesNotContain(options.EnabledPorts(), p => p.Key == "Mqtt:TlsPort");
    }

    [Fact]
    public void Read_TwoListenersOnOnePort_ReportsClash()
    {
        var problem = Assert.Single(Problems(("Mqtt:Port", "5222")));
        Assert.Equal("Mqtt:Port: port 5222 is already used by Xmpp:C2sPort", problem);
    }

    [Fact]
    public void Read_TwoSwitchedOffListeners_DoNotClash()
    {
        var options = Read(("Mqtt:Port", "0"), ("Mqtt:TlsPort", "0"));
        Assert.Equal(0, options.Mqtt.Port);
    }

    [Theory]
    [InlineData("closed", FederationMode.Closed)]
    [InlineData("Allowlist", FederationMode.Allowlist)]
    [InlineData("OPEN", FederationMode.Open)]
    public void Read_FederationMode_IsCaseInsensitive(string text, FederationMode expected) =>
        Assert.Equal(expected, Read(("Federation:Mode", text)).Federation.Mode);

    [Theory]
    [InlineData("whitelist")]
    [InlineData("")]
    [InlineData("1")]
    public void Read_UnknownFederationMode_NamesTheKeyAndTheChoices(string text)
    {
        var problem = Assert.Single(Problems(("Federation:Mode", text)));
        Assert.Equal($"Federation:Mode: '{text}' is not a federation mode (closed, allowlist or open)", problem);
    }

    [Fact]
    public void Read_AllowAsArrayOrCommaList_GivesNormalisedDomains()
    {
        Assert.Equal(["a.example", "b.example"], Read(("Federation:Allow:0", "A.example"), ("Federation:Allow:1", "b.example.")).Federation.Allow);
        Assert.Equal(["a.example", "b.example"], Read(("Federation:Allow", "a.example, b.example")).Federation.Allow);
    }

    [Fact]
    public void Read_AllowWithBadDomain_NamesTheKey()
    {
        var problem = Assert.Single(Problems(("Federation:Allow:0", "bad domain")));
        Assert.StartsWith("Federation:Allow:", problem);
    }

    [Theory]
    [InlineData("pi example")]
    [InlineData("-pi.example")]
    [InlineData("pi..example")]
    [InlineData("alice@pi.example")]
    public void Read_BadDomain_NamesTheKey(string domain) =>
        Assert.StartsWith("Node:Domain:", Assert.Single(Problems(("Node:Domain", domain))));

    [Fact]
    public void Read_DomainWithCapitals_IsLowerCased() =>
        Assert.Equal("pi.example", Read(("Node:Domain", "Pi.Example")).Node.Domain);

    [Fact]
    public void Read_UnknownKeyInOwnSection_IsReported()
    {
        var problem = Assert.Single(Problems(("Xmpp:C2sPrt", "5222")));
        Assert.StartsWith("Xmpp:C2sPrt: unknown setting", problem);
    }

    [Theory]
    [InlineData("Mtqq:Port", "Mtqq: unknown section; did you mean Mqtt?")]
    [InlineData("Xmp:C2sPort", "Xmp: unknown section; did you mean Xmpp?")]
    [InlineData("Federaton:Mode", "Federaton: unknown section; did you mean Federation?")]
    [InlineData("Lgging:LogLevel:Default", "Lgging: unknown section; did you mean Logging?")]
    [InlineData("Wibble:Port", "Wibble: unknown section (known sections: ")]
    public void Read_UnknownTopLevelSection_IsReportedWithTheNearestName(string key, string expected)
    {
        var problem = Assert.Single(Problems((key, "1")));
        Assert.StartsWith(expected, problem);
    }

    [Fact]
    public void Read_KeysOfOtherSections_AreLeftToTheirOwners() =>
        Read(("Logging:LogLevel:Default", "Debug"));

    [Fact]
    public void Read_ListenAddresses_ParsesAndRejects()
    {
        Assert.Equal("127.0.0.4", Read(("Node:ListenAddresses:0", "127.0.0.4")).Node.ListenAddresses[0].ToString());
        Assert.StartsWith("Node:ListenAddresses:", Assert.Single(Problems(("Node:ListenAddresses", "127.0.0.300"))));
    }

    [Fact]
    public void Read_AdminsMustBeBareAccounts()
    {
        Assert.Equal(["admin@pi.example"], Read(("Node:Admins", "Admin@Pi.Example")).Node.Admins);
        Assert.StartsWith("Node:Admins:", Assert.Single(Problems(("Node:Admins", "pi.example"))));
        Assert.StartsWith("Node:Admins:", Assert.Single(Problems(("Node:Admins", "a@pi.example/phone"))));
    }

    [Fact]
    public void Read_TlsHalfConfigured_IsReported()
    {
        Assert.Equal("Tls:KeyPath: must be set together with Tls:CertificatePath", Assert.Single(Problems(("Tls:CertificatePath", "/x.pem"))));
        Assert.Equal("Tls:CertificatePath: must be set together with Tls:KeyPath", Assert.Single(Problems(("Tls:KeyPath", "/x.key"))));
    }

    [Fact]
    public void Read_TlsFilesMissing_NamesEachKey()
    {
        var problems = Problems(("Tls:CertificatePath", "/nonexistent/c.pem"), ("Tls:KeyPath", "/nonexistent/k.pem"));
        Assert.Equal(2, problems.Count);
        Assert.StartsWith("Tls:CertificatePath: no file", problems[0]);
        Assert.StartsWith("Tls:KeyPath: no file", problems[1]);
    }

    [Fact]
    public void Read_SeveralProblems_AreAllReportedFirstOneAsMessage()
    {
        var e = Assert.Throws<ConfigurationErrorException>(() => Read(("Xmpp:C2sPort", "x"), ("Federation:Mode", "y")));
        Assert.Equal(2, e.Problems.Count);
        Assert.Equal(e.Problems[0], e.Message);
    }
}
