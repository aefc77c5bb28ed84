using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using EdgeNode.Cli;

namespace EdgeNode.Tests.Cli;

public class TlsShowVerbTests
{
    [Fact]
    public async Task TlsShow_NoCertificateYet_SaysWhereRunWillMakeItAndExitsOne()
    {
        using var dir = new TempDir();
        var run = await CliRun.InvokeAsync(["tls", "show", $"--Node:DataDir={dir.Path}", "--Node:Domain=pi.example"]);
        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Contains($"no TLS certificate yet at {Path.Combine(dir.Path, "tls", "pi.example.crt")}", run.Error);
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "tls")));
    }

    [Fact]
    public async Task TlsShow_GeneratedCertificate_PrintsBothFingerprintForms()
    {
        using var dir = new TempDir();
        var tls = Directory.CreateDirectory(Path.Combine(dir.Path, "tls")).FullName;
        using (var made = EdgeNode.Core.Crypto.NodeCertificate.CreateSelfSigned("pi.example", DateTimeOffset.UtcNow))
        {
            File.WriteAllText(Path.Combine(tls, "pi.example.crt"), made.ExportCertificatePem());
            File.WriteAllText(Path.Combine(tls, "pi.example.key"), made.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        }
        var der = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(tls, "pi.example.crt"))).RawData;
        var sha256 = string.Join(":", SHA256.HashData(der).Select(b => b.ToString("X2")));
        var sha1 = string.Concat(SHA1.HashData(der).Select(b => b.ToString("x2")));

        var run = await CliRun.InvokeAsync(["tls", "show", $"--Node:DataDir={dir.Path}", "--Node:Domain=pi.example"]);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains($"SHA-256:     {sha256}", run.Out);
        Assert.Contains($"SHA-1:       {sha1}", run.Out);
        Assert.Contains("names:       pi.example, *.pi.example", run.Out);
        Assert.Contains("issuer:      self-signed", run.Out);
    }

    [Fact]
    public void Parse_TlsWithoutShow_IsAUsageProblem()
    {
        Assert.Null(CommandLine.Parse(["tls"], out var problem));
        Assert.Equal("tls needs: show", problem);
    }
}
