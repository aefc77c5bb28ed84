using System.Buffers;
using System.Text.Unicode;

namespace EdgeNode.Core.Routing;

public enum AddressClass : byte
{
    /// <summary>Not an address the node accepts (empty part, too long, not UTF-8).</summary>
    Invalid,

    /// <summary>The node's own domain, with or without a resource: the server answers.</summary>
    Server,

    /// <summary><c>local@</c> the node's domain: a participant of this node.</summary>
    Local,

    /// <summary>Another domain: federation's business.</summary>
    Remote,
}

/// <summary>
/// Splits a UTF-8 address into the case-folded bare key the registry is indexed by (into the caller's memory,
/// so no string is made) and the resource bytes, which compare exactly (RFC 7622).
/// </summary>
public static class Address
{
    /// <summary>The longest bare address: a 1023-byte local part, '@', a 253-byte domain.</summary>
    public const int MaxBareChars = 1023 + 1 + 253;

    /// <summary>
    /// Writes the bare part, case-folded, into <paramref name="bare"/> (at least <see cref="MaxBareChars"/> long).
    /// </summary>
    public static bool TrySplit(ReadOnlySpan<byte> address, Span<char> bare, out int bareLength, out int atIndex,
        out ReadOnlySpan<byte> resource)
    {
        bareLength = 0;
        atIndex = -1;
        resource = default;
        int slash = address.IndexOf((byte)'/');
        ReadOnlySpan<byte> main = address;
        if (slash >= 0)
        {
            resource = address.Slice(slash + 1);
            main = address.Slice(0, slash);
            if (resource.IsEmpty || resource.Length > 1023)
            {
                return false;
            }
        }

        if (main.IsEmpty || main.Length > MaxBareChars || main[^1] == '@')
        {
            return false;
        }

        if (Utf8.ToUtf16(main, bare, out _, out int length, replaceInvalidSequences: false) != OperationStatus.Done)
        {
            return false;
        }

        Span<char> chars = bare.Slice(0, length);
        int at = chars.IndexOf('@');
        if (at == 0)
        {
            return false;
        }

        for (int i = 0; i < chars.Length; i++)
        {
            char c = chars[i];
            chars[i] = char.IsAscii(c) ? (char)(c is >= 'A' and <= 'Z' ? c + 32 : c) : char.ToLowerInvariant(c);
        }

        if (chars[^1] == '.')
        {
            // A trailing dot names the same domain (RFC 7622 3.2).
            length--;
        }

        bareLength = length;
        atIndex = at;
        return length > 0;
    }

    /// <summary>Which side of the node an address belongs to; <paramref name="domain"/> is the node's, lower case.</summary>
    public static AddressClass Classify(ReadOnlySpan<char> bare, int atIndex, string domain)
    {
        ReadOnlySpan<char> host = atIndex < 0 ? bare : bare.Slice(atIndex + 1);
        if (!host.SequenceEqual(domain))
        {
            return host.IsEmpty ? AddressClass.Invalid : AddressClass.Remote;
        }

        return atIndex < 0 ? AddressClass.Server : AddressClass.Local;
    }
}
