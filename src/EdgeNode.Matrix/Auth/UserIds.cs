namespace EdgeNode.Matrix.Auth;

/// <summary>
/// User ID checks for the authorisation rules. Historical user IDs (appendix "Historical User IDs") must
/// still be accepted, so the localpart may hold any printable ASCII but ':' (%x21-39 / %x3B-7E); spaces,
/// control characters and non-ASCII are not user IDs in any version. The server name must be sound.
/// </summary>
public static class UserIds
{
    public static bool IsValid(string? userId)
    {
        if (userId is null || userId.Length < 3 || userId[0] != '@') return false;
        if (System.Text.Encoding.UTF8.GetByteCount(userId) > 255) return false;
        int colon = userId.IndexOf(':');
        if (colon < 1) return false;
        foreach (char c in userId.AsSpan(1, colon - 1))
            if (c is < '\x21' or > '\x7E') return false;
        return IsServerName(userId.AsSpan(colon + 1));
    }

    /// <summary>The server name part of a user ID, or null when it has none.</summary>
    public static string? ServerName(string userId)
    {
        int colon = userId.IndexOf(':');
        return colon < 0 ? null : userId[(colon + 1)..];
    }

    private static bool IsServerName(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty) return false;
        ReadOnlySpan<char> host = name;
        if (name[0] == '[')
        {
            int close = name.IndexOf(']');
            if (close < 3) return false;
            foreach (char c in name[1..close])
                if (!(char.IsAsciiHexDigit(c) || c is ':' or '.')) return false;
            return close == name.Length - 1 || IsPort(name[(close + 1)..]);
        }
        int portColon = name.LastIndexOf(':');
        if (portColon >= 0)
        {
            if (!IsPort(name[portColon..])) return false;
            host = name[..portColon];
        }
        if (host.IsEmpty || host.Length > 255) return false;
        foreach (char c in host)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '.')) return false;
        return true;
    }

    private static bool IsPort(ReadOnlySpan<char> colonAndPort)
    {
        if (colonAndPort.Length < 2 || colonAndPort.Length > 6 || colonAndPort[0] != ':') return false;
        foreach (char c in colonAndPort[1..])
            if (!char.IsAsciiDigit(c)) return false;
        return true;
    }
}
