using System.Net;

namespace EdgeNode.Core.Addressing;

/// <summary>
/// The address of the client behind trusted reverse proxies (Http:TrustedProxies). Only a request whose TCP peer is a
/// trusted proxy has its forwarding headers read at all; then the hops are walked from the right (the hop the proxy
/// itself added) past every trusted proxy, and the first untrusted hop is the client. What a client writes into the
/// headers itself lies further left, so it is never reached unless it sits behind hops we trust.
/// </summary>
/// <remarks>
/// X-Forwarded-For is read when present (the header every common proxy appends to); the standard Forwarded header
/// (RFC 7239, its <c>for=</c> parameters) only when there is no X-Forwarded-For. A malformed, obfuscated
/// (<c>_hidden</c>) or <c>unknown</c> hop ends the walk at the last hop known, which is a trusted proxy.
/// </remarks>
public static class ForwardedClient
{
    /// <summary>Hops looked at, from the right; proxies chains are short, a longer header is someone's noise.</summary>
    private const int MaxHops = 32;

    public static IPAddress Resolve(IPAddress peer, IReadOnlyList<IPNetwork> trustedProxies,
        IEnumerable<string?> xForwardedFor, IEnumerable<string?> forwarded)
    {
        IPAddress current = Normal(peer);
        if (trustedProxies.Count == 0 || !IsTrusted(current, trustedProxies))
        {
            return current;
        }

        List<string> hops = Hops(xForwardedFor, forHeader: false);
        if (hops.Count == 0)
        {
            hops = Hops(forwarded, forHeader: true);
        }

        for (int i = hops.Count - 1, seen = 0; i >= 0 && seen < MaxHops; i--, seen++)
        {
            if (!TryAddress(hops[i], out IPAddress? hop))
            {
                return current;
            }

            if (!IsTrusted(hop, trustedProxies))
            {
                return hop;
            }

            current = hop;
        }

        return current;
    }

    private static bool IsTrusted(IPAddress address, IReadOnlyList<IPNetwork> trusted)
    {
        foreach (IPNetwork network in trusted)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    private static IPAddress Normal(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    /// <summary>The hops of every instance of the header, in order (several instances are one list, RFC 9110 5.3).</summary>
    private static List<string> Hops(IEnumerable<string?> values, bool forHeader)
    {
        var hops = new List<string>();
        foreach (string? value in values)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                continue;
            }

            foreach (string element in value.Split(',', StringSplitOptions.TrimEntries))
            {
                hops.Add(forHeader ? ForParameter(element) : element);
            }
        }

        return hops;
    }

    /// <summary>The <c>for=</c> value of one Forwarded element (<c>for=192.0.2.60;proto=http;by=203.0.113.43</c>); empty without one.</summary>
    private static string ForParameter(string element)
    {
        foreach (string pair in element.Split(';', StringSplitOptions.TrimEntries))
        {
            if (pair.StartsWith("for=", StringComparison.OrdinalIgnoreCase))
            {
                string value = pair[4..].Trim();
                return value.Length >= 2 && value[0] == '"' && value[^1] == '"' ? value[1..^1] : value;
            }
        }

        return "";
    }

    /// <summary>An address, also with a port (<c>192.0.2.43:47011</c>, <c>[2001:db8::17]:4711</c>) or in brackets.</summary>
    private static bool TryAddress(string hop, out IPAddress address)
    {
        address = IPAddress.None;
        ReadOnlySpan<char> text = hop.AsSpan().Trim();
        if (text.Length is 0 or > 64)
        {
            return false;
        }

        if (text[0] == '[')
        {
            int close = text.IndexOf(']');
            if (close < 0)
            {
                return false;
            }

            text = text[1..close];
        }
        else if (text.IndexOf(':') is var colon and >= 0 && text.LastIndexOf(':') == colon)
        {
            text = text[..colon];
        }

        if (!IPAddress.TryParse(text, out IPAddress? parsed))
        {
            return false;
        }

        address = Normal(parsed);
        return true;
    }
}
