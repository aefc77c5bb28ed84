using EdgeNode.Core.Configuration;

namespace EdgeNode.Xmpp.S2s;

/// <summary>Federation:Mode and Federation:Allow as one decision: may this node federate with a domain?</summary>
public sealed class FederationPolicy(FederationOptions options)
{
    private readonly HashSet<string> _allow = new(options.Allow, StringComparer.Ordinal);
    private readonly HashSet<string> _requireCertificates = new(options.RequireValidCertificates, StringComparer.Ordinal);

    public FederationMode Mode => options.Mode;

    /// <summary>True when traffic with <paramref name="domain"/> (lower case) is allowed; otherwise <paramref name="reason"/> says why.</summary>
    public bool Allows(string domain, out string reason)
    {
        switch (options.Mode)
        {
            case FederationMode.Open:
                reason = "";
                return true;
            case FederationMode.Allowlist when _allow.Contains(domain):
                reason = "";
                return true;
            case FederationMode.Allowlist:
                reason = $"{domain} is not in this server's federation allowlist (Federation:Allow)";
                return false;
            default:
                reason = "this server does not federate (Federation:Mode is closed)";
                return false;
        }
    }

    /// <summary>True when <paramref name="domain"/> must authenticate with a CA-valid certificate (no dialback).</summary>
    public bool RequiresValidCertificate(string domain) => _requireCertificates.Contains("*") || _requireCertificates.Contains(domain);
}
