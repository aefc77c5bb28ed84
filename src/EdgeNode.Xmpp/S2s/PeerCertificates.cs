using System.Formats.Asn1;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace EdgeNode.Xmpp.S2s;

/// <summary>What a peer's certificate proves: valid for its domain (SASL EXTERNAL), or why not (dialback then).</summary>
public sealed record CertificateCheck(bool Valid, string Problem, DateTimeOffset? NotAfter)
{
    public static CertificateCheck None { get; } = new(false, "the server presented no certificate", null);
}

/// <summary>
/// Checks a server-to-server peer certificate: the chain to a trusted root (the system's, plus Federation's own CA
/// file) and the identity per RFC 6125 (DNS-ID in subjectAltName, one leading wildcard label; the CN only when there
/// is no subjectAltName; an XmppAddr equal to the domain). The purpose may be serverAuth alone (current public CAs
/// issue no clientAuth any more), clientAuth, or none at all: SslStream's own check, which wants clientAuth from a TLS
/// client, is not used.
/// </summary>
public sealed class PeerCertificates
{
    private const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuth = "1.3.6.1.5.5.7.3.2";
    private const string XmppAddrOid = "1.3.6.1.5.5.7.8.5";

    private readonly X509Certificate2Collection _extraRoots;
    private readonly TimeProvider _time;

    public PeerCertificates(X509Certificate2Collection? extraRoots = null, TimeProvider? time = null)
    {
        _extraRoots = extraRoots ?? [];
        _time = time ?? TimeProvider.System;
    }

    public static PeerCertificates FromFile(string? path)
    {
        var roots = new X509Certificate2Collection();
        if (path is not null)
        {
            roots.ImportFromPemFile(path);
        }

        return new PeerCertificates(roots);
    }

    /// <summary>Checks <paramref name="certificate"/> (with the intermediates the peer sent) for <paramref name="domain"/>.</summary>
    public CertificateCheck Check(X509Certificate2? certificate, X509Certificate2Collection? intermediates, string domain)
    {
        if (certificate is null)
        {
            return CertificateCheck.None;
        }

        DateTimeOffset notAfter = new(certificate.NotAfter.ToUniversalTime());
        DateTimeOffset now = _time.GetUtcNow();
        if (now > notAfter)
        {
            return new CertificateCheck(false, $"the certificate for {domain} expired on {notAfter:yyyy-MM-dd}", notAfter);
        }

        if (now < certificate.NotBefore.ToUniversalTime())
        {
            return new CertificateCheck(false, $"the certificate for {domain} is not valid before {certificate.NotBefore.ToUniversalTime():yyyy-MM-dd}", notAfter);
        }

        if (!PurposeAllowed(certificate))
        {
            return new CertificateCheck(false, "the certificate is not meant for servers (neither serverAuth nor clientAuth)", notAfter);
        }

        if (!NameMatches(certificate, domain))
        {
            return new CertificateCheck(false, $"the certificate is for {DescribeNames(certificate)}, not {domain}", notAfter);
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        if (intermediates is not null)
        {
            chain.ChainPolicy.ExtraStore.AddRange(intermediates);
        }

        bool built = chain.Build(certificate);
        if (!built && _extraRoots.Count > 0)
        {
            chain.Reset();
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.VerificationTime = now.UtcDateTime;
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(_extraRoots);
            if (intermediates is not null)
            {
                chain.ChainPolicy.ExtraStore.AddRange(intermediates);
            }

            built = chain.Build(certificate);
        }

        if (!built)
        {
            string status = string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
            bool selfSigned = certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData);
            return new CertificateCheck(false, selfSigned
                ? $"the certificate for {domain} is self-signed"
                : $"the certificate for {domain} does not lead to a trusted CA ({status})", notAfter);
        }

        return new CertificateCheck(true, "", notAfter);
    }

    private static bool PurposeAllowed(X509Certificate2 certificate)
    {
        foreach (X509Extension extension in certificate.Extensions)
        {
            if (extension is X509EnhancedKeyUsageExtension usage)
            {
                foreach (Oid oid in usage.EnhancedKeyUsages)
                {
                    if (oid.Value is ServerAuth or ClientAuth)
                    {
                        return true;
                    }
                }

                return false;
            }
        }

        return true;
    }

    /// <summary>RFC 6125 6.4: the reference identifier is the domain; wildcards only as the whole leftmost label.</summary>
    public static bool NameMatches(X509Certificate2 certificate, string domain)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        domain = domain.TrimEnd('.').ToLowerInvariant();
        bool sawSan = false;
        foreach (X509Extension extension in certificate.Extensions)
        {
            if (extension is not X509SubjectAlternativeNameExtension san)
            {
                continue;
            }

            sawSan = true;
            foreach (string name in san.EnumerateDnsNames())
            {
                if (DnsNameMatches(name, domain))
                {
                    return true;
                }
            }

            if (XmppAddrs(extension).Any(a => string.Equals(a, domain, StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }
        }

        if (sawSan)
        {
            return false;
        }

        string? cn = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        return cn is not null && DnsNameMatches(cn, domain);
    }

    internal static bool DnsNameMatches(string presented, string domain)
    {
        presented = presented.TrimEnd('.').ToLowerInvariant();
        if (presented.StartsWith("*.", StringComparison.Ordinal))
        {
            int dot = domain.IndexOf('.', StringComparison.Ordinal);
            return dot > 0 && presented.AsSpan(1).SequenceEqual(domain.AsSpan(dot)) && presented.Count(c => c == '.') >= 2;
        }

        return string.Equals(presented, domain, StringComparison.Ordinal);
    }

    private static List<string> XmppAddrs(X509Extension extension)
    {
        var result = new List<string>();
        try
        {
            var reader = new AsnReader(extension.RawData, AsnEncodingRules.DER);
            AsnReader names = reader.ReadSequence();
            while (names.HasData)
            {
                Asn1Tag tag = names.PeekTag();
                if (tag.TagClass == TagClass.ContextSpecific && tag.TagValue == 0)
                {
                    AsnReader other = names.ReadSequence(tag);
                    string oid = other.ReadObjectIdentifier();
                    AsnReader value = other.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true));
                    if (oid == XmppAddrOid)
                    {
                        result.Add(value.ReadCharacterString(UniversalTagNumber.UTF8String));
                    }
                }
                else
                {
                    names.ReadEncodedValue();
                }
            }
        }
        catch (Exception e) when (e is AsnContentException or CryptographicException)
        {
            // An unreadable otherName is simply not an XmppAddr.
        }

        return result;
    }

    private static string DescribeNames(X509Certificate2 certificate)
    {
        var names = new List<string>();
        foreach (X509Extension extension in certificate.Extensions)
        {
            if (extension is X509SubjectAlternativeNameExtension san)
            {
                names.AddRange(san.EnumerateDnsNames());
            }
        }

        if (names.Count == 0)
        {
            names.Add(certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false) ?? "no name");
        }

        return string.Join(", ", names.Take(5).Select(n => n.ToString(CultureInfo.InvariantCulture)));
    }
}
