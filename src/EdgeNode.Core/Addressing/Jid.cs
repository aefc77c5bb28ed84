using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace EdgeNode.Core.Addressing;

/// <summary>
/// An address <c>local@domain/resource</c> (RFC 7622). Local part and domain are case-folded so that two
/// spellings of one account compare equal; the resource is kept as sent.
/// </summary>
public readonly record struct Jid(string? Local, string Domain, string? Resource)
{
    private const int MaxPartBytes = 1023;
    // Characters RFC 7622 section 3.3.1 forbids in a local part.
    private const string ForbiddenInLocal = "\"&'/:<>@";

    public bool IsBare => Resource is null;
    public Jid Bare => this with { Resource = null };

    public static Jid Parse(string text) =>
        TryParse(text, out var jid, out var problem) ? jid : throw new FormatException($"'{text}' is not a valid address: {problem}");

    public static bool TryParse(string text, out Jid jid) => TryParse(text, out jid, out _);

    public static bool TryParse(string text, out Jid jid, [NotNullWhen(false)] out string? problem)
    {
        jid = default;
        string? resource = null;
        var slash = text.IndexOf('/');
        var main = text;
        if (slash >= 0)
        {
            resource = text[(slash + 1)..];
            main = text[..slash];
            if (!IsValidResource(resource, out problem)) return false;
        }

        string? local = null;
        var at = main.IndexOf('@');
        var domain = main;
        if (at >= 0)
        {
            local = main[..at].ToLowerInvariant();
            domain = main[(at + 1)..];
            if (!IsValidLocal(local, out problem)) return false;
        }

        if (!DomainName.TryNormalize(domain, out var normalized, out problem)) return false;
        jid = new Jid(local, normalized, resource);
        return true;
    }

    private static bool IsValidLocal(string local, [NotNullWhen(false)] out string? problem)
    {
        if (local.Length == 0) { problem = "the part before '@' is empty"; return false; }
        if (Encoding.UTF8.GetByteCount(local) > MaxPartBytes) { problem = "the part before '@' is longer than 1023 bytes"; return false; }
        foreach (var c in local)
        {
            if (ForbiddenInLocal.Contains(c) || char.IsWhiteSpace(c) || char.IsControl(c))
            {
                problem = $"the character '{(char.IsControl(c) ? $"U+{(int)c:X4}" : c.ToString())}' is not allowed before '@'";
                return false;
            }
        }
        problem = null;
        return true;
    }

    private static bool IsValidResource(string resource, [NotNullWhen(false)] out string? problem)
    {
        if (resource.Length == 0) { problem = "the resource after '/' is empty"; return false; }
        if (Encoding.UTF8.GetByteCount(resource) > MaxPartBytes) { problem = "the resource is longer than 1023 bytes"; return false; }
        foreach (var c in resource)
        {
            if (char.IsControl(c)) { problem = "the resource contains a control character"; return false; }
        }
        problem = null;
        return true;
    }

    public override string ToString() =>
        (Local, Resource) switch
        {
            (null, null) => Domain,
            (null, _) => $"{Domain}/{Resource}",
            (_, null) => $"{Local}@{Domain}",
            _ => $"{Local}@{Domain}/{Resource}",
        };
}
