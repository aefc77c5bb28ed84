using System.Net;
using System.Net.Sockets;

namespace EdgeNode.Core.Addressing;

/// <summary>How the node counts a client's address for limits: one host is one IPv4 address or one IPv6 /64.</summary>
public static class ClientAddress
{
    /// <summary>
    /// IPv4 addresses as they are (also when mapped into IPv6); IPv6 addresses reduced to their /64 prefix, since
    /// a single host is routinely given a whole /64 and could otherwise count as billions of clients.
    /// </summary>
    public static string Key(IPAddress ip)
    {
        if (ip.IsIPv4MappedToIPv6)
        {
            return ip.MapToIPv4().ToString();
        }

        if (ip.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return ip.ToString();
        }

        Span<byte> bytes = stackalloc byte[16];
        ip.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes).ToString() + "/64";
    }

    /// <summary>The address itself (IPv4 also when mapped into IPv6): one host, for the per-address connection limit.</summary>
    public static IPAddress Exact(IPAddress ip) => ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip;

    /// <summary>The IPv6 /64 an address belongs to (as <see cref="Key(IPAddress)"/> writes it); null for IPv4.</summary>
    public static string? Prefix(IPAddress ip) =>
        ip.AddressFamily == AddressFamily.InterNetworkV6 && !ip.IsIPv4MappedToIPv6 ? Key(ip) : null;

    /// <summary>The key of an address given as text; text that is not an IP address is its own key.</summary>
    public static string Key(string address) => IPAddress.TryParse(address, out IPAddress? ip) ? Key(ip) : address;
}
