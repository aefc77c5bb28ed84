namespace EdgeNode.Core.Configuration;

public sealed partial class OptionsReader
{
    private static readonly string[] MatrixKeys =
        ["PublicBaseUrl", "DefaultRoomVersion", "RegistrationTokens", "MaxUploadBytes", "MaxRequestBytes",
         "MediaQuotaBytesPerUser", "MaxFiltersPerUser", "MaxPendingToDevicePerDevice", "AdminContact",
         "MessagesPerSecond", "MessageBurst", "AllowQueryToken", "AllowQueryTokenOnR0", "LegacyMediaDownloads"];

    private MatrixOptions ReadMatrix()
    {
        var defaults = new MatrixOptions();
        var baseUrl = ReadOptionalString("Matrix:PublicBaseUrl");
        if (baseUrl is not null && !(Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
                && string.IsNullOrEmpty(uri.Query) && string.IsNullOrEmpty(uri.Fragment)))
        {
            _problems.Add($"Matrix:PublicBaseUrl: '{baseUrl}' is not an http:// or https:// address such as https://matrix.example.org");
            baseUrl = null;
        }
        var version = ReadString("Matrix:DefaultRoomVersion", defaults.DefaultRoomVersion);
        if (version is not ("10" or "11" or "12"))
        {
            _problems.Add($"Matrix:DefaultRoomVersion: '{version}' is not a room version this node supports (10, 11 or 12)");
            version = defaults.DefaultRoomVersion;
        }
        return new MatrixOptions
        {
            PublicBaseUrl = baseUrl?.TrimEnd('/'),
            DefaultRoomVersion = version,
            RegistrationTokens = ReadList("Matrix:RegistrationTokens", ParseRegistrationToken),
            MaxUploadBytes = ReadInt("Matrix:MaxUploadBytes", defaults.MaxUploadBytes, 1024, 1024 * 1024 * 1024),
            MaxRequestBytes = ReadInt("Matrix:MaxRequestBytes", defaults.MaxRequestBytes, 65536, 64 * 1024 * 1024),
            MediaQuotaBytesPerUser = ReadMatrixBytes("Matrix:MediaQuotaBytesPerUser", defaults.MediaQuotaBytesPerUser),
            MaxFiltersPerUser = ReadInt("Matrix:MaxFiltersPerUser", defaults.MaxFiltersPerUser, 1, 100_000),
            MaxPendingToDevicePerDevice = ReadInt("Matrix:MaxPendingToDevicePerDevice", defaults.MaxPendingToDevicePerDevice, 100, 10_000_000),
            AdminContact = ReadAdminContact("Matrix:AdminContact"),
            MessagesPerSecond = ReadRate("Matrix:MessagesPerSecond", defaults.MessagesPerSecond),
            MessageBurst = ReadInt("Matrix:MessageBurst", defaults.MessageBurst, 1, 1_000_000),
            AllowQueryToken = ReadBool("Matrix:AllowQueryToken", false),
            AllowQueryTokenOnR0 = ReadBool("Matrix:AllowQueryTokenOnR0", true),
            LegacyMediaDownloads = ReadBool("Matrix:LegacyMediaDownloads", false),
        };
    }

    /// <summary>A rate a second, a decimal such as 0.2 (one every five seconds), from 0 (no limit) to 1000000.</summary>
    private double ReadRate(string key, double fallback)
    {
        var value = _config[key];
        if (value is null) return fallback;
        if (!double.TryParse(value, System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out var result)
            || result > 1_000_000)
        {
            _problems.Add($"{key}: '{value}' is not a rate a second from 0 (no limit) to 1000000, such as 0.2");
            return fallback;
        }
        return result;
    }

    /// <summary>A byte count up to 1 TiB, 0 for none.</summary>
    private long ReadMatrixBytes(string key, long fallback)
    {
        var value = _config[key];
        if (value is null) return fallback;
        if (!long.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var result) || result > 1L << 40)
        {
            _problems.Add($"{key}: '{value}' is not a number of bytes from 0 to 1099511627776");
            return fallback;
        }
        return result;
    }

    // admin_contact is a URI (client-server API, M_RESOURCE_LIMIT_EXCEEDED): mailto:, xmpp:, https: and the like.
    private string? ReadAdminContact(string key)
    {
        var value = ReadOptionalString(key);
        if (value is null || (!value.StartsWith('/') && Uri.TryCreate(value, UriKind.Absolute, out _))) return value;
        _problems.Add($"{key}: '{value}' is not a URI such as mailto:admin@example.org");
        return null;
    }

    // The spec limits registration tokens to 64 characters of [A-Za-z0-9._~-].
    private static (string?, string?) ParseRegistrationToken(string text)
    {
        if (text.Length is 0 or > 64) return (null, $"'{text}' must be 1 to 64 characters long");
        foreach (var c in text)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '~' or '-'))
                return (null, $"'{text}' may hold only letters, digits and . _ ~ -");
        return (text, null);
    }
}
