using EdgeNode.Core.Addressing;

namespace EdgeNode.Core.Configuration;

public sealed partial class OptionsReader
{
    private static readonly string[] AcmeKeys =
        ["Enabled", "Directory", "Email", "Domains", "AcceptTermsOfService", "RenewBeforeDays", "HttpPort"];

    private AcmeOptions ReadAcme()
    {
        var enabled = ReadBool("Tls:Acme:Enabled", false);
        var directory = ReadString("Tls:Acme:Directory", AcmeOptions.LetsEncrypt);
        var email = ReadOptionalString("Tls:Acme:Email");
        var extra = ReadList("Tls:Acme:Domains", ParseDomain);
        var accepted = ReadBool("Tls:Acme:AcceptTermsOfService", false);
        var renewBefore = TimeSpan.FromDays(ReadInt("Tls:Acme:RenewBeforeDays", 30, 1, 365));
        var httpPort = ReadPort("Tls:Acme:HttpPort", 80);
        var domain = DomainName.TryNormalize(_config["Node:Domain"] ?? "localhost", out var normalized, out _) ? normalized : "localhost";
        var domains = new List<string> { domain };
        domains.AddRange(extra.Where(d => !domains.Contains(d, StringComparer.Ordinal)));
        if (enabled)
        {
            if (!accepted)
                _problems.Add("Tls:Acme:AcceptTermsOfService: must be true to use ACME (read the terms of service of the Tls:Acme:Directory server first)");
            if (!Uri.TryCreate(directory, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
                _problems.Add($"Tls:Acme:Directory: '{directory}' is not an http(s) URL");
            if (_config["Tls:CertificatePath"] is not null)
                _problems.Add("Tls:Acme:Enabled: cannot be used together with Tls:CertificatePath (one source of certificates)");
            foreach (var name in domains.Where(d => !d.Contains('.', StringComparison.Ordinal) || System.Net.IPAddress.TryParse(d, out _)))
                _problems.Add($"Tls:Acme:Domains: '{name}' is not a public DNS name; an ACME server cannot check it (set Node:Domain)");
            if (email is not null && (!email.Contains('@', StringComparison.Ordinal) || email.Any(char.IsWhiteSpace)))
                _problems.Add($"Tls:Acme:Email: '{email}' is not an e-mail address");
        }
        return new AcmeOptions
        {
            Enabled = enabled,
            Directory = directory,
            Email = email,
            Domains = domains,
            AcceptTermsOfService = accepted,
            RenewBefore = renewBefore,
            HttpPort = httpPort,
        };
    }
}
