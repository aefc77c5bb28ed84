using EdgeNode.Mqtt.Codec;

namespace EdgeNode.Mqtt.Topics;

/// <summary>
/// Topic name and topic filter rules (MQTT section 4.7): '/' separates levels and empty levels are
/// allowed; '+' fills a whole level; '#' is a whole last level; names have no wildcards; both are
/// 1 to 65,535 bytes of valid UTF-8. Shared subscriptions are <c>$share/{ShareName}/{filter}</c>.
/// </summary>
public static class MqttTopic
{
    public const int MaxLength = ushort.MaxValue;

    private static ReadOnlySpan<byte> SharePrefix => "$share/"u8;

    public static bool IsValidTopicName(ReadOnlySpan<byte> topic) =>
        topic.Length is > 0 and <= MaxLength && topic.IndexOfAny((byte)'+', (byte)'#') < 0 && MqttUtf8.IsValid(topic);

    /// <summary>A plain or shared topic filter.</summary>
    public static bool IsValidTopicFilter(ReadOnlySpan<byte> filter)
    {
        if (IsShared(filter))
        {
            return TryParseShared(filter, out _, out _);
        }

        return IsValidPlainFilter(filter);
    }

    public static bool IsShared(ReadOnlySpan<byte> filter) => filter.StartsWith(SharePrefix);

    /// <summary>
    /// Splits <c>$share/{ShareName}/{filter}</c> (MQTT 5.0 section 4.8.2). False when <paramref name="filter"/> is
    /// not a shared subscription or is an invalid one: an empty share name, a '+' or '#' in it (a '/' ends it), a
    /// name that is not valid UTF-8, or no valid plain filter after it. A filter after it that is itself a shared
    /// subscription (<c>$share/a/$share/b/x</c>) is refused too: it would be no valid filter on its own.
    /// </summary>
    public static bool TryParseShared(ReadOnlySpan<byte> filter, out ReadOnlySpan<byte> shareName, out ReadOnlySpan<byte> topicFilter)
    {
        shareName = default;
        topicFilter = default;
        if (!IsShared(filter) || filter.Length > MaxLength)
        {
            return false;
        }

        ReadOnlySpan<byte> rest = filter[SharePrefix.Length..];
        int slash = rest.IndexOf((byte)'/');
        if (slash <= 0)
        {
            return false;
        }

        ReadOnlySpan<byte> name = rest[..slash];
        ReadOnlySpan<byte> inner = rest[(slash + 1)..];
        if (name.IndexOfAny((byte)'+', (byte)'#') >= 0 || !MqttUtf8.IsValid(name) || IsShared(inner) || !IsValidPlainFilter(inner))
        {
            return false;
        }

        shareName = name;
        topicFilter = inner;
        return true;
    }

    /// <summary>The number of levels: one more than the number of separators.</summary>
    public static int CountLevels(ReadOnlySpan<byte> topicOrFilter) => topicOrFilter.Count((byte)'/') + 1;

    private static bool IsValidPlainFilter(ReadOnlySpan<byte> filter)
    {
        if (filter.Length is 0 or > MaxLength || !MqttUtf8.IsValid(filter))
        {
            return false;
        }

        int start = 0;
        while (true)
        {
            int slash = filter[start..].IndexOf((byte)'/');
            bool last = slash < 0;
            ReadOnlySpan<byte> level = last ? filter[start..] : filter.Slice(start, slash);
            int wildcard = level.IndexOfAny((byte)'+', (byte)'#');
            if (wildcard >= 0)
            {
                if (level.Length != 1 || (level[0] == (byte)'#' && !last))
                {
                    return false;
                }
            }

            if (last)
            {
                return true;
            }

            start += slash + 1;
        }
    }
}
