using System.Diagnostics.CodeAnalysis;

namespace EdgeNode.Core.Addressing;

/// <summary>DNS host names as the node accepts them for its own domain, peers and addresses (ASCII; IDNs in xn-- form).</summary>
public static class DomainName
{
    public static bool TryNormalize(string text, [NotNullWhen(true)] out string? normalized, [NotNullWhen(false)] out string? problem)
    {
        normalized = null;
        var name = text.EndsWith('.') ? text[..^1] : text;
        if (name.Length == 0) { problem = "the domain is empty"; return false; }
        if (name.Length > 253) { problem = "the domain is longer than 253 characters"; return false; }
        foreach (var label in name.Split('.'))
        {
            if (label.Length is 0 or > 63) { problem = $"'{text}' has an empty or over-long label"; return false; }
            if (label[0] == '-' || label[^1] == '-') { problem = $"the label '{label}' starts or ends with '-'"; return false; }
            foreach (var c in label)
            {
                if (!(char.IsAsciiLetterOrDigit(c) || c == '-'))
                {
                    problem = $"'{text}' contains '{c}'; a domain has only letters, digits, '-' and '.' (write international names in their xn-- form)";
                    return false;
                }
            }
        }
        normalized = name.ToLowerInvariant();
        problem = null;
        return true;
    }
}
