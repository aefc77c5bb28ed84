using EdgeNode.Core.Configuration;
using EdgeNode.Core.Crypto;

namespace EdgeNode.Cli;

/// <summary>`edgenode tls show`: the certificate every TLS listener presents, and the fingerprints to compare.</summary>
public static class TlsCommands
{
    public static int Show(NodeOptions options, CliIo io)
    {
        using var certificate = NodeCertificate.LoadExisting(options, out var path);
        if (certificate is null)
        {
            io.Error.WriteLine($"edgenode: no TLS certificate yet at {Path.GetFullPath(path)}; 'edgenode run' makes a self-signed one on its first start (or set Tls:CertificatePath and Tls:KeyPath)");
            return ExitCodes.Failure;
        }
        var fingerprints = CertificateFingerprints.Of(certificate);
        io.Out.WriteLine($"certificate: {Path.GetFullPath(path)}");
        io.Out.WriteLine($"subject:     {certificate.Subject}");
        io.Out.WriteLine($"names:       {string.Join(", ", DnsNames(certificate))}");
        io.Out.WriteLine($"valid:       {certificate.NotBefore.ToUniversalTime():yyyy-MM-dd} to {certificate.NotAfter.ToUniversalTime():yyyy-MM-dd}");
        io.Out.WriteLine($"issuer:      {(certificate.Subject == certificate.Issuer ? "self-signed" : certificate.Issuer)}");
        io.Out.WriteLine($"SHA-256:     {fingerprints.Sha256}");
        io.Out.WriteLine($"SHA-1:       {fingerprints.Sha1}");
        return ExitCodes.Ok;
    }

    private static IEnumerable<string> DnsNames(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate)
    {
        foreach (var extension in certificate.Extensions)
        {
            if (extension is System.Security.Cryptography.X509Certificates.X509SubjectAlternativeNameExtension names)
                foreach (var name in names.EnumerateDnsNames()) yield return name;
        }
    }
}
