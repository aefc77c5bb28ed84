using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace EdgeNode.Core.Crypto;

/// <summary>
/// A certificate's fingerprints in the two forms people compare in trust dialogs: SHA-256 as upper-case hex pairs
/// joined by colons (Conversations, Gajim, Element, browsers, openssl) and SHA-1 as lower-case hex without
/// separators (Profanity's /tls prompt).
/// </summary>
public readonly record struct CertificateFingerprints(string Sha256, string Sha1)
{
    public static CertificateFingerprints Of(X509Certificate2 certificate) => new(
        Convert.ToHexString(certificate.GetCertHash(HashAlgorithmName.SHA256)).Chunk(2).Select(p => new string(p)).Aggregate((a, b) => a + ":" + b),
        Convert.ToHexStringLower(certificate.GetCertHash(HashAlgorithmName.SHA1)));
}
