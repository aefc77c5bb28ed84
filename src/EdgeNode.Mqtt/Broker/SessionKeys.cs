namespace EdgeNode.Mqtt.Broker;

/// <summary>
/// Client ids live in their account's own name space: a session is found by account and client id together, so a
/// device using another device's client id gets a session of its own and can neither take over nor block the other's.
/// The key is the account (empty for anonymous) and the client id joined by U+001F, which no device name contains;
/// it is also the session's row key in the database. Rows stored before keys had an account keep their plain
/// client id as row key.
/// </summary>
internal static class SessionKeys
{
    private const char Separator = '\u001F';

    public static string Of(string? username, string clientId) => string.Concat(username ?? string.Empty, Separator.ToString(), clientId);

    /// <summary>The client id in a stored row key (<paramref name="username"/> is the row's account).</summary>
    public static string ClientIdOf(string storedKey, string? username)
    {
        string prefix = (username ?? string.Empty) + Separator;
        return storedKey.StartsWith(prefix, StringComparison.Ordinal) ? storedKey[prefix.Length..] : storedKey;
    }
}
