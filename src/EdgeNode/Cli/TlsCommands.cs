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
            io.Error.WriteLine($"edgenode: no TLS certificate yet at {Path.GetFullPath(path)}; 'edgenode run' makes a self-signed one on its first start (or set Tls:CertificatePath and Tls:KeyPath, or enable Tls:Acme)");
            return ExitCodes.Failure;
        }
        var fingerprints = CertificateFingerprints.Of(certificate);
        io.Out.WriteLine($"certificate: {Path.GetFullPath(path)}");
        io.Out.WriteLine($"subject:     {certificate.Subject}");
        io.Out.WriteLine($"names:       {string.Join(", ", NodeCertificate.DnsNames(certificate))}");
        io.Out.WriteLine($"valid:       {certificate.NotBefore.ToUniversalTime():yyyy-MM-dd} to {certificate.NotAfter.ToUniversalTime():yyyy-MM-dd}");
        io.Out.WriteLine($"issuer:      {(certificate.Subject == certificate.Issuer ? "self-signed" : certificate.Issuer)}");
        if (options.Tls.Acme.Enabled)
        {
            io.Out.WriteLine(path == NodeCertificate.AcmePath(options)
                ? $"ACME:        from {options.Tls.Acme.Directory}, renewed {options.Tls.Acme.RenewBefore.TotalDays:0} days before expiry (from {certificate.NotAfter.ToUniversalTime() - options.Tls.Acme.RenewBefore:yyyy-MM-dd})"
                : $"ACME:        enabled, no certificate obtained yet from {options.Tls.Acme.Directory}; the one above stands in");
        }
        io.Out.WriteLine($"SHA-256:     {fingerprints.Sha256}");
        io.Out.WriteLine($"SHA-1:       {fingerprints.Sha1}");
        return ExitCodes.Ok;
    }
}
