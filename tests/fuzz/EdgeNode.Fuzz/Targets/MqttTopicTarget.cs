using EdgeNode.Mqtt.Topics;

namespace EdgeNode.Fuzz.Targets;

/// <summary>
/// The MQTT topic name and topic filter checks and the matcher (input: filter NUL topic). Properties: the matcher
/// agrees with a plain level-by-level reading of the specification (MQTT 5.0 section 4.7); a filter covers itself and
/// whatever it covers it also matches; a shared subscription's inner filter is a valid filter.
/// </summary>
internal static class MqttTopicTarget
{
    public static FuzzTarget Target { get; } = new(Check);

    private static void Check(ReadOnlySpan<byte> input)
    {
        (ReadOnlyMemory<byte> filter, ReadOnlyMemory<byte> topic) = Inputs.AtNul(input);
        bool filterValid = MqttTopic.IsValidTopicFilter(filter.Span);
        bool topicValid = MqttTopic.IsValidTopicName(topic.Span);
        PropertyViolationException.ThrowIfNot(!topicValid || MqttTopic.IsValidTopicFilter(topic.Span) || MqttTopic.IsShared(topic.Span),
            "a valid topic name is not a valid filter");

        if (MqttTopic.TryParseShared(filter.Span, out _, out ReadOnlySpan<byte> inner))
        {
            PropertyViolationException.ThrowIfNot(!filterValid || MqttTopic.IsValidTopicFilter(inner), "a valid shared filter holds an invalid filter");
            return;
        }

        if (filterValid && topicValid)
        {
            PropertyViolationException.ThrowIfNot(TopicFilter.Matches(filter.Span, topic.Span) == ReferenceMatches(filter.Span, topic.Span),
                "the matcher disagrees with the specification's rules");
            PropertyViolationException.ThrowIfNot(TopicFilter.Matches(topic.Span, topic.Span), "a topic name as a filter does not match itself");
            PropertyViolationException.ThrowIfNot(TopicFilter.Covers(filter.Span, filter.Span), "a filter does not cover itself");
            if (TopicFilter.Covers(filter.Span, topic.Span))
            {
                PropertyViolationException.ThrowIfNot(TopicFilter.Matches(filter.Span, topic.Span), "a filter covers a topic it does not match");
            }
        }
    }

    /// <summary>Filter and topic split on '/'; '+' is one level, '#' the rest (parent included); '$' topics escape wildcards.</summary>
    private static bool ReferenceMatches(ReadOnlySpan<byte> filter, ReadOnlySpan<byte> topic)
    {
        string[] f = Levels(filter);
        string[] t = Levels(topic);
        if (t[0].StartsWith('$') && f[0] is "+" or "#") return false;
        for (int i = 0; i < f.Length; i++)
        {
            if (f[i] == "#") return true;
            if (i >= t.Length) return false;
            if (f[i] != "+" && f[i] != t[i]) return false;
        }

        return f.Length == t.Length;
    }

    private static string[] Levels(ReadOnlySpan<byte> value) => System.Text.Encoding.Latin1.GetString(value).Split('/');
}
