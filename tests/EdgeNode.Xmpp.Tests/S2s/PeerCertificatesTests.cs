using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using EdgeNode.Xmpp.S2s;

namespace EdgeNode.Xmpp.Tests.S2s;

public class PeerCertificatesTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    private static X509Certificate2 MakeCa()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Test CA", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(Now.AddDays(-2), Now.AddDays(30));
    }

    private static X509Certificate2 Issue(X509Certificate2 ca, string[] names, string[] usages, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + names[0], key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (string name in names)
        {
            san.AddDnsName(name);
        }

        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        if (usages.Length > 0)
        {
            var oids = new OidCollection();
            foreach (string usage in usages)
            {
                oids.Add(new Oid(usage));
            }

            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(oids, false));
        }

        using var issued = request.Create(ca, notBefore, notAfter, [1, 2, 3, 4]);
        return issued.CopyWithPrivateKey(key);
    }

    private const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    private const string EmailProtection = "1.3.6.1.5.5.7.3.4";

    [Fact]
    public void Check_ServerAuthOnlyFromTrustedCa_IsValid()
    {
        using var ca = MakeCa();
        using var peer = Issue(ca, ["p.test"], [ServerAuth], Now.AddDays(-1), Now.AddDays(10));
        var check = new PeerCertificates([ca]).Check(peer, null, "p.test");
        Assert.True(check.Valid, check.Problem);
    }

    [Fact]
    public void Check_OtherDomain_SaysWhichNamesItHas()
    {
        using var ca = MakeCa();
        using var peer = Issue(ca, ["q.test"], [ServerAuth], Now.AddDays(-1), Now.AddDays(10));
        var check = new PeerCertificates([ca]).Check(peer, null, "p.test");
        Assert.False(check.Valid);
        Assert.Equal("the certificate is for q.test, not p.test", check.Problem);
    }

    [Fact]
    public void Check_Expired_SaysWhen()
    {
        using var ca = MakeCa();
        DateTimeOffset end = Now.AddDays(-1);
        using var peer = Issue(ca, ["p.test"], [ServerAuth], Now.AddDays(-2), end);
        var check = new PeerCertificates([ca]).Check(peer, null, "p.test");
        Assert.False(check.Valid);
        Assert.StartsWith($"the certificate for p.test expired on {end.UtcDateTime:yyyy-MM-dd}", check.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_UntrustedIssuer_IsNotValid()
    {
        using var ca = MakeCa();
        using var peer = Issue(ca, ["p.test"], [ServerAuth], Now.AddDays(-1), Now.AddDays(10));
        var check = new PeerCertificates().Check(peer, null, "p.test");
        Assert.False(check.Valid);
        Assert.Contains("trusted CA", check.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_EmailOnlyPurpose_IsNotValid()
    {
        using var ca = MakeCa();
        using var peer = Issue(ca, ["p.test"], [EmailProtection], Now.AddDays(-1), Now.AddDays(10));
        Assert.False(new PeerCertificates([ca]).Check(peer, null, "p.test").Valid);
    }

    [Fact]
    public void Check_NoCertificate_SaysSo()
    {
        Assert.Equal("the server presented no certificate", new PeerCertificates().Check(null, null, "p.test").Problem);
    }

    [Theory]
    [InlineData("*.example.org", "chat.example.org", true)]
    [InlineData("*.example.org", "example.org", false)]
    [InlineData("*.example.org", "a.chat.example.org", false)]
    [InlineData("*.org", "example.org", false)]
    [InlineData("Example.ORG.", "example.org", true)]
    [InlineData("example.org", "example.net", false)]
    public void DnsNameMatches_Rfc6125Rules(string presented, string domain, bool expected)
    {
        Assert.Equal(expected, PeerCertificates.DnsNameMatches(presented, domain));
    }
}
