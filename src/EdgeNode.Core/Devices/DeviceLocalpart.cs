using System.Text;

namespace EdgeNode.Core.Devices;

/// <summary>
/// Turns a convention's identifier into an address local part that is valid in XMPP (RFC 7622) and in Matrix
/// user ids alike: lower-case a-z, 0-9, '.', '_' and '-'. Separators and spaces become '-', common Latin letters
/// with diacritics are spelled out ("küche" -> "kueche"), and when characters had to be dropped or the name was
/// too long, a short hash of the original is appended so that two different names do not silently merge.
/// </summary>
public static class DeviceLocalpart
{
    public const int MaxLength = 64;
    private const int HashLength = 8;

    public static string FromIdentifier(string identifier)
    {
        var builder = new StringBuilder(identifier.Length);
        var dropped = false;
        foreach (var raw in identifier)
        {
            var c = char.ToLowerInvariant(raw);
            if (c is >= 'a' and <= 'z' or >= '0' and <= '9' or '.' or '_')
            {
                builder.Append(c);
            }
            else if (Transliterate(c) is { } spelled)
            {
                builder.Append(spelled);
            }
            else
            {
                // ASCII punctuation and spaces are plain separators; anything else carried meaning we cannot keep.
                if (c > 0x7F || char.IsControl(c)) dropped = true;
                if (builder.Length > 0 && builder[^1] != '-') builder.Append('-');
            }
        }

        var text = builder.ToString().Trim('-', '.', '_');
        if (text.Length == 0) return "device-" + Hash(identifier);
        if (dropped || text.Length > MaxLength)
        {
            var keep = Math.Min(text.Length, MaxLength - HashLength - 1);
            text = text[..keep].TrimEnd('-', '.', '_') + "-" + Hash(identifier);
        }
        return text;
    }

    private static string? Transliterate(char c) => c switch
    {
        'ä' or 'æ' => "ae",
        'ö' or 'œ' => "oe",
        'ü' => "ue",
        'ß' => "ss",
        'à' or 'á' or 'â' or 'ã' or 'å' or 'ā' or 'ą' => "a",
        'ç' or 'č' or 'ć' => "c",
        'ď' or 'đ' => "d",
        'è' or 'é' or 'ê' or 'ë' or 'ē' or 'ę' or 'ě' => "e",
        'ğ' => "g",
        'ì' or 'í' or 'î' or 'ï' or 'ı' => "i",
        'ł' => "l",
        'ñ' or 'ń' or 'ň' => "n",
        'ò' or 'ó' or 'ô' or 'õ' or 'ø' => "o",
        'ř' => "r",
        'š' or 'ś' or 'ş' => "s",
        'ť' => "t",
        'ù' or 'ú' or 'û' or 'ů' => "u",
        'ý' or 'ÿ' => "y",
        'ž' or 'ź' or 'ż' => "z",
        _ => null,
    };

    // FNV-1a over UTF-16 code units: stable across runs and platforms, unlike string.GetHashCode.
    private static string Hash(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }
        return hash.ToString("x8");
    }
}
