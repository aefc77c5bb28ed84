using System.Security.Cryptography.X509Certificates;
using EdgeNode.Core.Configuration;
using EdgeNode.Core.Crypto;
using Microsoft.Extensions.Configuration;

namespace EdgeNode.Core.Tests.Crypto;

public class NodeCertificateTests
{
    private static NodeOptions Options(string dataDir, params (string, string)[] more) =>
        OptionsReader.Read(new ConfigurationBuilder().AddInMemoryCollection(
            new[] { ("Node:Domain", "pi.example"), ("Node:DataDir", dataDir) }.Concat(more)
                .Select(p => new KeyValuePair<string, string?>(p.Item1, p.Item2))).Build());

    [Fact]
    public void LoadOrCreate_FirstStart_MakesSelfSignedCertificateForDomainAndSubdomains()
    {
        using var dir = new TempDir();
        using var cert = NodeCertificate.LoadOrCreate(Options(dir.Path), out var source);
        Assert.True(source.Generated && source.CreatedNow);
        Assert.True(cert.HasPrivateKey);
        Assert.Equal("CN=pi.example", cert.Subject);
        Assert.True(cert.MatchesHostname("pi.example"));
        Assert.True(cert.MatchesHostname("devices.pi.example"));
        Assert.False(cert.MatchesHostname("other.example"));
        var usages = cert.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>().Select(o => o.Value);
        Assert.Contains("1.3.6.1.5.5.7.3.1", usages);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(source.KeyPath));
    }

    [Fact]
    public void LoadOrCreate_SecondStart_ReusesTheSameCertificate()
    {
        using var dir = new TempDir();
        using var first = NodeCertificate.LoadOrCreate(Options(dir.Path), out _);
        using var second = NodeCertificate.LoadOrCreate(Options(dir.Path), out var source);
        Assert.False(source.CreatedNow);
        Assert.Equal(first.Thumbprint, second.Thumbprint);
    }

    [Fact]
    public void LoadOrCreate_OperatorFiles_AreUsed()
    {
        using var dir = new TempDir();
        using var made = NodeCertificate.CreateSelfSigned("own.example", DateTimeOffset.UtcNow);
        File.WriteAllText(dir.File("c.pem"), made.ExportCertificatePem());
        File.WriteAllText(dir.File("k.pem"), made.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        using var cert = NodeCertificate.LoadOrCreate(Options(dir.Path, ("Tls:CertificatePath", dir.File("c.pem")), ("Tls:KeyPath", dir.File("k.pem"))), out var source);
        Assert.False(source.Generated);
        Assert.Equal(made.Thumbprint, cert.Thumbprint);
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "tls")));
    }

    [Fact]
    public void LoadOrCreate_OperatorFileNotACertificate_NamesTheKey()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("c.pem"), "not pem");
        File.WriteAllText(dir.File("k.pem"), "not pem");
        var e = Assert.Throws<ConfigurationErrorException>(() =>
            NodeCertificate.LoadOrCreate(Options(dir.Path, ("Tls:CertificatePath", dir.File("c.pem")), ("Tls:KeyPath", dir.File("k.pem"))), out _));
        Assert.StartsWith("Tls:CertificatePath:", e.Message);
    }
}
