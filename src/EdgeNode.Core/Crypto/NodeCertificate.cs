using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using EdgeNode.Core.Configuration;

namespace EdgeNode.Core.Crypto;

/// <summary>Where the node's TLS certificate came from, for the start-up message.</summary>
public sealed record CertificateSource(string CertificatePath, string KeyPath, bool Generated, bool CreatedNow);

/// <summary>
/// The certificate every TLS listener presents: the operator's PEM files when configured, otherwise a
/// self-signed one made on first start for the domain and its subdomains and kept in the data directory.
/// </summary>
public static class NodeCertificate
{
    public static X509Certificate2 LoadOrCreate(NodeOptions options, out CertificateSource source)
    {
        if (options.Tls.CertificatePath is { } certPath && options.Tls.KeyPath is { } keyPath)
        {
            source = new CertificateSource(certPath, keyPath, Generated: false, CreatedNow: false);
            return Load(certPath, keyPath, "Tls:CertificatePath");
        }
        if (AcmeFile(options) is { } acme)
        {
            source = new CertificateSource(acme, acme, Generated: false, CreatedNow: false);
            return Load(acme, acme, "the ACME certificate");
        }

        var (cert, key) = GeneratedPaths(options);
        var dir = Path.GetDirectoryName(cert)!;
        var createdNow = false;
        if (!File.Exists(cert) || !File.Exists(key))
        {
            Directory.CreateDirectory(dir);
            using var fresh = CreateSelfSigned(options.Node.Domain, DateTimeOffset.UtcNow);
            WriteSecret(key, fresh.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
            File.WriteAllText(cert, fresh.ExportCertificatePem() + "\n");
            createdNow = true;
        }
        source = new CertificateSource(cert, key, Generated: true, CreatedNow: createdNow);
        return Load(cert, key, "the generated certificate");
    }

    /// <summary>
    /// The certificate the node presents without creating one: the operator's files, or the generated one if the
    /// node made it already; null (with the path it would be made at) when there is none yet.
    /// </summary>
    public static X509Certificate2? LoadExisting(NodeOptions options, out string certificatePath)
    {
        if (options.Tls.CertificatePath is { } certPath && options.Tls.KeyPath is { } keyPath)
        {
            certificatePath = certPath;
            return Load(certPath, keyPath, "Tls:CertificatePath");
        }
        if (AcmeFile(options) is { } acme)
        {
            certificatePath = acme;
            return Load(acme, acme, "the ACME certificate");
        }
        var (cert, key) = GeneratedPaths(options);
        certificatePath = cert;
        return File.Exists(cert) && File.Exists(key) ? Load(cert, key, "the generated certificate") : null;
    }

    /// <summary>
    /// Where a certificate obtained by ACME is kept (its chain and key in one PEM file), used in preference to the
    /// generated one while Tls:Acme is enabled; until the first is obtained the generated one stands in.
    /// </summary>
    public static string AcmePath(NodeOptions options) => Path.Combine(options.Node.DataDir, "tls", "acme", options.Node.Domain + ".pem");

    private static string? AcmeFile(NodeOptions options) =>
        options.Tls.Acme.Enabled && File.Exists(AcmePath(options)) ? AcmePath(options) : null;

    /// <summary>The DNS names a certificate is for (its subject alternative names).</summary>
    public static IEnumerable<string> DnsNames(X509Certificate2 certificate)
    {
        foreach (var extension in certificate.Extensions)
        {
            if (extension is X509SubjectAlternativeNameExtension names)
                foreach (var name in names.EnumerateDnsNames()) yield return name;
        }
    }

    private static (string Certificate, string Key) GeneratedPaths(NodeOptions options)
    {
        var dir = Path.Combine(options.Node.DataDir, "tls");
        return (Path.Combine(dir, options.Node.Domain + ".crt"), Path.Combine(dir, options.Node.Domain + ".key"));
    }

    /// <summary>
    /// The intermediate certificates that follow the node's certificate in the operator's PEM file (a "fullchain"
    /// file from an ACME client), sent after it in TLS handshakes; none for the generated certificate.
    /// </summary>
    public static IReadOnlyList<X509Certificate2> LoadChain(NodeOptions options)
    {
        if ((options.Tls.CertificatePath ?? AcmeFile(options)) is not { } certPath) return [];
        var all = new X509Certificate2Collection();
        try
        {
            all.ImportFromPemFile(certPath);
        }
        catch (CryptographicException e)
        {
            throw new ConfigurationErrorException([$"Tls:CertificatePath: cannot read the certificates in '{certPath}': {e.Message}"]);
        }
        return all.Skip(1).ToArray();
    }

    public static X509Certificate2 CreateSelfSigned(string domain, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={domain}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(domain);
        names.AddDnsName("*." + domain);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        // clientAuth too: a server presents this certificate when it opens a server-to-server stream.
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(now.AddDays(-1), now.AddYears(10));
    }

    private static X509Certificate2 Load(string certPath, string keyPath, string what)
    {
        try
        {
            return X509Certificate2.CreateFromPemFile(certPath, keyPath);
        }
        catch (CryptographicException e)
        {
            throw new ConfigurationErrorException([$"{what}: cannot load the certificate '{certPath}' with the key '{keyPath}': {e.Message}"]);
        }
    }

    private static void WriteSecret(string path, string pem)
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        };
        using var stream = new FileStream(path, options);
        using var writer = new StreamWriter(stream);
        writer.Write(pem);
        writer.Write('\n');
    }
}
